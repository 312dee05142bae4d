"""Which language each notice recipient reads (contract §8.4): the commitment's owner and ladder,
the panel's police lead and ladder; unknown people are left out, and a handed-over commitment's
new owner is not taken to read the first owner's language."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from services.tracker.adapters.notice_languages import known_languages

LADDER = {"supervisor": "sup@example.org", "senior_lead": "senior@example.org", "board": "board@example.org"}


def _row(handovers=0, owner_language="cy", languages=None):
    return SimpleNamespace(owner_email="Owner@Example.org", owner_language=owner_language, handovers=handovers,
                           escalation={**LADDER, "languages": languages or {"supervisor": "en"}})


def _panel(lead_language="cy", languages=None):
    return SimpleNamespace(police_lead={"role": "Inspector", "email": "lead@example.org", "language": lead_language},
                           escalation={**LADDER, "languages": languages or {}})


def test_the_owner_and_the_commitments_leads_whose_language_is_known():
    recipients = ["owner@example.org", "sup@example.org", "board@example.org"]
    assert known_languages(recipients, _row(), None) == {"owner@example.org": "cy", "sup@example.org": "en"}


def test_after_a_handover_the_owners_language_is_not_known():
    assert known_languages(["Owner@Example.org"], _row(handovers=1), None) == {}


def test_a_pending_recommendation_uses_the_panels_police_lead_and_ladder():
    panel = _panel(languages={"senior_lead": "cy"})
    got = known_languages(["lead@example.org", "senior@example.org", "board@example.org"], None, panel)
    assert got == {"lead@example.org": "cy", "senior@example.org": "cy"}


def test_the_commitments_ladder_wins_over_the_panels():
    got = known_languages(["sup@example.org"], _row(languages={"supervisor": "en"}),
                          _panel(languages={"supervisor": "cy"}))
    assert got == {"sup@example.org": "en"}


@given(st.lists(st.sampled_from(["owner@example.org", "sup@example.org", "x@example.org", "lead@example.org"])),
       st.sampled_from([None, "en", "cy", "fr"]))
def test_only_recipients_are_named_and_only_with_en_or_cy(recipients, language):
    got = known_languages(recipients, _row(owner_language=language), _panel(lead_language=language))
    assert set(got) <= set(recipients) and set(got.values()) <= {"en", "cy"}
    assert "x@example.org" not in got
