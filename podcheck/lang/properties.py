"""Properties, built-in checks and expectations to `PropertyDecl`s and `Expect`s.

Stage: part of `podcheck.lang.check`.  Consumes `property`, `check` and `expect`
items and the declared names; produces the checked property list (user formulas
normalised by `podcheck.lang.formulas`, built-ins with `builtin` set) and the
expectations, appending diagnostics (PC103, PC106, PC107, PC109, PC114, PC116, ...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from podcheck.diagnostics import Diagnostic, Note, Span, codes
from podcheck.lang import messages as m
from podcheck.lang.ast import CheckItem, ExpectItem, PropertyItem
from podcheck.lang.formulas import Names, check_formula
from podcheck.lang.schema import BUILTIN_ARGS, EXPECT_OUTCOMES
from podcheck.spec import BUILTIN_CHECKS, Expect, PropertyDecl

Out = list[Diagnostic]


@dataclass(frozen=True, slots=True)
class Declared:
    """Names a built-in check's arguments may refer to, by kind."""

    workloads: Mapping[str, str]  # name -> block kind
    nodes: tuple[str, ...]
    pdbs: tuple[str, ...]


def build_properties(
    items: Sequence[PropertyItem | CheckItem | ExpectItem], declared: Declared, out: Out
) -> tuple[tuple[PropertyDecl, ...], tuple[Expect, ...]]:
    """Every property and check in order, then built-ins only named by an `expect`."""
    names = Names(declared.workloads, declared.nodes)
    decls: list[PropertyDecl] = []
    first: dict[str, Span] = {}
    for item in items:
        if isinstance(item, ExpectItem):
            continue
        if _is_duplicate(item, first, out):
            continue
        first[item.name] = item.span
        decl = _property(item, names, out) if isinstance(item, PropertyItem) else _check(
            item, declared, out
        )
        if decl is not None:
            decls.append(decl)
    expects = _expects([i for i in items if isinstance(i, ExpectItem)], first, out)
    implied = [
        PropertyDecl(e.property, None, builtin=e.property, span=e.span)
        for e in expects
        if e.property not in first and e.property in BUILTIN_CHECKS
    ]
    return tuple(decls + implied), tuple(expects)


def _is_duplicate(item: PropertyItem | CheckItem, first: Mapping[str, Span], out: Out) -> bool:
    if item.name in first:
        what = "property" if isinstance(item, PropertyItem) else "check"
        help_text = (
            "list every argument in one check: "
            f"`check {item.name}(a, b)`" if isinstance(item, CheckItem) and item.args
            else "rename one of them"
        )
        out.append(m.error(codes.DUPLICATE_NAME, f"duplicate {what} `{item.name}`", item.span,
                           help=help_text, notes=(m.first_defined(first[item.name]),)))
        return True
    if isinstance(item, PropertyItem) and item.name in BUILTIN_CHECKS:
        out.append(m.error(codes.DUPLICATE_NAME,
                           f"property `{item.name}` has the name of a built-in check",
                           item.span, help="rename the property"))
        return True
    return False


def _property(item: PropertyItem, names: Names, out: Out) -> PropertyDecl | None:
    formula = check_formula(item.formula, names, out)
    return None if formula is None else PropertyDecl(item.name, formula, span=item.span)


def _check(item: CheckItem, declared: Declared, out: Out) -> PropertyDecl | None:
    if item.name not in BUILTIN_CHECKS:
        out.append(m.error(codes.UNKNOWN_BUILTIN_CHECK, f"unknown built-in check `{item.name}`",
                           item.span, help=m.did_you_mean(item.name, BUILTIN_CHECKS),
                           notes=(Note(f"built-in checks are {m.backticked(BUILTIN_CHECKS)}"),)))
        return None
    kind = BUILTIN_ARGS[item.name]
    if kind is None and item.args:
        out.append(m.error(codes.BUILTIN_ARGUMENTS,
                           f"built-in check `{item.name}` takes no arguments", item.span,
                           help=f"write `check {item.name}`"))
        return None
    before = len(out)
    for arg in item.args:
        _check_arg(item, arg, kind or "", declared, out)
    if len(out) > before:
        return None
    return PropertyDecl(item.name, None, builtin=item.name, args=item.args, span=item.span)


def _check_arg(item: CheckItem, arg: str, kind: str, declared: Declared, out: Out) -> None:
    pools: dict[str, Sequence[str]] = {
        "workload": list(declared.workloads),
        "job": list(declared.workloads),
        "node": declared.nodes,
        "pdb": declared.pdbs,
    }
    if arg not in pools[kind]:
        what = "workload" if kind == "job" else kind
        out.append(m.unknown_reference(what, arg, item.span, pools[kind]))
    elif kind == "job" and declared.workloads[arg] not in ("job", "cronjob"):
        out.append(m.error(codes.WRONG_KIND_REFERENCE,
                           f"`{item.name}` needs a job, but `{arg}` is a "
                           f"{declared.workloads[arg]}", item.span))


def _expects(items: Sequence[ExpectItem], declared: Mapping[str, Span], out: Out) -> list[Expect]:
    known = list(declared) + [b for b in BUILTIN_CHECKS if b not in declared]
    expects: list[Expect] = []
    seen: dict[str, Span] = {}
    for item in items:
        ok = True
        if item.name not in declared and item.name not in BUILTIN_CHECKS:
            out.append(m.error(codes.UNKNOWN_PROPERTY, f"`expect` names unknown property "
                               f"`{item.name}`", item.span, help=m.did_you_mean(item.name,
                                                                                known)))
            ok = False
        if item.outcome not in EXPECT_OUTCOMES:
            out.append(m.unknown_enum("expected outcome", item.outcome, EXPECT_OUTCOMES,
                                      item.span))
            ok = False
        if item.name in seen:
            out.append(m.error(codes.DUPLICATE_EXPECT, f"duplicate `expect` for `{item.name}`",
                               item.span, help="keep one of them",
                               notes=(m.first_defined(seen[item.name]),)))
            continue
        seen[item.name] = item.span
        if ok:
            expects.append(Expect(item.name, item.outcome, span=item.span))
    return expects
