"""The long differential limits run: no limited run reports "holds" where the full run
does not (issue 10; the quick variant is tests/reliability/test_limits_differential.py).

    python bench/limits.py [--max-full-states N]

Every spec in specs/ (and tests/reliability/data/) is run in full, then under many
`--max-states`, `--max-depth` and `--timeout` values.  Prints one JSON object: the runs
made, the exit codes seen, and every contradiction (a limited run exiting 0, or a
limited `test` passing, where the full run does not); exits 1 if there is one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from podcheck.check import CheckOptions, check_file  # noqa: E402
from podcheck.exitcodes import ExitCode  # noqa: E402
from podcheck.run import Status  # noqa: E402
from podcheck.suite import discover, outcome, parse_only  # noqa: E402

STATES = (1, 2, 3, 5, 8, 13, 21, 50, 100, 300, 1000, 3000)
DEPTHS = (0, 1, 2, 3, 4, 6, 8, 12, 20)
TIMEOUTS = (0.0, 0.01, 0.05, 0.2, 1.0)


def limits() -> list[tuple[str, CheckOptions]]:
    """Every limited configuration tried."""
    return ([(f"max-states={n}", CheckOptions(max_states=n)) for n in STATES]
            + [(f"max-depth={d}", CheckOptions(max_depth=d)) for d in DEPTHS]
            + [(f"timeout={t}", CheckOptions(timeout_seconds=t)) for t in TIMEOUTS])


def main() -> int:
    """Run the differential check; print the JSON summary."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-full-states", type=int, default=200_000)
    args = parser.parse_args()
    specs = [p for p in discover([str(ROOT / "specs"), str(ROOT / "tests/reliability/data")])
             if not parse_only(p)]
    runs, codes, bad, skipped = 0, Counter[str](), [], []
    for path in specs:
        whole = check_file(path, CheckOptions(max_states=args.max_full_states))
        if whole.result is None or not whole.complete:
            skipped.append(path)
            continue
        full_pass = outcome(path, whole).status is Status.PASS
        for name, options in limits():
            limited = check_file(path, options)
            runs += 1
            codes[str(int(limited.exit_code))] += 1
            if limited.exit_code is ExitCode.OK and whole.exit_code is not ExitCode.OK:
                bad.append({"spec": path, "limit": name, "what": "check exit 0"})
            if outcome(path, limited).status is Status.PASS and not full_pass:
                bad.append({"spec": path, "limit": name, "what": "test passes"})
    print(json.dumps({"specs": len(specs) - len(skipped), "skipped": skipped, "runs": runs,
                      "exit_codes": dict(codes), "contradictions": bad}, indent=1))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
