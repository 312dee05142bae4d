"""Every email in the reader's language (docs/contract.md §8.4): under the Welsh Language Standards
no recipient whose language is `cy` or unknown gets an English-only email, whatever the notice's
kind; `en` recipients get the English the tracker wrote, as before."""

from __future__ import annotations

import datetime as dt
from typing import get_args

import pytest
from markupsafe import escape

from schemas import Notice
from schemas.vocabulary import NoticeKind
from services.common.i18n import locale_dir, speaking
from services.notifier.adapters.email_renderer import EmailRenderer
from services.notifier.domain.email_rules import digest_subject
from services.notifier.domain.notice_words import days
from tests.unit.notifier.conftest import make_notice

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone.utc)
SENDER = "followthrough <noreply@example.org>"
OWN = locale_dir("services/notifier/app.py")
KINDS = get_args(NoticeKind)
SAID = "Insp Rhys moved to Wrexham"  # people's words: shown as written in every language

# The tracker's English reason for each kind (services/tracker/domain/ladder.py, change_notices.py), with
# the words people wrote where the kind carries them.
REASONS = {
    "reminder": "This commitment is due on 13 November 2026, in 3 days.",
    "silent": "No progress update since 01 November 2026 (14 days).",
    "overdue": "It was due on 13 November 2026 and is not done: 11 days overdue.",
    "escalation": "It was due on 13 November 2026 and is still not done: 11 days overdue. It has now lapsed.",
    "dispute": "The youth panel disputed that this commitment was done.",
    "review": "Six months since it was agreed on 05 January 2026, and it is still open.",
    "back_on_track": "This commitment is done after it was escalated: thank you.",
    "response_due": "The police were due to agree or decline this recommendation by 13 November 2026; that was "
                    "11 days ago.",
    "handover": f"This commitment has a new owner. Reason given: {SAID}",
    "changed": f"The deadline moved from 01 November 2026 to 13 November 2026 after you were told it was late. "
               f"Reason given: {SAID}",
    "extension_request": "The owner asks to move the deadline from 13 November 2026 to 31 December 2026, further "
                         "than they may move it alone (first due 30 October 2026). Until you approve it, the first "
                         f"deadline stands. Reason given: {SAID}",
    "early_warning": f"Inspector told the panel early that this will be late, and why: {SAID} It is due on "
                     "13 November 2026, and they said so 5 days before, not after. Saying it early is what we ask "
                     "of every owner: talk with them about what they need to get it done.",
    "reopened": f"The youth panel says this promise, kept on 01 October 2026, is no longer working, so it is open "
                f"again. They said: {SAID} It is now due on 13 November 2026; the reminders and escalations start "
                "again from the first step.",
    "insisted": f"The youth panel insists on this commitment, which was withdrawn. The panel said: {SAID}",
    "extension_refused": "Your supervisor did not agree to move the deadline to 31 December 2026. The deadline "
                         "stays 13 November 2026, and the reminders and escalations go on as before.",
    "owner_unreachable": "Emails to this commitment's owner, gone@example.org, cannot be delivered, so no one is "
                         "getting its reminders. Please name a new owner: hand it over from your commitments page "
                         "(/me, linked below), or with POST /api/v1/commitments/c1/owner (role, email, reason). "
                         "Until then the youth panel's page says the owner can't be reached.",
}
KEYS = {"reminder": "reminder:0:v1:d3", "extension_request": "extension_request:1:v1:2026-12-31",
        "extension_refused": "extension_refused:0:v1:2026-12-31"}
WITH_PEOPLES_WORDS = ("handover", "changed", "extension_request", "early_warning", "reopened", "insisted")
WELSH_LABEL = "Beth wnaeth y bobl ifanc ei argymell"
ENGLISH_LABEL = "What the young people recommended"


def notice(kind: str, languages: dict[str, str] | None = None) -> Notice:
    n = make_notice(kind=kind, level=3 if kind == "escalation" else 1, reason=REASONS.get(kind, f"Because of {kind}."),
                    key=KEYS.get(kind, f"{kind}:1:v1"))
    known = (languages or {}).get("owner")
    return n.model_copy(update={"languages": {str(n.recipients[0]): known} if known else {}})


def parts(msg) -> tuple[str, str, str]:
    return (msg["Subject"], " ".join(msg.get_body(("plain",)).get_content().split()),
            " ".join(msg.get_body(("html",)).get_content().split()))


