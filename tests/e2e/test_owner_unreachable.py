"""An owner who has gone is noticed (contract §5), through all three services on a quiet system.

The SMTP server refuses (550) every address with "refused" in it, as a mail server does for a
mailbox that no longer exists: the notifier gives up on it at once and says `notice.failed`.
When that address is the commitment's owner, the supervisor is asked, once, to name a new one;
the panel's page says so; a handover clears it, and a new owner who cannot be reached either is
a new episode, with a new email."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time

import httpx

from services.common.clock import london_today
from tests.support.api import agreed_body, issue_token, panel_body

FLAG_WORDS = "can't be reached"
SUBJECT = "This commitment needs a new owner"


def _to(smtp, address: str) -> list:
    return [m for m in smtp.snapshot() if address in m.envelope_to]


def _wait(predicate, within: float = 20.0):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if got := predicate():
            return got
        time.sleep(0.2)
    return predicate()


def _needs_owner(smtp, supervisor: str) -> list:
    return [m for m in _to(smtp, supervisor) if m.message["Subject"].startswith(SUBJECT)]


def _flag(tracker, commitment_id: str):
    return httpx.get(f"{tracker.url}/api/v1/commitments/{commitment_id}").json()["owner_unreachable_since"]


def _registered(tracker, cid: str) -> tuple[str, str]:
    """The register's HTML, and the commitment's owner_unreachable_since cell in its CSV."""
    rows = csv.DictReader(io.StringIO(httpx.get(f"{tracker.url}/register.csv").text))
    (cell,) = [r["owner_unreachable_since"] for r in rows if r["commitment_id"] == cid]
    return httpx.get(f"{tracker.url}/register").text, cell


def test_an_owner_whose_mail_is_refused_is_flagged_once_and_a_handover_clears_it(
        services, database_url, smtp, uid):
    intake, tracker = services("intake"), services("tracker")
    services("notifier")
    auth = {"Authorization": f"Bearer {issue_token(database_url)}"}
    assert httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(uid), headers=auth).status_code == 201
    owner, supervisor = f"refused-owner-{uid}@example.org", f"supervisor-{uid}@example.org"
    body = agreed_body(uid, london_today() - dt.timedelta(days=10))
    body["commitment"]["owner"]["email"] = owner
    r = httpx.post(f"{intake.url}/api/v1/recommendations", json=body, headers=auth)
    assert r.status_code == 201, r.text
    cid = r.json()["commitment_id"]

    # The overdue notice reaches the supervisor; the owner's copy is refused, and the supervisor is
    # asked for a new owner, naming the address that failed and the handover route.
    asked = _wait(lambda: _needs_owner(smtp, supervisor))
    assert len(asked) == 1, [m.message["Subject"] for m in _to(smtp, supervisor)]
    text = asked[0].part("plain")
    assert owner in text and f"/api/v1/commitments/{cid}/owner" in text
    assert _wait(lambda: _flag(tracker, cid)) == london_today().isoformat()
    page = httpx.get(f"{tracker.url}/panels/panel-{uid}").text
    assert FLAG_WORDS in page
    html, cell = _registered(tracker, cid)
    assert "Needs a new owner" in html and cell == london_today().isoformat()

    # The owner's mail fails again (the deadline moved after they were told it was late): no second ask.
    moved = httpx.post(f"{tracker.url}/api/v1/commitments/{cid}/extensions", headers=auth,
                       json={"new_due": (london_today() + dt.timedelta(days=20)).isoformat(),
                             "reason": "The briefing is booked for next month."})
    assert moved.status_code == 200, moved.text
    assert _wait(lambda: [m for m in _to(smtp, supervisor) if "Changed after escalation" in m.message["Subject"]])
    time.sleep(3)
    assert len(_needs_owner(smtp, supervisor)) == 1

    # The supervisor hands it over (the owner has gone, so it is theirs to do): the flag clears and the
    # page no longer says it.
    boss = {"Authorization": f"Bearer {issue_token(database_url, role='owner', email=supervisor)}"}
    handed = httpx.post(f"{tracker.url}/api/v1/commitments/{cid}/owner", headers=boss,
                        json={"role": "Inspector, response", "email": f"new-owner-{uid}@example.org",
                              "reason": "The first owner left the force."})
    assert handed.status_code == 200, handed.text
    assert handed.json()["owner_unreachable_since"] is None
    assert _wait(lambda: _to(smtp, f"new-owner-{uid}@example.org"))
    time.sleep(2)  # the old owner's copy of the handover fails too: they no longer own it, so no flag
    assert _flag(tracker, cid) is None
    assert FLAG_WORDS not in httpx.get(f"{tracker.url}/panels/panel-{uid}").text
    html, cell = _registered(tracker, cid)
    assert cell == ""
    assert len(_needs_owner(smtp, supervisor)) == 1

    # A new owner who cannot be reached either: a new episode, a new ask.
    again = httpx.post(f"{tracker.url}/api/v1/commitments/{cid}/owner", headers=auth,
                       json={"role": "Sergeant, response", "email": f"refused-second-{uid}@example.org",
                             "reason": "The new inspector moved on."})
    assert again.status_code == 200, again.text
    asked = _wait(lambda: [m for m in _needs_owner(smtp, supervisor) if f"refused-second-{uid}" in m.part("plain")])
    assert len(asked) == 1
    assert len(_needs_owner(smtp, supervisor)) == 2
    for m in smtp.snapshot():
        if uid in " ".join(m.envelope_to):
            print("EMAIL", m.envelope_to, m.message["Subject"])
