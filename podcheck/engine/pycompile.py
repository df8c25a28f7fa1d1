"""Compile the transition-system IR to Python functions, once per run.

Stage: inside `podcheck.engine`.  Consumes a `TransitionSystem` (podcheck.ir);
produces Python source text and the functions `exec` makes of it: predicates for
property conditions and `terminal`, a `successors(state)` list function agreeing
exactly with `ir.successors`, and the BFS expander (see `compile_expander`), so the
BFS inner loop never walks the IR tree.

Every expression is compiled in one of two modes (NOTE(compile-modes)):
- *value* mode yields exactly the int `ir.evaluate` computes (never a bool: boolean
  operators in value position become `(1 if ... else 0)`);
- *condition* mode yields something whose truthiness is the truthiness of that int.
Short-circuits (`and`, `or`, `ite`) evaluate operands in the same order and cases as
`ir.evaluate`, so even an exception (division by zero) happens in the same states.

States are also *packed* into one int (`Packing`) for the BFS visited set: each
variable holds `value - lo` in a fixed bit field.  A successor's key is derived from
its parent's key by adding `(new - old) << offset` per updated variable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from podcheck.engine import pyslots
from podcheck.engine.gcpause import pausing
from podcheck.engine.pybody import Body, PreState, action_body, shared_parts
from podcheck.engine.pycode import compiled
from podcheck.engine.pyexpr import ONE, ZERO, bounds, cond_source, sum_source, value_source
from podcheck.ir import Expr, ModelError, State, TransitionSystem

__all__ = ["ONE", "ZERO", "bounds", "cond_source", "value_source"]  # re-exported
Bounds = dict[int, tuple[int, int] | None]  # the `bounds` memo of one system

@dataclass(frozen=True, slots=True)
class Packing:
    """Where each variable lives in a packed state key: `(value - lo) << offset`."""

    lo: tuple[int, ...]
    offset: tuple[int, ...]
    width: tuple[int, ...]

    @staticmethod
    def of(system: TransitionSystem) -> Packing:
        """The packing of `system`'s layout, variables in layout order from bit 0."""
        widths = tuple((v.hi - v.lo).bit_length() for v in system.vars)
        offsets, at = [], 0
        for w in widths:
            offsets.append(at)
            at += w
        return Packing(tuple(v.lo for v in system.vars), tuple(offsets), widths)

    @property
    def bits(self) -> int:
        """Total width of a key in bits."""
        return sum(self.width)

    def pack(self, state: State) -> int:
        """The key of `state`."""
        return sum((v - lo) << off for v, lo, off in zip(state, self.lo, self.offset, strict=True))

    def unpack(self, key: int) -> State:
        """The state whose key is `key`."""
        return tuple(
            ((key >> off) & ((1 << w) - 1)) + lo
            for lo, off, w in zip(self.lo, self.offset, self.width, strict=True)
        )


def _names(system: TransitionSystem) -> list[str]:
    return [f"v{i}" for i in range(len(system.vars))]


def _exec(source: str, namespace: dict[str, object], name: str) -> Callable[..., object]:
    code = compiled(source, f"<podcheck:{name}>")
    exec(code, namespace)  # noqa: S102 - source is generated from the IR, ints only
    fn = namespace[name]
    assert callable(fn)
    return fn


def _unpack_line(system: TransitionSystem) -> str:
    names = _names(system)
    if not names:
        return "    pass"
    return f"    {', '.join(names)}{',' if len(names) == 1 else ''} = s"


def predicate_source(system: TransitionSystem, exprs: Sequence[Expr]) -> str:
    """Source of `pred(s) -> bool`: does any of `exprs` hold in state `s`?"""
    lines, names = _hoist(system, exprs, "f", "    ")
    body = " or ".join(cond_source(e, names) for e in exprs) or "False"
    return "\n".join(["def pred(s):", _unpack_line(system), *lines,
                      f"    return bool({body})"]) + "\n"


def compile_predicate(system: TransitionSystem, expr: Expr) -> Callable[[State], bool]:
    """`state -> bool(ir.evaluate(expr, state))`, compiled."""
    return compile_any(system, (expr,))


def compile_any(system: TransitionSystem, exprs: Sequence[Expr]) -> Callable[[State], bool]:
    """`state -> any(ir.evaluate(e, state) for e in exprs)`, compiled."""
    return _exec(predicate_source(system, exprs), {}, "pred")  # type: ignore[return-value]


def compile_value(system: TransitionSystem, expr: Expr) -> Callable[[State], int]:
    """`state -> ir.evaluate(expr, state)`, compiled."""
    names = _names(system)
    source = f"def value(s):\n{_unpack_line(system)}\n    return {value_source(expr, names)}\n"
    return _exec(source, {}, "value")  # type: ignore[return-value]


