"""Summarise a py-spy raw profile (collapsed stacks): the frames with the most
samples on the stack (inclusive) and on top (self), followthrough's and others'.

Run: .venv/bin/python -m bench.profile_top RUN_DIR/profile-tracker.txt [N]"""

from __future__ import annotations

import sys
from collections import Counter


def top(path: str, n: int = 15) -> str:
    inclusive, own, total = Counter(), Counter(), 0
    for line in open(path, encoding="utf-8", errors="replace"):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f.strip() for f in stack.split(";")]
        frames = [f for f in frames if not f.startswith("process ") and not f.startswith("thread ")]
        if not frames:
            continue
        k = int(count)
        total += k
        for f in set(frames):
            inclusive[_short(f)] += k
        own[_short(frames[-1])] += k
    lines = [f"{total} samples (non-idle)", "inclusive:"]
    lines += [f"  {100 * c / total:5.1f}%  {f}" for f, c in inclusive.most_common(n)]
    lines += ["self:"] + [f"  {100 * c / total:5.1f}%  {f}" for f, c in own.most_common(n)]
    return "\n".join(lines)


def _short(frame: str) -> str:
    """`handle_many (services/tracker/usecases/ingest.py:52)` without the line number and site-packages path."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    for cut in ("site-packages/", "/lib/python3.11/"):
        if cut in where:
            where = where.split(cut, 1)[1]
    return f"{name} ({where})"


if __name__ == "__main__":
    print(top(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 15))
