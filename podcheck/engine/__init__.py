"""The checking engines: explicit-state BFS (`bfs`), liveness over its graph, later SMT.

Stage: consumes an `ir.TransitionSystem` (from `podcheck.model`); produces a
`result.CheckResult` for `podcheck.report`.  `pycompile` turns the IR into Python once
per run; `progress` is the `Reporter` protocol through which engines hand over their
progress while they run.  Engines write no prose: each verdict carries a structured
`result.Reason`, which `podcheck.report.words` puts into words.
"""
