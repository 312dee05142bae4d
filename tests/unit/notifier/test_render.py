"""A header value is one line whatever the notice carries (Python's email package
refuses a line break in a header, and raised out of the sender: the row stayed
`sending` and was re-claimed every lease, forever)."""

from __future__ import annotations

import datetime as dt

from services.notifier.render import render
from tests.unit.notifier.conftest import make_notice

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone.utc)


def test_line_breaks_in_a_subject_fold_to_one_space():
    notice = make_notice(subject="Overdue: Explain\nevery\u2028stop\x85to\r\n\u2029the\tyoung people")
    msg = render(notice, notice.recipients[0], "followthrough <noreply@example.org>", NOW)
    assert msg["Subject"] == "Overdue: Explain every stop to the young people"
    raw = msg.as_bytes().decode()
    assert "Subject: Overdue: Explain every stop to the young people\r\n" in raw


def test_header_value_keeps_ordinary_text_and_drops_controls_at_the_ends():
    from services.notifier.render import header_value

    assert header_value("Respect – and trust") == "Respect – and trust"
    assert header_value("\u2028 Late\x00\x1f ") == "Late"
