"""Renderers of engine results: text (`text`), ITF JSON (`itf`), later SARIF and JUnit.

Stage: the last one.  Consumes a `podcheck.engine.result.CheckResult` (or one
`Trace`); produces strings.  Renderers never decide anything: every verdict, trace and
count comes from the engine, and the output is deterministic unless timings are asked
for.
"""
