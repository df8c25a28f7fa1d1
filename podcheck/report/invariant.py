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
  values are shown by label;
- in the spec's words (NOTE(invariant-words) in `report/phrases.py`): a container's
  timers and counters by what they count (`startup probe failures of app`), a probe
  phase as `done` / `pending` / `released`;
- a test that reads one variable, whatever its arithmetic, as the values it allows
  (`(1 - f) > 0` reads `f = 0`), and one that reads none or allows every value of the
  variable's range folded to false or true;
- NOTE(flag-cases): never a 0/1 flag inside arithmetic: a test with a flag inside a sum
  (`(pod app exists - f) > 0`) is split into the flag's two cases, each folded (`pod app
  exists and f = 0`; the other case, `-f > 0`, is false on f's range and goes).  Every
  rewriting here is an equivalence on the variables' ranges, the states the invariant
  is checked on (`smt.check_invariant` assumes the domains), so the lines printed say
  what the invariant re-checked says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from podcheck import ir
from podcheck.ir import Const, Expr, Op, TransitionSystem, Var, evaluate
from podcheck.report import phrases

_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_SHOWN = {"==": "=", "!=": "!="}
_BOOLEAN = frozenset({*_NEGATED, "and", "or", "not"})
_ARITH = frozenset({"+", "-", "*", "neg", "//", "%", "min", "max", "ite"})
Allowed = tuple[int, frozenset[int]]  # a variable and the values a test lets it take
_ENUMERATED = 4096  # a test of a variable with a larger domain is shown as written


@dataclass(frozen=True, slots=True)
class _Words:
    """The system and the name of each of its variables (`phrases.names`)."""

    system: TransitionSystem
    names: list[str]


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
    w = _Words(system, phrases.names(system))
    values: dict[int, frozenset[int]] = {}
    rest: list[Expr] = []
    for c in (_fold(system, _unflagged(system, c)) for c in parts):
        one = _allowed(system, c)
        if one is None:
            rest.append(c)
        else:
            index, allowed = one
            values[index] = values.get(index, allowed) & allowed
    lines = [_values(w, i, values[i]) for i in sorted(values)]
    fixed = {i: min(a) for i, a in values.items() if len(a) == 1}
    folded = [_fold(system, _substituted(c, fixed)) for c in rest]
    return lines + _steps(w, [c for c in folded if c != Const(1)])


Step = tuple[str, int, int | None, frozenset[int], frozenset[int]]  # if, x, y, x's, y's


def _steps(w: _Words, parts: list[Expr]) -> list[str]:
    """The lines of `parts`, with NOTE(step-facts) merged: `if P then x <= a or y <= b`
    for several bounds of one counter `x` under one premise `P` and one `y` (and `if P
    then x <= a`, no `y`) is one line, `if P then x <= a0; <= a1 when y >= b1 + 1; ...`,
    at the place of its first fact (the conjunction is the same)."""
    steps = [_step(w, c) for c in parts]
    ys: dict[tuple[str, int], int] = {}
    for st in steps:
        if st is not None and st[2] is not None:
            ys.setdefault((st[0], st[1]), st[2])
    groups: dict[tuple[str, int], list[Step]] = {}
    for st in steps:
        if st is not None and (st[0], st[1]) in ys and st[2] in (None, ys[st[0], st[1]]):
            groups.setdefault((st[0], st[1]), []).append(st)
    lines, done = [], set()
    for c, st in zip(parts, steps, strict=True):
        key = None if st is None else (st[0], st[1])
        if key is None or key not in groups or len(groups[key]) < 2 or st not in groups[key]:
            lines.append(_show(w, c))
        elif key not in done:
            done.add(key)
            lines.append(_step_line(w, groups[key]))
    return lines


def _step(w: _Words, c: Expr) -> Step | None:
    """NOTE(step-facts): `c` as (premises, x, y, x's values, y's values) when it reads
    `if P then x in A or y in B` (or `if P then x in A`) with A and B ranges of numbers
    from one end of x's and y's domains; else None."""
    if not (isinstance(c, Op) and c.op == "or"):
        return None
    ifs, items = _rule(w, c.args, False)
    tests = [i for i in items if isinstance(i, tuple) and _end_range(w.system, *i)]
    if len(tests) != len(items) or not (len(tests) == 2 or (len(tests) == 1 and ifs)):
        return None
    (x, a), *other = tests
    return (ifs, x, other[0][0], a, other[0][1]) if other else (ifs, x, None, a, frozenset())


def _end_range(system: TransitionSystem, index: int, allowed: frozenset[int]) -> bool:
    var = system.vars[index]
    if phrases.labelled(var) or (var.lo, var.hi) == (0, 1) or not allowed:
        return False
    lo, hi = min(allowed), max(allowed)
    full = (lo, hi) == (var.lo, var.hi)
    return not full and len(allowed) == hi - lo + 1 and (lo == var.lo or hi == var.hi)


def _step_line(w: _Words, group: list[Step]) -> str:
    """`if P then x <= a0; <= a1 when y >= b1; ...`: the weakest condition first."""
    ordered = sorted(group, key=lambda st: (st[2] is not None, st[4], -len(st[3]), min(st[3])))
    texts, named_y = [], False
    for n, (_, x, y, a, b) in enumerate(ordered):
        bound = _values(w, x, a)
        text = bound if n == 0 else bound.removeprefix(f"{w.names[x]} ")
        if y is not None:
            cond = _values(w, y, _domain(w.system, y) - b)
            text += f" when {cond.removeprefix(f'{w.names[y]} ') if named_y else cond}"
            named_y = True
        texts.append(text)
    ifs = group[0][0]
    return f"if {ifs} then {'; '.join(texts)}" if ifs else "; ".join(texts)


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


def _fold(system: TransitionSystem, e: Expr) -> Expr:
    """`e` with every boolean part that reads one variable and holds for all of its
    range, or none of it, replaced by true or false, and the constants folded."""
    if isinstance(e, Op) and e.op in ("and", "or", "not"):
        e = _substituted(Op(e.op, tuple(_fold(system, a) for a in e.args)), {})
    one = _allowed(system, e)
    if one is not None and not one[1]:
        return ir.FALSE
    if one is not None and one[1] == _domain(system, one[0]):
        return ir.TRUE
    return e


def _flag(system: TransitionSystem, index: int) -> bool:
    var = system.vars[index]
    return not var.labels and (var.lo, var.hi) == (0, 1)


def _in_arithmetic(e: Expr, inside: bool = False) -> set[int]:
    """The variables `e` reads inside arithmetic (a sum, a product, ...)."""
    if isinstance(e, Var):
        return {e.index} if inside else set()
    if isinstance(e, Const):
        return set()
    return set().union(*(_in_arithmetic(a, inside or e.op in _ARITH) for a in e.args))


def _unflagged(system: TransitionSystem, e: Expr) -> Expr:
    """NOTE(flag-cases): `e` with every test that has a 0/1 flag inside its arithmetic
    split into the flag's two cases, `(flag and e[1/flag]) or (not flag and e[0/flag])`,
    each folded."""
    e = _pushed(e)
    if isinstance(e, Op) and e.op in ("and", "or", "not"):
        return Op(e.op, tuple(_unflagged(system, a) for a in e.args))
    if not (isinstance(e, Op) and e.op in _NEGATED):
        return e
    flags = sorted(i for i in _in_arithmetic(e) if _flag(system, i))
    if not flags:
        return e
    i = flags[0]
    cases = (ir.and_(ir.eq(Var(i), v), _unflagged(system, _substituted(e, {i: v})))
             for v in (1, 0))  # fmt: skip
    return _fold(system, ir.or_(*(_fold(system, c) for c in cases)))


def _pushed(e: Expr) -> Expr:
    """`not` moved inside a test or an `and` / `or` (De Morgan), one level."""
    if not (isinstance(e, Op) and e.op == "not" and isinstance(e.args[0], Op)):
        return e
    inner = e.args[0]
    if inner.op in _NEGATED:
        return Op(_NEGATED[inner.op], inner.args)
    if inner.op in ("and", "or"):
        dual = "or" if inner.op == "and" else "and"
        return Op(dual, tuple(ir.not_(a) for a in inner.args))
    if inner.op == "not":
        return inner.args[0]
    return e


def _domain(system: TransitionSystem, index: int) -> frozenset[int]:
    var = system.vars[index]
    return frozenset(range(var.lo, var.hi + 1))


def _allowed(system: TransitionSystem, e: Expr) -> Allowed | None:
    """The values one variable may take under `e`, when `e` is a test that reads only
    that variable (of a range of at most `_ENUMERATED` values)."""
    if not (isinstance(e, Op) and e.op in _BOOLEAN):
        return None
    read = ir.reads(e)
    if len(read) != 1:
        return None
    index = read.pop()
    var = system.vars[index]
    if var.hi - var.lo >= _ENUMERATED:  # a counter up to int32: no value set
        return None
    state = [0] * len(system.vars)
    allowed = set()
    for v in range(var.lo, var.hi + 1):
        state[index] = v
        if evaluate(e, state):
            allowed.add(v)
    return index, frozenset(allowed)


def _values(w: _Words, index: int, allowed: frozenset[int]) -> str:
    """`x = v`, `x != v`, `x in {...}` (labels, runs), `x <= hi`, `x >= lo`, `lo <= x <=
    hi`; a 0/1 variable without labels as a flag (`x`, `not x`)."""
    var, name = w.system.vars[index], w.names[index]
    domain = _domain(w.system, index)
    if not allowed:
        return "false"
    words = phrases.labelled(var)
    if not words and (var.lo, var.hi) == (0, 1) and len(allowed) == 1:
        return name if allowed == {1} else f"not {name}"  # a flag
    if len(allowed) == 1:
        return f"{name} = {phrases.label(var, min(allowed))}"
    if len(domain - allowed) == 1:
        return f"{name} != {phrases.label(var, min(domain - allowed))}"
    lo, hi = min(allowed), max(allowed)
    if not words and len(allowed) == hi - lo + 1:
        if lo == var.lo:
            return f"{name} <= {hi}"
        return f"{name} >= {lo}" if hi == var.hi else f"{lo} <= {name} <= {hi}"
    if words:
        return f"{name} in {{{', '.join(phrases.label(var, v) for v in sorted(allowed))}}}"
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


Item = tuple[int, frozenset[int]] | Expr  # a test of one variable (merged), or any part


def _rule(w: _Words, args: tuple[Expr, ...], nested: bool) -> tuple[str, list[Item]]:
    """`a or b ...` as (premises, items): tests of one variable merged; leading parts
    that exclude a single value become the premises of `if ... then ...` (none when
    nested)."""
    system = w.system
    merged: dict[int, frozenset[int]] = {}
    order: list[int | Expr] = []
    for a in args:
        one = _allowed(system, a)
        if one is None:
            order.append(a)
        elif one[0] in merged:
            merged[one[0]] |= one[1]
        else:
            merged[one[0]] = one[1]
            order.append(one[0])
    items: list[Item] = [(i, merged[i]) if isinstance(i, int) else i for i in order]

    def excluded(item: Item) -> bool:
        return isinstance(item, tuple) and len(_domain(system, item[0]) - item[1]) == 1

    premises = 0
    while not nested and premises < len(items) - 1 and excluded(items[premises]):
        premises += 1
    ifs = " and ".join(_values(w, i, _domain(system, i) - a)
                       for i, a in (p for p in items[:premises] if isinstance(p, tuple)))
    return ifs, items[premises:]


def _item(w: _Words, item: Item, alone: bool) -> str:
    return _values(w, *item) if isinstance(item, tuple) else _show(w, item, not alone)


def _disjunction(w: _Words, args: tuple[Expr, ...], nested: bool) -> str:
    """`a or b ...` (`_rule`): `if premises then items`, or the items."""
    ifs, items = _rule(w, args, nested)
    then = " or ".join(_item(w, i, len(items) == 1) for i in items)
    if ifs:
        return f"if {ifs} then {then}"
    return f"({then})" if nested and len(items) > 1 else then


def _show(w: _Words, e: Expr, nested: bool = False) -> str:
    if isinstance(e, Const):
        return str(e.value)
    if isinstance(e, Var):
        return w.names[e.index]
    one = _allowed(w.system, e) if e.op != "or" else None
    if one is not None:
        return _values(w, *one)
    if e.op == "not" and isinstance(e.args[0], Op) and e.args[0].op in _NEGATED:
        inner = e.args[0]
        return _compare(w, _NEGATED[inner.op], inner.args[0], inner.args[1])
    if e.op in _NEGATED:
        return _compare(w, e.op, e.args[0], e.args[1])
    if e.op == "or":
        return _disjunction(w, e.args, nested)
    if e.op == "and":
        text = " and ".join(_show(w, a, True) for a in e.args)
        return f"({text})" if nested else text
    if e.op == "not":
        return f"not {_show(w, e.args[0], True)}"
    return _arith(w, e, nested)


def _arith(w: _Words, e: Op, nested: bool) -> str:
    if e.op == "+":
        text = " + ".join(_show(w, a, True) for a in e.args).replace("+ -1*", "- ")
    elif e.op == "*":
        return "*".join(_show(w, a, True) for a in e.args)
    elif e.op in ("-", "//", "%"):
        text = f"{_show(w, e.args[0], True)} {e.op} {_show(w, e.args[1], True)}"
    elif e.op == "neg":
        return f"-{_show(w, e.args[0], True)}"
    else:
        return f"{e.op}({', '.join(_show(w, a) for a in e.args)})"
    return f"({text})" if nested else text


def _compare(w: _Words, op: str, left: Expr, right: Expr) -> str:
    return f"{_show(w, left, True)} {_SHOWN.get(op, op)} {_show(w, right, True)}"