def _domain_error(system: TransitionSystem) -> Callable[[int, int, int], None]:
    def fail(action: int, index: int, value: int) -> None:
        var = system.vars[index]
        label = system.actions[action].label
        raise ModelError(f"{label}: {var.name} = {value} is outside {var.lo}..{var.hi}")

    return fail


def successors_source(system: TransitionSystem) -> str:
    """Source of `successors(s) -> list[(action index, next state)]`."""
    names = _names(system)
    lines = ["def successors(s):", _unpack_line(system), "    out = []"]
    memo: Bounds = {}
    for a, action in enumerate(system.actions):
        body = action_body(system, a, "        ", memo)
        lines.append(f"    if {cond_source(action.guard, names)}:")
        lines += body.lines
        lines.append(f"        out.append(({a}, {body.successor()}))")
    lines.append("    return out")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class CompiledSystem:
    """A system's compiled functions, each agreeing with the IR's reference semantics."""

    system: TransitionSystem
    successors: Callable[[State], list[tuple[int, State]]]
    terminal: Callable[[State], bool]
    source: str


def compile_system(system: TransitionSystem) -> CompiledSystem:
    """Compile `system`'s successor function and terminal predicate."""
    source = successors_source(system)
    fn = _exec(source, {"fail": _domain_error(system)}, "successors")
    terminal = compile_predicate(system, system.terminal)
    return CompiledSystem(system, fn, terminal, source)  # type: ignore[arg-type]


def _key_delta(system: TransitionSystem, packing: Packing, a: int, body: Body) -> str:
    terms = []
    for index, _ in system.actions[a].updates:
        off = packing.offset[index]
        shift = f" << {off}" if off else ""
        terms.append(f"(({body.value(index)} - {body.old[index]}){shift})")
    return sum_source(terms) if terms else "0"


def expander_source(
    system: TransitionSystem, packing: Packing, flagged: Sequence[Expr], *, edges: bool = False,
    skip: Skips | None = None,
) -> str:  # fmt: skip
    """Source of the BFS expander factory; see `compile_expander`.  Above `CHUNK`
    actions the expander calls one function per `CHUNK` actions (NOTE(linear-codegen))."""
    skip = skip or {}
    if len(system.actions) > CHUNK:
        return "\n".join(_chunked_sources(system, packing, flagged, edges, skip)) + "\n"
    flag_lines, flag_names = _hoist(system, flagged, "f")
    flag = " or ".join(cond_source(e, flag_names) for e in flagged) or "False"
    lines = [
        "def make(seen, add, push_state, push_key, push_link, push_edges):",
        "    def expand(s, x, link):",
        "    " + _unpack_line(system),
        "        out = []" if edges else "        k = 0",
    ]
    shared, guard_names = _guards(system, range(len(system.actions)))
    lines += shared
    memo: Bounds = {}
    for a in range(len(system.actions)):
        lines += _action_lines(system, packing, a, edges, guard_names, memo, skip)
    if edges:
        lines += ["        push_edges(out)", "        k = len(out)"]
    lines += flag_lines
    lines.append(f"        return ~k if {flag} else k" if flagged else "        return k")
    lines.append("    return expand")
    return "\n".join(lines) + "\n"


# NOTE(linear-codegen): CPython compiles one function in time that grows faster than its
# length (a 1 800-action expander of 700 variables took 5 s and 1.5 GB), and a successor
# spelled as a tuple of every variable makes the source actions x variables long.  So a
# big system's successors are spliced (`_Body.successor`) and its expander is split into
# functions of `CHUNK` actions, each reading only the variables it uses: linear source,
# linear compile time.
CHUNK = 128
_VAR = re.compile(r"\bv(\d+)\b")


def _guards(system: TransitionSystem, actions: range) -> tuple[list[str], PreState]:
    """Lines computing, once per state, the subexpressions several of the guards of
    `actions` share (e.g. a count of a workload's pods), and the names that use them."""
    return _hoist(system, [system.actions[a].guard for a in actions], "g")


def _hoist(system: TransitionSystem, exprs: Sequence[Expr], prefix: str,
           indent: str = "        ") -> tuple[list[str], PreState]:
    """Lines computing once the subexpressions (the same object) `exprs` use more than
    once, into locals `{prefix}{k}`, and the names that read them.  A property's
    violation condition shares its PDB's healthy count among every pod's term: spelled
    out, `budget-respected` at 30 replicas was a 2.2 MB line (493 270 nodes, 3 126
    distinct): NOTE(linear-codegen)."""
    names = PreState(len(system.vars), {})
    lines = []
    for k, shared in enumerate(shared_parts(exprs)):
        lines.append(f"{indent}{prefix}{k} = {value_source(shared, names)}")
        names.memo[id(shared)] = f"{prefix}{k}"
    return lines, names


