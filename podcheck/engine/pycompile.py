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

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from podcheck.ir import Const, Expr, ModelError, Op, State, TransitionSystem, Var

_ARITH = {"*": "*", "-": "-", "//": "//", "%": "%"}
_COMPARE = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_BOOLEAN = frozenset(_COMPARE) | {"and", "or", "not"}
_EXACT_BOOL = frozenset(_COMPARE) | {"not"}  # condition source is a real bool
ONE, ZERO = Const(1), Const(0)


def value_source(expr: Expr, names: Sequence[str]) -> str:
    """Python source computing the int value of `expr`; `names[i]` holds variable i."""
    if isinstance(expr, Const):
        return str(expr.value) if expr.value >= 0 else f"({expr.value})"
    if isinstance(expr, Var):
        return names[expr.index]
    name, args = expr.op, expr.args
    if name in _BOOLEAN:
        return f"(1 if {cond_source(expr, names)} else 0)"
    if name == "ite":
        then, other = value_source(args[1], names), value_source(args[2], names)
        return f"({then} if {cond_source(args[0], names)} else {other})"
    if name == "+" and len(args) > 1:
        return "(" + " + ".join(_term_source(a, names) for a in args) + ")"
    vals = [value_source(a, names) for a in args]
    if name == "+":
        return vals[0]
    if name in _ARITH:
        return f"({vals[0]} {_ARITH[name]} {vals[1]})"
    if name == "neg":
        return f"(-{vals[0]})"
    assert name in ("min", "max"), name
    return vals[0] if len(vals) == 1 else f"{name}({', '.join(vals)})"


def _term_source(expr: Expr, names: Sequence[str]) -> str:
    """A summand: a comparison may stay a bool there, `+` of several terms is an int."""
    if isinstance(expr, Op) and expr.op == "ite" and expr.args[1:] == (ONE, ZERO):
        expr = expr.args[0]
        if not (isinstance(expr, Op) and expr.op in _EXACT_BOOL):
            return f"(1 if {cond_source(expr, names)} else 0)"
    if isinstance(expr, Op) and expr.op in _EXACT_BOOL:
        return cond_source(expr, names)
    return value_source(expr, names)


def cond_source(expr: Expr, names: Sequence[str]) -> str:
    """Python source whose truthiness is that of `expr` (see NOTE(compile-modes))."""
    if isinstance(expr, Const):
        return "True" if expr.value else "False"
    if not isinstance(expr, Op):
        return value_source(expr, names)
    name, args = expr.op, expr.args
    if name in _COMPARE:
        left, right = value_source(args[0], names), value_source(args[1], names)
        return f"({left} {_COMPARE[name]} {right})"
    if name in ("and", "or"):
        return "(" + f" {name} ".join(cond_source(a, names) for a in args) + ")"
    if name == "not":
        return f"(not {cond_source(args[0], names)})"
    if name == "ite":
        parts = [cond_source(a, names) for a in args]
        return f"({parts[1]} if {parts[0]} else {parts[2]})"
    return value_source(expr, names)


def bounds(expr: Expr, system: TransitionSystem) -> tuple[int, int] | None:
    """Sound bounds on the value of `expr` in any state of `system` (None: unknown)."""
    if isinstance(expr, Const):
        return expr.value, expr.value
    if isinstance(expr, Var):
        var = system.vars[expr.index]
        return var.lo, var.hi
    if expr.op in _BOOLEAN:
        return 0, 1
    parts = [bounds(a, system) for a in expr.args]
    if expr.op == "ite":
        if parts[1] is None or parts[2] is None:
            return None
        return min(parts[1][0], parts[2][0]), max(parts[1][1], parts[2][1])
    if any(p is None for p in parts):
        return None
    return _arith_bounds(expr.op, [p for p in parts if p is not None])


