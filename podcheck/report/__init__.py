"""Renderers: every word podcheck prints about a run, later SARIF and JUnit too.

Stage: the last one.  Consumes values only: engine results (`CheckResult`, `Trace`,
the `Reason` of each verdict, `StateGraph`), the drivers' `podcheck.run` values
(`CheckRun`, `SuiteResult`) and the engine's progress calls; produces strings.
`words` (reasons and counts in words), `text` (traces, summary), `itf` (ITF JSON
traces, run documents), `run` (a whole `check` run), `suite` (`podcheck test`),
`graph` (DOT/GraphML/JSON, SVG), `progress` (the rich progress reporter).  Renderers
never decide anything: every verdict, trace and count comes from the engine, and the
output is deterministic unless timings are asked for.  They import no driver,
compiler or parser (tests/architecture/test_imports.py).
"""