def calendar(msg) -> str:
    found = [p.get_content() for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
    return "".join(line[1:] if line.startswith(" ") else "\n" + line
                   for line in (found[0].decode() if isinstance(found[0], bytes) else found[0]).splitlines())


def test_the_reasons_cover_every_notice_kind():
    assert set(REASONS) == set(KINDS)  # a new kind must say here what the tracker writes for it


@pytest.mark.parametrize("kind", KINDS)
def test_a_welsh_reader_gets_welsh_only(kind):
    n = notice(kind, {"owner": "cy"})
    msg = EmailRenderer(welsh_standards=True).render(n, n.recipients[0], SENDER, NOW)
    subject, text, html = parts(msg)
    assert msg["Content-Language"] == "cy"
    assert subject != n.subject and subject.endswith(": Explain every stop") and " / " not in subject
    plain = " ".join(n.reason.split())
    for body, reason in ((text, plain), (html, str(escape(plain)))):
        assert WELSH_LABEL in body and ENGLISH_LABEL not in body
        assert reason not in body  # the tracker's English reason is not shown
        assert "Lefel uwchgyfeirio" in body
    assert '<html lang="cy">' in msg.get_body(("html",)).get_content()
    if kind in WITH_PEOPLES_WORDS:
        assert SAID in text, "the words people wrote reach the Welsh reason as written"
    if kind == "reminder":
        ics = calendar(msg)
        assert "SUMMARY:Dyddiad cau: Brief every officer" in ics and "Due:" not in ics


@pytest.mark.parametrize("kind", KINDS)
def test_a_reader_of_unknown_language_gets_welsh_first_then_english(kind):
    n = notice(kind)
    msg = EmailRenderer(welsh_standards=True).render(n, n.recipients[1], SENDER, NOW)
    subject, text, html = parts(msg)
    assert msg["Content-Language"] == "cy, en-GB"
    welsh, _, english = subject.partition(" / ")
    assert english == n.subject and welsh and welsh != n.subject
    plain = " ".join(n.reason.split())
    for body, reason in ((text, plain), (html, str(escape(plain)))):
        assert WELSH_LABEL in body and ENGLISH_LABEL in body and reason in body
        assert body.index(WELSH_LABEL) < body.index(reason) and body.index(WELSH_LABEL) < body.index(ENGLISH_LABEL)
    assert '<div lang="cy">' in html and '<div lang="en">' in html
    if kind == "reminder":
        ics = calendar(msg)
        assert "SUMMARY:Dyddiad cau: Brief every officer / Due: Brief every officer" in ics


@pytest.mark.parametrize("kind", KINDS)
def test_an_english_reader_gets_todays_english_whatever_the_standards(kind):
    n = notice(kind, {"owner": "en"})
    with_standards = EmailRenderer(welsh_standards=True).render(n, n.recipients[0], SENDER, NOW)
    unknown_without = EmailRenderer(welsh_standards=False).render(notice(kind), n.recipients[0], SENDER, NOW)
    subject, text, html = parts(with_standards)
    assert with_standards["Content-Language"] == unknown_without["Content-Language"] == "en-GB"
    assert subject == n.subject
    assert text.startswith(" ".join(n.reason.split())) and ENGLISH_LABEL in html and WELSH_LABEL not in text
    assert '<html lang="en">' in with_standards.get_body(("html",)).get_content()
    assert parts(with_standards) == parts(unknown_without)


def test_the_recipients_language_is_matched_whatever_the_case_of_the_address():
    n = notice("overdue")
    n = n.model_copy(update={"languages": {str(n.recipients[0]).upper(): "cy"}})
    assert EmailRenderer().render(n, n.recipients[0], SENDER, NOW)["Content-Language"] == "cy"


@pytest.mark.parametrize(("n", "welsh"), [
    (0, "Crynodeb dyddiol: dim negeseuon atgoffa gan followthrough"),
    (1, "Crynodeb dyddiol: 1 neges atgoffa gan followthrough"),
    (2, "Crynodeb dyddiol: 2 neges atgoffa gan followthrough"),
    (3, "Crynodeb dyddiol: 3 neges atgoffa gan followthrough"),
    (6, "Crynodeb dyddiol: 6 neges atgoffa gan followthrough"),
    (7, "Crynodeb dyddiol: 7 neges atgoffa gan followthrough"),
])
def test_the_digest_subject_counts_in_welsh_plural_forms(n, welsh):
    with speaking("cy", OWN):
        assert digest_subject(n) == welsh
    assert digest_subject(n) == f"Daily digest: {n} reminder{'' if n == 1 else 's'} from followthrough"


@pytest.mark.parametrize(("n", "welsh"), [(0, "0 diwrnod"), (1, "1 diwrnod"), (2, "2 ddiwrnod"), (3, "3 diwrnod"),
                                          (6, "6 diwrnod"), (7, "7 diwrnod")])
def test_days_mutate_after_two_in_welsh(n, welsh):
    with speaking("cy", OWN):
        assert days(n) == welsh


@pytest.mark.parametrize("count", [1, 2, 3, 6, 7])
def test_a_welsh_readers_digest_is_welsh(count):
    items = [notice("reminder", {"owner": "cy"}) for _ in range(count)]
    msg = EmailRenderer().render_digest(items, items[0].recipients[0], SENDER, "<d@example.org>", NOW)
    subject, text, html = parts(msg)
    assert msg["Content-Language"] == "cy"
    assert subject == f"Crynodeb dyddiol: {count} neges atgoffa gan followthrough"
    assert f"Eich negeseuon atgoffa gan followthrough heddiw ({count})" in text
    assert text.count("Mae'r addewid hwn i fod wedi'i wneud erbyn ") == count
    assert text.count(", ymhen 3 diwrnod.") == count
    assert "Your reminders" not in html and "Tudalen y panel" in html


def test_an_unknown_readers_digest_is_bilingual_under_the_standards():
    items = [notice("reminder") for _ in range(2)]
    msg = EmailRenderer(welsh_standards=True).render_digest(items, items[0].recipients[0], SENDER, "<d@x.org>", NOW)
    subject, text, _ = parts(msg)
    assert subject == ("Crynodeb dyddiol: 2 neges atgoffa gan followthrough / "
                       "Daily digest: 2 reminders from followthrough")
    assert text.index("Eich negeseuon atgoffa") < text.index("Your reminders from followthrough today (2):")
