"""Every email links to the recipient's own page (`/me` on the tracker that made the notice) beside
the respond link, which stays for the owner alone."""

from __future__ import annotations

import datetime as dt

from services.notifier.adapters.email_renderer import render
from services.notifier.domain.email_rules import me_url
from tests.unit.notifier.conftest import make_notice

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone.utc)
SENDER = "followthrough <noreply@example.org>"


def test_the_me_link_is_the_trackers_own_public_url():
    notice = make_notice()
    assert me_url(notice) == notice.status_url.rpartition("/panels/")[0] + "/me"
    proxied = notice.model_copy(update={"status_url": "https://force.example/followthrough/panels/north"})
    assert me_url(proxied) == "https://force.example/followthrough/me"


def test_owner_and_ladder_both_get_the_me_link_and_only_the_owner_the_respond_link():
    notice = make_notice(kind="escalation", level=2)
    link = me_url(notice)
    owner = render(notice, notice.recipients[0], SENDER, NOW)
    text, html = owner.get_body(("plain",)).get_content(), owner.get_body(("html",)).get_content()
    assert link in text and f'href="{link}"' in html
    assert notice.respond_url in text  # kept beside it
    boss = render(notice, notice.recipients[1], SENDER, NOW).get_body(("plain",)).get_content()
    assert link in boss and notice.respond_url not in boss
