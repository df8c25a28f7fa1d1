"""Python source of the slot-table expander's runs (NOTE(slot-table) in `pyslots.py`).

Stage: inside `podcheck.engine`, used by `podcheck.engine.pycompile`'s chunked expander.
Consumes a `pyslots.Plan`; produces the source of one `run{c}` function per run, the
rows of its table, and the hoisted guard parts with loops (NOTE(slot-loops)).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from podcheck.engine.pybody import PreState, facts_of, range_tests, shared_parts
from podcheck.engine.pyexpr import bounds, cond_source, value_source
from podcheck.engine.pyhoist import list_reads
from podcheck.engine.pyslots import Plan, Row, Run
from podcheck.ir import Const, Expr, Op, TransitionSystem

_VAR = re.compile(r"\bv(\d+)\b")
_SLOT = re.compile(r"\bw(\d+)\b")

def hoist(system: TransitionSystem, plan_: Plan, parts: Sequence[Expr], prefix: str
          ) -> tuple[list[str], PreState]:  # fmt: skip
    """`pycompile._hoist` of `parts` with loops (NOTE(slot-loops)): the lines computing
    them once per state into `{prefix}{k}`, and the names that read them."""
    names = PreState(len(system.vars), {})
    names.memo = plan_.memo({}, len(system.vars))
    lines = []
    for k, shared in enumerate(parts):
        lines.append(f"        {prefix}{k} = {value_source(shared, names)}")
        names.memo[id(shared)] = f"{prefix}{k}"
    return lines, names

class _Names(PreState):
    """Pre-state sources in a run's loop: position j of the member's block is `w{j}`
    (or the constant the guard fixes), other variables `v{i}`; nodes reading several
    members are rendered (or hoisted) with their own variables (`memo`)."""

    def __init__(self, size: int, facts: dict[int, int], at: dict[int, int],
                 memo: dict[int, str]) -> None:  # fmt: skip
        super().__init__(size, facts)
        self.at, self.memo = at, memo

    def __getitem__(self, i: int) -> str:  # type: ignore[override]
        if i in self.facts:
            return super().__getitem__(i)
        return f"w{self.at[i]}" if i in self.at else f"v{i}"


def mixed_sources(system: TransitionSystem, plan_: Plan, exprs: Sequence[Expr],
                  hoisted: dict[int, str]) -> dict[int, str]:  # fmt: skip
    """Per node reading several members met in `exprs` (outermost only), its source:
    the hoisted local, or its own rendering with plain variable names."""
    plain = PreState(len(system.vars), {})
    plain.memo = plan_.memo(dict(hoisted), len(system.vars))
    out: dict[int, str] = {}
    stack = list(exprs)
    while stack:
        e = stack.pop()
        if not isinstance(e, Op) or id(e) in out:
            continue
        if id(e) in plan_.mixed:
            out[id(e)] = hoisted.get(id(e)) or value_source(e, plain)
        else:
            stack.extend(e.args)
    return out


def run_source(system: TransitionSystem, plan_: Plan, run: Run, number: int,
               hoisted: dict[int, str], edges: bool, offsets: Sequence[int],
               ) -> str:  # fmt: skip
    """The function `run{number}` looping over the table `T{number}` (NOTE(slot-table))."""
    block = plan_.group.blocks[run.members[0]]
    at = {v: j for j, v in enumerate(block)}
    guards = [system.actions[run.first + t].guard for t in range(run.width)]
    common = {i: name for i, name in hoisted.items() if i in plan_.common}
    names = _Names(len(system.vars), {}, at,
                   {**mixed_sources(system, plan_, guards, hoisted), **common})
    lines: list[str] = []
    for k, part in enumerate(shared_parts(guards)):  # the member's, once per member
        if id(part) not in names.memo and id(part) not in plan_.mixed:
            lines.append(f"            q{k} = {value_source(part, names)}")
            names.memo[id(part)] = f"q{k}"
    bmemo: dict[int, tuple[int, int] | None] = {}
    for t in range(run.width):
        lines += _action(system, plan_, (run.first + t, t), at, (hoisted, names.memo),
                         edges, (bmemo, offsets))
    used = sorted({int(m) for line in lines for m in _SLOT.findall(line)})
    head = f"def run{number}(s, x, link, g, out):" if edges \
        else f"def run{number}(s, x, link, g):"
    return "\n".join([head, *_reads(lines), *list_reads(lines, "g"),
                      *([] if edges else ["        k = 0"]),
                      f"        for a, b, o, tw in T{number}:",
                      *(f"            w{j} = s[b[{j}]]" for j in used), *lines,
                      "        return None" if edges else "        return k"])


def _reads(lines: Sequence[str]) -> list[str]:
    """`vN = s[N]` for every variable the generated `lines` read by name."""
    used = sorted({int(m) for line in lines for m in _VAR.findall(line)})
    return [f"        v{i} = s[{i}]" for i in used]


def _action(system: TransitionSystem, plan_: Plan, which: tuple[int, int],
            at: dict[int, int], hoisted: tuple[dict[int, str], dict[int, str]], edges: bool,
            memos: tuple[dict[int, tuple[int, int] | None], Sequence[int]],
            ) -> list[str]:  # fmt: skip
    """The loop body's lines for the run's t-th action (of its first member, `index`);
    `hoisted`: the sources of the parts computed once per state and once per member;
    `memos`: the `bounds` memo and the packed-key offsets."""
    (index, t), (bmemo, offsets) = which, memos
    action = system.actions[index]
    exprs = [action.guard, *(e for _, e in action.updates)]
    memo = {**mixed_sources(system, plan_, exprs, hoisted[0]), **hoisted[1]}
    guard = _Names(len(system.vars), {}, at, memo)
    old = _Names(len(system.vars), facts_of(action.guard), at, dict(memo))
    ind, inner = " " * 16, " " * 20
    lines = [f"            if {cond_source(action.guard, guard)}:"]
    lines += [] if edges else [f"{ind}k += 1"]
    for k, part in enumerate(shared_parts([e for _, e in action.updates])):
        if id(part) not in old.memo:
            lines.append(f"{ind}h{k} = {value_source(part, old)}")
            old.memo[id(part)] = f"h{k}"
    new, index_of, delta = {}, {}, []
    for target, rhs in action.updates:
        var = system.vars[target]
        name, where = (f"n_{at[target]}", f"b[{at[target]}]") if target in at \
            else (f"n{target}", str(target))
        index_of[target] = where
        if isinstance(rhs, Const) and var.lo <= rhs.value <= var.hi:
            new[target] = value_source(rhs, old)
        else:
            new[target] = name
            lines.append(f"{ind}{name} = {value_source(rhs, old)}")
            lines += _domain_check(system, target, rhs, name, t, where, ind, bmemo)
        shift = f"o[{at[target]}]" if target in at else str(offsets[target])
        delta.append(f"(({new[target]} - {old[target]}) << {shift})")
    lines.append(f"{ind}y = x + {' + '.join(delta) or '0'}")
    successor = [f"{inner}u = list(s)",
                 *(f"{inner}u[{index_of[v]}] = {new[v]}" for v, _ in action.updates),
                 f"{inner}push_state(tuple(u))"]
    if edges:
        return [*lines, f"{ind}e = seen.get(y)", f"{ind}if e is None:",
                f"{inner}e = seen[y] = len(seen)", *successor, f"{inner}push_key(y)",
                f"{inner}push_link(link + a + {t})", f"{ind}out.append((a + {t}, e))"]
    return [*lines, f"{ind}if not (tw[{t}] and twin(s, tw[{t}])) and y not in seen:",
            f"{inner}add(y)", *successor, f"{inner}push_key(y)",
            f"{inner}push_link(link + a + {t})"]


def _domain_check(system: TransitionSystem, target: int, rhs: Expr, name: str, t: int,
                  where: str, ind: str,
                  bmemo: dict[int, tuple[int, int] | None]) -> list[str]:  # fmt: skip
    tests = range_tests(name, bounds(rhs, system, bmemo), system.vars[target])
    return [f"{ind}if {tests}: fail(a + {t}, {where}, {name})"] if tests else []


def table(plan_: Plan, run: Run, offsets: Sequence[int],
          skip: Mapping[int, Sequence[object]] | None) -> tuple[Row, ...]:  # fmt: skip
    """The rows of `run`'s loop: per member, its first action, block, the packed-key
    offsets (`offsets`: per variable) of its block and, per action, its twin pairs
    (NOTE(twin-successors))."""
    rows = []
    for i, m in enumerate(run.members):
        block = plan_.group.blocks[m]
        first = run.first + i * run.width
        twins = tuple(tuple(skip.get(first + t, ())) if skip else ()
                      for t in range(run.width))
        rows.append((first, tuple(block), tuple(offsets[v] for v in block), twins))
    return tuple(rows)


def twin(s: Sequence[int], pairs: Sequence[tuple[Sequence[int], Sequence[int]]]) -> bool:
    """Some pair of blocks holds equal values in `s` (the per-action code's test)."""
    return any(all(s[u] == s[w] for u, w in zip(left, right, strict=True))
               for left, right in pairs)
