"""The markers that fence a generated part of a document:

    <!-- generated: NAME -->
    …written by devtools.contractdocs…
    <!-- end generated -->

Everything outside them is written by people and left alone."""

from __future__ import annotations

import re
from pathlib import Path

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "contract.md"
_PART = re.compile(r"(<!-- generated: (?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- end generated -->)", re.S)


class MarkerError(ValueError):
    """A generated part is missing, unknown or unclosed."""


def parts(text: str) -> dict[str, str]:
    """Each generated part's current body, by name."""
    found: dict[str, str] = {}
    for m in _PART.finditer(text):
        if m["name"] in found:
            raise MarkerError(f"the generated part '{m['name']}' appears twice")
        found[m["name"]] = m["body"]
    return found


def _known(text: str, fresh: dict[str, str]) -> dict[str, str]:
    current = parts(text)
    missing = set(fresh) - set(current)
    unknown = set(current) - set(fresh)
    if missing or unknown:
        raise MarkerError(f"docs/contract.md: markers missing for {sorted(missing)}, unknown {sorted(unknown)}")
    return current


def stale_sections(text: str, fresh: dict[str, str]) -> list[str]:
    """The names of the parts whose body differs from what the code gives now."""
    current = _known(text, fresh)
    return [name for name in fresh if current[name] != fresh[name]]


def rewrite(text: str, fresh: dict[str, str]) -> str:
    _known(text, fresh)
    return _PART.sub(lambda m: m.group(1) + fresh[m["name"]] + m.group(4), text)
