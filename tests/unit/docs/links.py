"""Relative links in the repository's Markdown, for the docs tests."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def relative_links(doc: Path) -> list[str]:
    """Each link target in `doc` that is a path in the repository (no scheme, no bare anchor)."""
    text = _FENCE.sub("", doc.read_text())
    targets = [t for t in _LINK.findall(text) if not re.match(r"[a-z]+:", t) and not t.startswith("#")]
    return [t.split("#", 1)[0] for t in targets]


def resolve(doc: Path, target: str) -> Path:
    return (doc.parent / target).resolve()
