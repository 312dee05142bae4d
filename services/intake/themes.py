"""The theme list: the default one, plus any themes the policy file adds."""

from __future__ import annotations

from pathlib import Path

import yaml

from schemas.models import DEFAULT_THEMES


def themes_from_policy(path: str | None) -> tuple[str, ...]:
    if not path:
        return DEFAULT_THEMES
    doc = yaml.safe_load(Path(path).read_text()) or {}
    extra = (doc.get("default") or {}).get("themes") or []
    return DEFAULT_THEMES + tuple(t for t in extra if t not in DEFAULT_THEMES)
