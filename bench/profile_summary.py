"""Summarise a `py-spy record --format raw` profile: the share of samples per function.

Run: `python bench/profile_summary.py PROFILE.raw [--top 12]`.  Prints, for the functions
with the most samples, the share of all samples in which the function is on the stack
(inclusive) and in which it is the innermost frame (self), as a markdown table.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path


def summarise(path: Path, top: int, by_self: bool = False) -> list[tuple[str, float, float]]:
    """(function, inclusive share, self share) of the `top` functions by inclusive (or
    self) share, among frames of podcheck and numpy."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [f.split(" (")[0] + " (" + f.split(" (")[1].split(":")[0] + ")"
                  for f in stack.split(";") if " (" in f]
        for name in set(frames):
            inclusive[name] += n
        own[frames[-1]] += n
    order = own if by_self else inclusive
    keep = [(k, v) for k, v in order.most_common() if "podcheck/" in k or "numpy" in k]
    return [(k, inclusive[k] / total, own[k] / total) for k, _ in keep[:top]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--self", dest="by_self", action="store_true", help="order by self")
    args = parser.parse_args()
    print("| function (file) | inclusive | self |\n|---|---|---|")
    for name, inc, self_ in summarise(args.profile, args.top, args.by_self):
        print(f"| {name} | {inc:.0%} | {self_:.0%} |")


if __name__ == "__main__":
    main()
