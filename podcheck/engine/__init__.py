"""The checking engines: explicit-state BFS (`bfs`), liveness over its graph, later SMT.

Stage: consumes an `ir.TransitionSystem` (from `podcheck.model`); produces a
`result.CheckResult` for `podcheck.report`.  `pycompile` turns the IR into Python once
per run; `progress` is how engines talk while they run.
"""