def _arith_bounds(name: str, parts: list[tuple[int, int]]) -> tuple[int, int] | None:
    if name == "+":
        return sum(p[0] for p in parts), sum(p[1] for p in parts)
    if name in ("min", "max"):
        fn = min if name == "min" else max
        return fn(p[0] for p in parts), fn(p[1] for p in parts)
    if name == "neg":
        return -parts[0][1], -parts[0][0]
    (alo, ahi), (blo, bhi) = parts[0], parts[-1]
    if name == "-":
        return alo - bhi, ahi - blo
    if name == "*":
        corners = [a * b for a in (alo, ahi) for b in (blo, bhi)]
        return min(corners), max(corners)
    if blo <= 0:
        return None
    if name == "%":
        return 0, bhi - 1
    corners = [a // b for a in (alo, ahi) for b in (blo, bhi)]
    return min(corners), max(corners)


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
    code = compile(source, f"<podcheck:{name}>", "exec")
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
    names = _names(system)
    body = " or ".join(cond_source(e, names) for e in exprs) or "False"
    return f"def pred(s):\n{_unpack_line(system)}\n    return bool({body})\n"


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


def _facts(guard: Expr) -> dict[int, int]:
    """Variables whose value a guard fixes (`v == c` conjuncts at its top level)."""
    conjuncts = guard.args if isinstance(guard, Op) and guard.op == "and" else (guard,)
    facts = {}
    for c in conjuncts:
        if isinstance(c, Op) and c.op == "==":
            left, right = c.args
            if isinstance(left, Const):
                left, right = right, left
            if isinstance(left, Var) and isinstance(right, Const):
                facts[left.index] = right.value
    return facts


@dataclass(frozen=True, slots=True)
class _Body:
    """Source pieces of one action, in a scope where its guard holds."""

    lines: tuple[str, ...]  # compute the new values, with the domain checks needed
    values: tuple[str, ...]  # source of every variable's value in the successor
    old: tuple[str, ...]  # source of every variable's value in the pre-state


def _body(system: TransitionSystem, a: int, indent: str) -> _Body:
    """Compile action `a`'s updates (every right-hand side reads the pre-state)."""
    facts = _facts(system.actions[a].guard)
    old = [
        (str(facts[i]) if facts[i] >= 0 else f"({facts[i]})") if i in facts else f"v{i}"
        for i in range(len(system.vars))
    ]
    values, lines = list(old), []
    for index, rhs in system.actions[a].updates:
        var = system.vars[index]
        if isinstance(rhs, Const) and var.lo <= rhs.value <= var.hi:
            values[index] = value_source(rhs, old)
            continue
        values[index] = f"n{index}"
        lines.append(f"{indent}n{index} = {value_source(rhs, old)}")
        known = bounds(rhs, system)
        tests = []
        if known is None or known[0] < var.lo:
            tests.append(f"n{index} < {var.lo}")
        if known is None or known[1] > var.hi:
            tests.append(f"n{index} > {var.hi}")
        if tests:
            lines.append(f"{indent}if {' or '.join(tests)}: fail({a}, {index}, n{index})")
    return _Body(tuple(lines), tuple(values), tuple(old))


def _tuple(items: Sequence[str]) -> str:
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def successors_source(system: TransitionSystem) -> str:
    """Source of `successors(s) -> list[(action index, next state)]`."""
    names = _names(system)
    lines = ["def successors(s):", _unpack_line(system), "    out = []"]
    for a, action in enumerate(system.actions):
        body = _body(system, a, "        ")
        lines.append(f"    if {cond_source(action.guard, names)}:")
        lines += body.lines
        lines.append(f"        out.append(({a}, {_tuple(body.values)}))")
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


def _key_delta(system: TransitionSystem, packing: Packing, a: int, body: _Body) -> str:
    terms = []
    for index, _ in system.actions[a].updates:
        off = packing.offset[index]
        shift = f" << {off}" if off else ""
        terms.append(f"(({body.values[index]} - {body.old[index]}){shift})")
    return " + ".join(terms) if terms else "0"


def expander_source(
    system: TransitionSystem, packing: Packing, flagged: Sequence[Expr], *, edges: bool = False
) -> str:
    """Source of the BFS expander factory; see `compile_expander`."""
    names = _names(system)
    flag = " or ".join(cond_source(e, names) for e in flagged) or "False"
    lines = [
        "def make(seen, add, push_state, push_key, push_link, push_edges):",
        "    def expand(s, x, link):",
        "    " + _unpack_line(system),
        "        out = []" if edges else "        k = 0",
    ]
    for a, action in enumerate(system.actions):
        body = _body(system, a, "            ")
        lines.append(f"        if {cond_source(action.guard, names)}:")
        lines += [] if edges else ["            k += 1"]
        lines += body.lines
        lines.append(f"            y = x + {_key_delta(system, packing, a, body)}")
        lines += _visit_lines(a, body, edges)
    if edges:
        lines += ["        push_edges(out)", "        k = len(out)"]
    lines.append(f"        return ~k if {flag} else k" if flagged else "        return k")
    lines.append("    return expand")
    return "\n".join(lines) + "\n"


def _visit_lines(a: int, body: _Body, edges: bool) -> list[str]:
    """Remember successor key `y` if new (and with `edges`, record the edge to its id)."""
    at, inner = " " * 12, " " * 16
    push = [
        f"{inner}push_state({_tuple(body.values)})",
        f"{inner}push_key(y)",
        f"{inner}push_link(link + {a})",
    ]
    if not edges:
        return [f"{at}if y not in seen:", f"{inner}add(y)", *push]
    return [
        f"{at}t = seen.get(y)",
        f"{at}if t is None:",
        f"{inner}t = seen[y] = len(seen)",
        *push,
        f"{at}out.append(({a}, t))",
    ]


Expander = Callable[[State, int, int], int]


def compile_expander(
    system: TransitionSystem,
    packing: Packing,
    flagged: Sequence[Expr],
    seen: set[int],
    push_state: Callable[[State], None],
    push_key: Callable[[int], None],
    push_link: Callable[[int], None],
) -> Expander:
    """The BFS inner loop body for one state, as one generated function.

    `expand(s, x, link)` takes a state, its packed key and `link` (the state's id
    times the number of actions).  For every enabled action in order it computes the
    successor (domain checks raise `ModelError`), and if its key is not in `seen`,
    adds the key and calls `push_state(successor)`, `push_key(key)` and
    `push_link(link + action index)`.  It returns the number `k` of enabled actions,
    or `~k` when one of the `flagged` conditions holds in `s`.
    """
    make = _make(system, expander_source(system, packing, flagged))
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
    make = _make(system, expander_source(system, packing, flagged, edges=True))
    return make(seen, None, push_state, push_key, push_link, push_edges)


def _make(system: TransitionSystem, source: str) -> Callable[..., Expander]:
    """The expander factory `make(seen, add, push_state, push_key, push_link, push_edges)`."""
    return _exec(source, {"fail": _domain_error(system)}, "make")  # type: ignore[return-value]
