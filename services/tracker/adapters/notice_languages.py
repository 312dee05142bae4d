"""Which language each of a notice's recipients reads, where it is known (contract §8.4): the
commitment's owner and ladder first, then the panel's police lead and ladder. Pure."""

from __future__ import annotations

from typing import Iterable

from services.tracker.adapters.rows import CommitmentRow, PanelRow

LANGUAGES = ("en", "cy")
LEADS = ("supervisor", "senior_lead", "board")


def known_languages(recipients: Iterable[str], row: CommitmentRow | None,
                    panel: PanelRow | None) -> dict[str, str]:
    """{recipient: "en" | "cy"} for each recipient whose language is known; the others are left out."""
    known: dict[str, str] = {}
    if row is not None:
        if not row.handovers:  # the language recorded was the first owner's, not a new owner's
            _add(known, row.owner_email, getattr(row, "owner_language", None))
        _add_ladder(known, row.escalation)
    if panel is not None:
        lead = panel.police_lead or {}
        _add(known, lead.get("email"), lead.get("language"))
        _add_ladder(known, panel.escalation)
    return {r: known[r.lower()] for r in recipients if r.lower() in known}


def _add_ladder(known: dict[str, str], escalation: dict | None) -> None:
    escalation = escalation or {}
    languages = escalation.get("languages") or {}
    for place in LEADS:
        _add(known, escalation.get(place), languages.get(place))


def _add(known: dict[str, str], email: str | None, language: str | None) -> None:
    if email and language in LANGUAGES:
        known.setdefault(email.lower(), language)