def _action_lines(
    system: TransitionSystem, packing: Packing, a: int, edges: bool, guard_names: PreState,
    memo: Bounds, skip: Skips,
) -> list[str]:
    body = action_body(system, a, "            ", memo)
    lines = [f"        if {cond_source(system.actions[a].guard, guard_names)}:"]
    lines += [] if edges else ["            k += 1"]
    lines += body.lines
    lines.append(f"            y = x + {_key_delta(system, packing, a, body)}")
    return lines + _visit_lines(a, body, edges, skip.get(a, ()))


def _reads(lines: Sequence[str]) -> list[str]:
    """`vN = s[N]` for every variable the generated `lines` read."""
    used = sorted({int(m) for line in lines for m in _VAR.findall(line)})
    return [f"        v{i} = s[{i}]" for i in used]


@pausing
def _expander_factory(
    system: TransitionSystem, packing: Packing, flagged: Sequence[Expr], edges: bool,
    skip: Skips | None = None,
) -> Callable[..., Expander]:  # fmt: skip
    if len(system.actions) > CHUNK:
        from podcheck.engine import pychunked  # it imports this module

        return pychunked.factory(system, packing, flagged, edges, skip)
    return _make(system, expander_source(system, packing, flagged, edges=edges, skip=skip))


def _chunked_sources(
    system: TransitionSystem, packing: Packing, flagged: Sequence[Expr], edges: bool,
    skip: Skips, slots: pyslots.Plan | None = None,
) -> list[str]:  # fmt: skip
    """`pychunked.sources` (NOTE(linear-codegen))."""
    from podcheck.engine import pychunked  # it imports this module

    return pychunked.sources(system, packing, flagged, edges, skip, slots)


def _visit_lines(a: int, body: Body, edges: bool, pairs: Pairs) -> list[str]:
    """Remember successor key `y` if new (and with `edges`, record the edge to its id);
    never when a pair of `pairs` holds equal blocks (a twin: NOTE(twin-successors))."""
    at, inner = " " * 12, " " * 16
    push = [
        f"{inner}push_state({body.successor()})",
        f"{inner}push_key(y)",
        f"{inner}push_link(link + {a})",
    ]
    if not edges:
        twin = " or ".join("(" + " and ".join(f"v{u} == v{w}" for u, w in zip(left, right,
                                                                       strict=True)) + ")"
                           for left, right in pairs)  # fmt: skip
        seen = f"not ({twin}) and y not in seen" if twin else "y not in seen"
        return [f"{at}if {seen}:", f"{inner}add(y)", *push]
    return [
        f"{at}t = seen.get(y)",
        f"{at}if t is None:",
        f"{inner}t = seen[y] = len(seen)",
        *push,
        f"{at}out.append(({a}, t))",
    ]


Expander = Callable[[State, int, int], int]
Pairs = Sequence[tuple[tuple[int, ...], tuple[int, ...]]]  # blocks of variable indices
Skips = Mapping[int, Pairs]  # action index -> its twin pairs (engine/twins.py)


def compile_expander(
    system: TransitionSystem,
    packing: Packing,
    flagged: Sequence[Expr],
    seen: set[int],
    push_state: Callable[[State], None],
    push_key: Callable[[int], None],
    push_link: Callable[[int], None],
    skip: Skips | None = None,
) -> Expander:
    """The BFS inner loop body for one state, as one generated function.

    `expand(s, x, link)` takes a state, its packed key and `link` (the state's id
    times the number of actions).  For every enabled action in order it computes the
    successor (domain checks raise `ModelError`), and if its key is not in `seen`,
    adds the key and calls `push_state(successor)`, `push_key(key)` and
    `push_link(link + action index)`.  It returns the number `k` of enabled actions,
    or `~k` when one of the `flagged` conditions holds in `s`.  `skip` names per action
    the pairs of blocks whose equality in `s` makes its successor a twin, which is then
    not looked up (still counted in `k`; only with a canonicalising `seen`).
    """
    make = _expander_factory(system, packing, flagged, False, skip)
    return make(seen, seen.add, push_state, push_key, push_link, None)


def compile_edge_expander(
    system: TransitionSystem,
    packing: Packing,
    flagged: Sequence[Expr],
    seen: dict[int, int],
    push_state: Callable[[State], None],
    push_key: Callable[[int], None],
    push_link: Callable[[int], None],
    push_edges: Callable[[list[tuple[int, int]]], None],
) -> Expander:
    """`compile_expander` that also records every edge.  `seen` maps each known key to
    its state id; a new successor gets the next id (`len(seen)`).  Before returning,
    `expand` calls `push_edges` once with the `(action index, successor id)` of every
    enabled action in action order, self-loops included (NOTE(edges-are-enabledness)).
    """
    make = _expander_factory(system, packing, flagged, True)
    return make(seen, None, push_state, push_key, push_link, push_edges)


def _make(system: TransitionSystem, source: str) -> Callable[..., Expander]:
    """The expander factory `make(seen, add, push_state, push_key, push_link, push_edges)`."""
    return _exec(source, {"fail": _domain_error(system)}, "make")  # type: ignore[return-value]
