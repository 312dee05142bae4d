"""The issue's second reproduction, against a real tracker process, PostgreSQL and Kafka: an
evidence link carrying a young person's contact details is refused, naming the field, and the
public API never shows it."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from services.common.clock import london_today
from tests.support.api import issue_token
from tests.support.events import agreed_event, panel_event, publish
from tests.support.procs import wait_until

LINKS = ["https://x.example/?ask=jay@gmail.com&tel=07911123456",
         "https://x.example/?ask=jay%40gmail%2Ecom",
         "https://www.instagram.com/sammy_2009/"]


@pytest.fixture
def commitment(services, stack, database_url, uid, prefix):
    """An open commitment on a running tracker, and its owner's key."""
    tracker = services("tracker")
    publish(stack.bootstrap, panel_event(uid), prefix)
    event = agreed_event(uid, london_today() + dt.timedelta(days=40))
    publish(stack.bootstrap, event, prefix)
    url = f"{tracker.url}/api/v1/commitments/{event['data']['commitment']['id']}"
    wait_until(lambda: httpx.get(url).status_code == 200)
    return url, {"Authorization": f"Bearer {issue_token(database_url, 'owner', f'o-{uid}@example.org')}"}


def test_an_evidence_link_with_contact_details_is_refused_naming_the_field(commitment):
    url, owner = commitment
    for link in LINKS:
        r = httpx.post(f"{url}/updates", headers=owner, json={
            "note": "All done", "done": True, "evidence_url": link, "summary": "Every officer was briefed."})
        assert r.status_code == 422, f"{link} was accepted: {r.status_code}"
        assert [e["field"] for e in r.json()["errors"]] == ["evidence_url"]
        assert "contact details" in r.json()["errors"][0]["message"]
    shown = httpx.get(url).text
    assert "jay" not in shown and "sammy" not in shown
    r = httpx.post(f"{url}/updates", headers=owner, json={
        "note": "All done", "done": True, "evidence_url": "https://www.police.uk/pu/news/briefing-2026/",
        "summary": "Every officer was briefed."})
    assert r.status_code == 200, r.text
