"""A header value is one line whatever the notice carries (Python's email package
refuses a line break in a header, and raised out of the sender: the row stayed
`sending` and was re-claimed every lease, forever)."""

from __future__ import annotations

import datetime as dt

from services.notifier.adapters.email_renderer import render
from tests.unit.notifier.conftest import make_notice

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone.utc)


def test_line_breaks_in_a_subject_fold_to_one_space():
    notice = make_notice(subject="Overdue: Explain\nevery\u2028stop\x85to\r\n\u2029the\tyoung people")
    msg = render(notice, notice.recipients[0], "followthrough <noreply@example.org>", NOW)
    assert msg["Subject"] == "Overdue: Explain every stop to the young people"
    raw = msg.as_bytes().decode()
    assert "Subject: Overdue: Explain every stop to the young people\r\n" in raw


def test_header_value_keeps_ordinary_text_and_drops_controls_at_the_ends():
    from services.notifier.domain.email_rules import header_value

    assert header_value("Respect – and trust") == "Respect – and trust"
    assert header_value("\u2028 Late\x00\x1f ") == "Late"


def test_an_early_warning_and_a_reopening_render_with_their_words_and_the_owners_link():
    """The two notices of "Closing the loop" (issue 17) are notices like any other: the credit for the
    early warning, and the panel's words on a reopened promise, reach the email."""
    for kind, reason in (("early_warning", "Inspector told the panel early that this will be late, and why: "
                                           "the trainer is off sick."),
                         ("reopened", "The youth panel says this promise is no longer working, so it is open again.")):
        notice = make_notice(kind=kind, reason=reason, level=1)
        msg = render(notice, notice.recipients[0], "followthrough <noreply@example.org>", NOW)
        text = msg.get_body(("plain",)).get_content()
        assert " ".join(reason.split()[:6]) in " ".join(text.split())
        assert notice.respond_url and notice.respond_url in text


def test_every_notice_kind_renders_as_text_and_html_with_its_reason():
    from typing import get_args

    from schemas.vocabulary import NoticeKind

    for kind in get_args(NoticeKind):
        notice = make_notice(kind=kind, reason=f"Because of {kind}.", level=1)
        msg = render(notice, notice.recipients[0], "followthrough <noreply@example.org>", NOW)
        assert f"Because of {kind}." in msg.get_body(("plain",)).get_content()
        assert f"Because of {kind}." in msg.get_body(("html",)).get_content()


def test_the_supervisor_asked_for_a_new_owner_gets_the_route_and_not_the_owners_link():
    reason = ("Emails to this commitment's owner, gone@example.org, cannot be delivered. Please name a new owner: "
              "hand it over with POST /api/v1/commitments/c1/owner (role, email, reason).")
    notice = make_notice(kind="owner_unreachable", reason=reason, level=1)
    msg = render(notice, notice.recipients[0], "followthrough <noreply@example.org>", NOW)
    text = " ".join(msg.get_body(("plain",)).get_content().split())
    assert "gone@example.org" in text and "POST /api/v1/commitments/c1/owner" in text
    assert notice.respond_url and notice.respond_url not in text
