"""Three police leads sign in to a real tracker (`followthrough tracker`, real Kafka and PostgreSQL)
through a real OpenID provider's own login page, in Chromium at 390 px with JavaScript off: the owner,
their supervisor and a board member each see exactly their part on `/me` (a screenshot each in
test-artifacts/screenshots); the supervisor approves the later deadline the owner asked for, from
`/me`; and signing out ends the session, so the old cookie only leads back to `/signin`
(docs/contract.md §8.1)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from services.common.clock import SYSTEM
from services.common.db import make_engine
from tests.conftest import ARTIFACTS
from tests.support.events import agreed_event, panel_event, publish
from tests.support.procs import wait_until
from tests.support.services import ServiceProcess

TODAY = SYSTEM.today()
LATE_DUE = TODAY - dt.timedelta(days=20)
EXTENDED = LATE_DUE + dt.timedelta(days=200)
COOKIE = "ft_staff_tracker"


def _people(uid: str) -> dict[str, str]:
    # Mixed case on purpose: a person is their address, matched case-insensitively.
    return {"owner": f"Olu.Owner-{uid}@Example.org", "supervisor": f"sam.supervisor-{uid}@example.org",
            "board": f"BEA.Board-{uid}@example.org", "other": f"other-{uid}@example.org"}


def _commitment(uid: str, title: str, due: dt.date, owner: str, supervisor: str, board: str) -> dict:
    """A `recommendation.agreed` event with its own title and ladder, so each lead's part differs."""
    event = agreed_event(uid, due, agreed_on=TODAY - dt.timedelta(days=40), owner=owner.lower())
    event["data"]["recommendation"]["title"] = title
    event["data"]["commitment"]["escalation"].update(supervisor=supervisor.lower(), board=board.lower())
    return event


def _seed(uid: str) -> tuple[list[dict], dict[str, list[str]]]:
    """Four commitments: which titles each of owner, supervisor and board must see (and no others)."""
    p = _people(uid)
    far = TODAY + dt.timedelta(days=90)
    rows = [
        ("Brief every officer on stop and search", LATE_DUE, p["owner"], p["supervisor"], p["board"]),
        ("Publish stop figures each month", far, p["owner"], p["other"], p["board"]),
        ("Visit the youth club every term", far, p["other"], p["supervisor"], p["other"]),
        ("Review complaints with the panel", far, p["other"], p["other"], p["board"]),
    ]
    events = [_commitment(uid, *row) for row in rows]
    titles = [row[0] for row in rows]
    parts = {"owner": titles[0:2], "supervisor": [titles[0], titles[2]], "board": [titles[0], titles[1], titles[3]]}
    return events, parts


def _accounts(uid: str) -> list[dict]:
    return [{"id": who, "email": email, "email_verified": True, "tid": "tenant-a", "roles": [],
             "name": who.title()} for who, email in _people(uid).items() if who != "other"]


@pytest.fixture
def tracker(stack, service_env, database_url, oidc_provider, prefix, uid):
    (ARTIFACTS / "logs").mkdir(parents=True, exist_ok=True)
    proc = ServiceProcess("tracker", dict(service_env), ARTIFACTS / "logs")
    provider = oidc_provider(_accounts(uid), [f"{proc.url}/signin/callback"])
    proc.env.update(provider.env(followthrough_oidc_allowed_tenants="tenant-a"), FOLLOWTHROUGH_PUBLIC_URL=proc.url)
    proc.start()
    events, parts = _seed(uid)
    for event in [panel_event(uid), *events]:
        publish(stack.bootstrap, event, prefix)
    engine = make_engine(database_url)
    count = sa.text("SELECT count(*) FROM tracker_commitments")
    wait_until(lambda: _scalar(engine, count) == len(events), timeout=60)
    late_id = events[0]["data"]["commitment"]["id"]
    yield proc, engine, parts, late_id
    proc.stop()
    engine.dispose()


def _scalar(engine, query):
    with engine.connect() as conn:
        return conn.execute(query).scalar()


def _sign_in(browser, url: str, account: str):
    """A fresh browser at 390 px, signed in as `account` on the provider's own login page."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(f"{url}/signin")
    page.get_by_role("link", name="Sign in with your force account").click()
    assert page.url.startswith("http://127.0.0.1:") and not page.url.startswith(url), page.url
    page.locator("input[name=login]").fill(account)
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(f"{url}/me")
    return page


def _titles(page) -> list[str]:
    return page.locator("li.card h3").all_inner_texts()


def test_three_leads_sign_in_at_the_provider_see_their_parts_and_sign_out(browser, tracker, shots):
    proc, engine, parts, late_id = tracker
    for who in ("owner", "supervisor", "board"):
        page = _sign_in(browser, proc.url, who)
        assert sorted(_titles(page)) == sorted(parts[who]), who
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), who
        page.screenshot(path=str(shots / f"staff-{who}-390.png"), full_page=True)
        if who != "owner":
            page.context.close()
            continue
        page.locator(f"#c-{late_id}").get_by_role("link").click()
        page.get_by_label("New deadline").fill(EXTENDED.isoformat())
        page.get_by_label("Why? The panel will see this.").first.fill("The training budget comes in May")
        page.get_by_role("button", name="Ask for the new deadline").click()
        assert "your boss is asked to approve it" in page.inner_text("[role=status]")
        page.context.close()

    boss = _sign_in(browser, proc.url, "supervisor")
    card = boss.locator(f"#c-{late_id}")
    assert "Asked to move to" in card.inner_text()
    card.get_by_role("link").click()
    assert "The training budget comes in May" in boss.inner_text("main")
    boss.get_by_role("button", name="Approve the new deadline").click()
    assert "everyone already told hear of it" in boss.inner_text("[role=status]")
    due = sa.text("SELECT due FROM tracker_commitments WHERE id = :c").bindparams(c=late_id)
    assert _scalar(engine, due) == EXTENDED

    old = [c for c in boss.context.cookies() if c["name"] == COOKIE]
    assert len(old) == 1, "signed in, yet no session cookie"
    boss.goto(f"{proc.url}/signin")
    boss.get_by_role("button", name="Sign out").click()
    assert "You are signed out" in boss.inner_text("main")
    boss.context.add_cookies(old)  # the cookie as it was before signing out, put back
    boss.goto(f"{proc.url}/me")
    assert boss.url == f"{proc.url}/signin", "the old cookie still opens /me after signing out"
    assert "Sign in with your force account" in boss.inner_text("main")
    boss.context.close()
