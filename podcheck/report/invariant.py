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
  what the invariant re-checked says (the folding: `report/folding.py`);
- NOTE(step-facts): the bounds of one counter under one premise and one condition are
  one line (`_steps`): `if P then f <= 6; <= 5 when t >= 10; <= 4 when >= 20`.
"""

from __future__ import annotations

from dataclasses import dataclass

from podcheck.ir import Const, Expr, Op, TransitionSystem, Var
from podcheck.report import folding, phrases

_NEGATED = folding.NEGATED
_SHOWN = {"==": "=", "!=": "!="}


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
    for c in (folding.fold(system, folding.unflagged(system, c)) for c in parts):
        one = folding.allowed(system, c)
        if one is None:
            rest.append(c)
        else:
            index, allowed = one
            values[index] = values.get(index, allowed) & allowed
    lines = [_values(w, i, values[i]) for i in sorted(values)]
    fixed = {i: min(a) for i, a in values.items() if len(a) == 1}
    folded = [folding.fold(system, folding.substituted(c, fixed)) for c in rest]
    return lines + _steps(w, [c for c in folded if c != Const(1)])


@dataclass(frozen=True, slots=True)
class _Step:
    """NOTE(step-facts): one fact `if ifs then x in bound or not (subject when)`: the
    values `bound` of the counter `x` once the condition `subject when` (`startup time
    left of app` `>= 50`) holds, `y` what the condition reads (a variable, or a sum
    compared with a number; None: no condition), `order` sorting weaker conditions
    first (its direction first: `>=` or `<=`)."""

    ifs: str
    x: int
    bound: frozenset[int]
    y: int | Expr | None = None
    subject: str = ""
    when: str = ""
    order: tuple[int, int] = (-1, 0)

    @property
    def key(self) -> tuple[str, int]:
        return self.ifs, self.x


def _steps(w: _Words, parts: list[Expr]) -> list[str]:
    """The lines of `parts`, with NOTE(step-facts) merged: `if P then x <= a or y <= b`
    for several bounds of one counter `x` under one premise `P` and one condition on
    `y` (and `if P then x <= a`, no condition) is one line, `if P then x <= a0; <= a1
    when y >= b1 + 1; ...`, at the place of its first fact (the conjunction is the same)."""
    steps = [_step(w, c) for c in parts]
    ys: dict[tuple[str, int], tuple[int | Expr, int]] = {}
    for st in steps:
        if st is not None and st.y is not None:
            ys.setdefault(st.key, (st.y, st.order[0]))
    groups: dict[tuple[str, int], list[_Step]] = {}
    for st in steps:
        if st is not None and st.key in ys and (st.y is None or ys[st.key] == (st.y, st.order[0])):
            groups.setdefault(st.key, []).append(st)
    lines, done = [], set()
    for c, st in zip(parts, steps, strict=True):
        group = groups.get(st.key, []) if st is not None else []
        if st is None or len(group) < 2 or st not in group:
            lines.append(_show(w, c))
        elif st.key not in done:
            done.add(st.key)
            lines.append(_step_line(w, group))
    return lines


def _step(w: _Words, c: Expr) -> _Step | None:
    """NOTE(step-facts): `c` as a `_Step` when it reads `if P then x in A or y in B`
    (or `if P then x in A`) with A a range of numbers from one end of x's domain and
    `y in B` a range from one end of y's, or a sum compared with a number; else None."""
    if not (isinstance(c, Op) and c.op == "or"):
        return None
    ifs, items = _rule(w, c.args, False)
    if not items or not isinstance(items[0], tuple) or not _end_range(w.system, *items[0]):
        return None
    x, bound = items[0]
    if len(items) == 1:
        return _Step(ifs, x, bound) if ifs else None
    if len(items) != 2:
        return None
    y = items[1]
    if isinstance(y, tuple):
        if not _end_range(w.system, *y) or y[0] == x:
            return None
        cond = folding.domain(w.system, y[0]) - y[1]
        up = max(cond) == w.system.vars[y[0]].hi
        subject = w.names[y[0]]
        text = _values(w, y[0], cond).removeprefix(f"{subject} ")
        return _Step(ifs, x, bound, y[0], subject, text, (0, min(cond)) if up else (1, -max(cond)))
    if not (isinstance(y, Op) and y.op in ("<", "<=", ">", ">=") and isinstance(y.args[1], Const)):
        return None
    term, k = y.args[0], y.args[1].value
    at_least = {"<": k, "<=": k + 1}.get(y.op)  # the condition: term >= at_least
    at_most = {">": k, ">=": k - 1}.get(y.op)  # or: term <= at_most
    subject = _show(w, term, True)
    if at_least is not None:
        return _Step(ifs, x, bound, term, subject, f">= {at_least}", (0, at_least))
    assert at_most is not None
    return _Step(ifs, x, bound, term, subject, f"<= {at_most}", (1, -at_most))


def _end_range(system: TransitionSystem, index: int, allowed: frozenset[int]) -> bool:
    var = system.vars[index]
    if phrases.labelled(var) or (var.lo, var.hi) == (0, 1) or not allowed:
        return False
    lo, hi = min(allowed), max(allowed)
    full = (lo, hi) == (var.lo, var.hi)
    return not full and len(allowed) == hi - lo + 1 and (lo == var.lo or hi == var.hi)


def _step_line(w: _Words, group: list[_Step]) -> str:
    """`if P then x <= a0; <= a1 when y >= b1; ...`: the weakest condition first."""
    texts, named = [], False
    for n, st in enumerate(sorted(group, key=lambda st: (st.order, -len(st.bound)))):
        bound = _values(w, st.x, st.bound)
        text = bound if n == 0 else bound.removeprefix(f"{w.names[st.x]} ")
        if st.y is not None:
            text += f" when {st.when}" if named else f" when {st.subject} {st.when}"
            named = True
        texts.append(text)
    ifs = group[0].ifs
    return f"if {ifs} then {'; '.join(texts)}" if ifs else "; ".join(texts)


def _values(w: _Words, index: int, allowed: frozenset[int]) -> str:
    """`x = v`, `x != v`, `x in {...}` (labels, runs), `x <= hi`, `x >= lo`, `lo <= x <=
    hi`; a 0/1 variable without labels as a flag (`x`, `not x`)."""
    var, name = w.system.vars[index], w.names[index]
    domain = folding.domain(w.system, index)
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
        one = folding.allowed(system, a)
        if one is None:
            order.append(a)
        elif one[0] in merged:
            merged[one[0]] |= one[1]
        else:
            merged[one[0]] = one[1]
            order.append(one[0])
    items: list[Item] = [(i, merged[i]) if isinstance(i, int) else i for i in order]

    def excluded(item: Item) -> bool:
        return isinstance(item, tuple) and len(folding.domain(system, item[0]) - item[1]) == 1

    premises = 0
    while not nested and premises < len(items) - 1 and excluded(items[premises]):
        premises += 1
    ifs = " and ".join(_values(w, i, folding.domain(system, i) - a)
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
    one = folding.allowed(w.system, e) if e.op != "or" else None
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
