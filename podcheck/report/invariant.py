"""An inductive invariant (an IR expression over state variables) in the spec's words.

Stage: `podcheck.report`.  Consumes a `TransitionSystem` and the invariant of a
`PropertyResult` (found by the pdr engine); produces text lines:

- first the facts about one variable, merged per variable and shown as the values it
  may take (`pod web-0 phase in {Pending, Running}`, `pod web-0 app.restarts = 0`,
  `pod web-0 app.processTimer <= 60`, a 0/1 flag as `not pod web-0 exists`), in
  layout order;
- then every other conjunct, one a line, with the variables the first facts fix to one
  value replaced by it and folded (`node n1 state = Ready` makes `(node n1 state -
  pod app app.processTimer + pod app app.startupTimer) != 0` read `(pod app
  app.startupTimer - pod app app.processTimer) != 0`: no state's number inside
  arithmetic; the conjunction is the same): a disjunction whose first parts exclude one
  value each reads as an implication (`if pod web-0 app.state = Running then pod web-0
  node = n1`), tests of one variable inside it are merged the same way, and enumerated
  values are shown by label.
"""

from __future__ import annotations

from collections.abc import Mapping

from podcheck.ir import Const, Expr, Op, TransitionSystem, Var, evaluate

_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_MIRRORED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_SHOWN = {"==": "=", "!=": "!="}
_TESTS = {
    "==": lambda v, c: v == c, "!=": lambda v, c: v != c, "<": lambda v, c: v < c,
    "<=": lambda v, c: v <= c, ">": lambda v, c: v > c, ">=": lambda v, c: v >= c,
}  # fmt: skip
Allowed = tuple[int, frozenset[int]]  # a variable and the values a test lets it take
_ENUMERATED = 4096  # a test of a variable with a larger domain is shown as written


def conjuncts(expr: Expr) -> list[Expr]:
    """The top-level conjuncts of `expr` (nested `and`s flattened)."""
    if isinstance(expr, Op) and expr.op == "and":
        return [c for a in expr.args for c in conjuncts(a)]
    return [expr]


def render_invariant(system: TransitionSystem, expr: Expr) -> list[str]:
    """The lines of `expr` in the words of `system`'s variables (module doc)."""
    parts = conjuncts(expr)
    if parts == [Const(1)]:
        return ["true"]
    values: dict[int, frozenset[int]] = {}
    rest: list[Expr] = []
    for c in parts:
        one = _allowed(system, c)
        if one is None:
            rest.append(c)
        else:
            index, allowed = one
            values[index] = values.get(index, allowed) & allowed
    lines = [_values(system, i, values[i]) for i in sorted(values)]
    fixed = {i: min(a) for i, a in values.items() if len(a) == 1}
    folded = [_substituted(c, fixed) for c in rest]
    return lines + [_show(system, c) for c in folded if c != Const(1)]


def _negative(e: Expr) -> bool:
    return isinstance(e, Op) and e.op == "*" and isinstance(e.args[0], Const) and \
        e.args[0].value < 0  # fmt: skip


def _substituted(e: Expr, fixed: Mapping[int, int]) -> Expr:
    """`e` with each variable of `fixed` replaced by its value, folded (module doc): a
    part without variables is evaluated, `or` / `and` drop their constant parts, a sum
    its zeros (its constant last, its positive terms first)."""
    if isinstance(e, Var):
        return Const(fixed[e.index]) if e.index in fixed else e
    if isinstance(e, Const):
        return e
    args = tuple(_substituted(a, fixed) for a in e.args)
    if all(isinstance(a, Const) for a in args):
        return Const(evaluate(Op(e.op, args), ()))
    consts = [a.value for a in args if isinstance(a, Const)]
    others = tuple(a for a in args if not isinstance(a, Const))
    if e.op in ("or", "and"):
        if any((v != 0) == (e.op == "or") for v in consts):  # a true part, a false one
            return Const(1 if e.op == "or" else 0)
        return others[0] if len(others) == 1 else Op(e.op, others)
    if e.op == "+":
        total = sum(consts)
        terms = (*(a for a in others if not _negative(a)), *(a for a in others if _negative(a)),
                 *((Const(total),) if total else ()))
        return terms[0] if len(terms) == 1 else Op("+", terms)
    return Op(e.op, args)


def _domain(system: TransitionSystem, index: int) -> frozenset[int]:
    var = system.vars[index]
    return frozenset(range(var.lo, var.hi + 1))


def _allowed(system: TransitionSystem, e: Expr) -> Allowed | None:
    """The values one variable may take under `e`, when `e` tests only that variable."""
    if isinstance(e, Op) and e.op == "not":
        inner = _allowed(system, e.args[0])
        return None if inner is None else (inner[0], _domain(system, inner[0]) - inner[1])
    if isinstance(e, Op) and e.op == "or":
        tests = [_allowed(system, a) for a in e.args]
        indices = {t[0] for t in tests if t is not None}
        if None in tests or len(indices) != 1:
            return None
        return indices.pop(), frozenset().union(*(t[1] for t in tests if t is not None))
    if not (isinstance(e, Op) and e.op in _TESTS):
        return None
    left, right = e.args
    test = e.op
    if isinstance(left, Const) and isinstance(right, Var):
        test, left, right = _MIRRORED[test], right, left
    if not (isinstance(left, Var) and isinstance(right, Const)):
        return None
    c = right.value
    var = system.vars[left.index]
    if var.hi - var.lo >= _ENUMERATED:  # a counter up to int32: no value set
        return None
    return left.index, frozenset(v for v in _domain(system, left.index) if _TESTS[test](v, c))


