"""The Welsh and the bilingual emails pass the W3C Nu Html Checker with 0 errors, as the English one
does (tests/integration/test_html_valid.py): a notice of every kind, and the digest."""

from __future__ import annotations

import datetime as dt
from typing import get_args

from schemas.vocabulary import NoticeKind
from services.notifier.adapters.email_renderer import EmailRenderer
from tests.support import vnu
from tests.unit.notifier.conftest import make_notice

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone.utc)
SENDER = "followthrough <noreply@example.org>"


def test_welsh_and_bilingual_email_pass_the_nu_html_checker():
    renderer, pages = EmailRenderer(welsh_standards=True), {}
    for kind in get_args(NoticeKind):
        n = make_notice(kind=kind, level=1, reason=f"Because of <{kind}> & more.")
        n = n.model_copy(update={"languages": {str(n.recipients[0]): "cy"}})
        for who, recipient in (("welsh", n.recipients[0]), ("bilingual", n.recipients[1])):
            pages[f"{kind} {who}"] = renderer.render(n, recipient, SENDER, NOW).get_body(("html",)).get_content()
    reminders = [make_notice(kind="reminder", level=0) for _ in range(3)]
    digest = renderer.render_digest(reminders, reminders[0].recipients[0], SENDER, "<d@example.org>", NOW)
    pages["digest bilingual"] = digest.get_body(("html",)).get_content()
    assert '<div lang="cy">' in pages["digest bilingual"]
    assert vnu.check(pages) == {}