def _values(system: TransitionSystem, index: int, allowed: frozenset[int]) -> str:
    """`x = v`, `x != v`, `x in {...}` (labels, runs), `x <= hi`, `x >= lo`, `lo <= x <=
    hi`; a 0/1 variable without labels as a flag (`x`, `not x`)."""
    var, name = system.vars[index], _name(system, index)
    domain = _domain(system, index)
    if not allowed:
        return "false"
    if not var.labels and (var.lo, var.hi) == (0, 1) and len(allowed) == 1:
        return name if allowed == {1} else f"not {name}"  # a flag
    if len(allowed) == 1:
        return f"{name} = {var.show(min(allowed))}"
    if len(domain - allowed) == 1:
        return f"{name} != {var.show(min(domain - allowed))}"
    lo, hi = min(allowed), max(allowed)
    if not var.labels and len(allowed) == hi - lo + 1:
        if lo == var.lo:
            return f"{name} <= {hi}"
        return f"{name} >= {lo}" if hi == var.hi else f"{lo} <= {name} <= {hi}"
    if var.labels:
        return f"{name} in {{{', '.join(var.show(v) for v in sorted(allowed))}}}"
    return f"{name} in {{{', '.join(_runs(sorted(allowed)))}}}"


def _runs(values: list[int]) -> list[str]:
    """Sorted integers as runs: `0..30`, `41`, `43..60`."""
    runs: list[list[int]] = []
    for v in values:
        if runs and runs[-1][1] == v - 1:
            runs[-1][1] = v
        else:
            runs.append([v, v])
    return [str(a) if a == b else f"{a}..{b}" for a, b in runs]


def _name(system: TransitionSystem, index: int) -> str:
    var = system.vars[index]
    return f"{var.owner} {var.field}" if var.owner and var.field else var.name


def _disjunction(system: TransitionSystem, args: tuple[Expr, ...], nested: bool) -> str:
    """`a or b ...`: tests of one variable merged; leading parts that exclude a single
    value become the premises of `if ... then ...` (not when nested)."""
    merged: dict[int, frozenset[int]] = {}
    items: list[int | Expr] = []
    for a in args:
        one = _allowed(system, a)
        if one is None:
            items.append(a)
        elif one[0] in merged:
            merged[one[0]] |= one[1]
        else:
            merged[one[0]] = one[1]
            items.append(one[0])

    def excluded(item: int | Expr) -> bool:
        return isinstance(item, int) and len(_domain(system, item) - merged[item]) == 1

    def shown(item: int | Expr) -> str:
        return _values(system, item, merged[item]) if isinstance(item, int) else \
            _show(system, item, True)  # fmt: skip

    premises = 0
    while not nested and premises < len(items) - 1 and excluded(items[premises]):
        premises += 1
    then = " or ".join(shown(i) for i in items[premises:])
    if premises:
        ifs = " and ".join(_values(system, i, _domain(system, i) - merged[i])
                           for i in items[:premises] if isinstance(i, int))  # fmt: skip
        return f"if {ifs} then {then}"
    return f"({then})" if nested and len(items) > 1 else then


def _show(system: TransitionSystem, e: Expr, nested: bool = False) -> str:
    if isinstance(e, Const):
        return str(e.value)
    if isinstance(e, Var):
        return _name(system, e.index)
    one = _allowed(system, e) if e.op != "or" else None
    if one is not None:
        return _values(system, *one)
    if e.op == "not" and isinstance(e.args[0], Op) and e.args[0].op in _NEGATED:
        inner = e.args[0]
        return _compare(system, _NEGATED[inner.op], inner.args[0], inner.args[1])
    if e.op in _NEGATED:
        return _compare(system, e.op, e.args[0], e.args[1])
    if e.op == "or":
        return _disjunction(system, e.args, nested)
    if e.op == "and":
        text = " and ".join(_show(system, a, True) for a in e.args)
        return f"({text})" if nested else text
    if e.op == "not":
        return f"not {_show(system, e.args[0], True)}"
    return _arith(system, e, nested)


def _arith(system: TransitionSystem, e: Op, nested: bool) -> str:
    if e.op == "+":
        text = " + ".join(_show(system, a, True) for a in e.args).replace("+ -1*", "- ")
    elif e.op == "*":
        return "*".join(_show(system, a, True) for a in e.args)
    elif e.op in ("-", "//", "%"):
        text = f"{_show(system, e.args[0], True)} {e.op} {_show(system, e.args[1], True)}"
    elif e.op == "neg":
        return f"-{_show(system, e.args[0], True)}"
    else:
        return f"{e.op}({', '.join(_show(system, a) for a in e.args)})"
    return f"({text})" if nested else text


def _compare(system: TransitionSystem, op: str, left: Expr, right: Expr) -> str:
    return f"{_show(system, left, True)} {_SHOWN.get(op, op)} {_show(system, right, True)}"
