"""Load the example into a running stack and print where to look.

Run by `make demo` (devtools/demo/launch.py); it stays alive afterwards, because the
supervisor stops everything when one process exits."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import time
from pathlib import Path

import httpx

from devtools.demo import history, staff
from devtools.demo.example import FOLLOW_UPS, PANELS, REPLIES, recommendations
from services.common import tokens
from services.common.clock import london_today, utcnow
from services.common.db import make_engine
from services.common.migrate import upgrade_common
from services.common.settings import CommonSettings
from services.intake.adapters.storage import SqlStorage
from services.intake.usecases.signin import LINK_MINUTES, new_link

INTAKE = os.environ.get("INTAKE_URL", "http://127.0.0.1:8001")
TRACKER = os.environ.get("TRACKER_URL", "http://127.0.0.1:8002")
NOTIFIER = os.environ.get("NOTIFIER_URL", "http://127.0.0.1:8003")
WEBHOOKS = os.environ.get("WEBHOOKS_URL", "http://127.0.0.1:8004")
RECEIVER = os.environ.get("RECEIVER_URL", "http://127.0.0.1:8005")
MAIL = os.environ.get("MAIL_URL", "http://127.0.0.1:8025")
FACILITATOR = "youth.worker@example.org"
FACILITATOR_PANEL = "mentoring-cohort"


def wait_ready(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    sys.exit(f"{url} did not become ready in {timeout} s")


def load() -> tuple[dict[str, str], dict]:
    """Load the example, its webhook subscription first (so the receiver hears all of it); the
    panels' access codes and the subscription."""
    engine = make_engine(CommonSettings().database_url)
    upgrade_common(engine)
    headers = {"Authorization": f"Bearer {tokens.issue(engine, 'admin', email='demo@example.org')}"}
    subscription = subscribe(headers)
    codes = {}
    for panel in PANELS:
        r = httpx.post(f"{INTAKE}/api/v1/panels", json=panel, headers=headers)
        r.raise_for_status()
        codes[panel["slug"]] = r.json()["access_code"]
    titles = {}
    for i, rec in enumerate(recommendations(london_today())):
        r = httpx.post(f"{INTAKE}/api/v1/recommendations", json=rec,
                       headers={**headers, "Idempotency-Key": f"demo-{i}"})
        r.raise_for_status()
        titles[rec["title"]] = (r.json()["commitment_id"], rec["panel"], r.json()["recommendation_id"])
    follow_up(headers, codes, titles)
    answer_decisions(codes, titles)
    load_history(headers)
    return codes, {**subscription, "state": subscription_state(headers, subscription["id"])}


def subscribe(headers: dict) -> dict:
    """Subscribe the demo's receiver to every public event through the webhooks API (contract
    §8.3), as an admin would, and hand it the secret, which the API shows this once. The
    webhooks service then asks the receiver's consent (the handshake) before it sends anything."""
    r = httpx.post(f"{WEBHOOKS}/api/v1/subscriptions", headers=headers,
                   json={"url": f"{RECEIVER}/events", "types": ["*"], "signature": "v1"})
    r.raise_for_status()
    subscription = r.json()
    secret_file = Path(os.environ.get("FOLLOWTHROUGH_RUN_DIR", ".run/demo")) / "webhook-secret"
    secret_file.parent.mkdir(parents=True, exist_ok=True)
    secret_file.touch(mode=0o600)
    secret_file.write_text(subscription["secret"] + "\n")
    return subscription


def subscription_state(headers: dict, sub_id: str, timeout: float = 20) -> str:
    """The subscription's state once the handshake is done (`active`), or as it stands after `timeout`."""
    deadline, state = time.monotonic() + timeout, "unknown"
    while time.monotonic() < deadline:
        answer = httpx.get(f"{WEBHOOKS}/api/v1/subscriptions", headers=headers).json()
        rows = answer.get("subscriptions", answer) if isinstance(answer, dict) else answer
        state = next((s.get("state", state) for s in rows if s.get("id") == sub_id), state)
        if state != "confirming":
            return state
        time.sleep(0.5)
    return state


def webhooks_summary(subscription: dict) -> None:
    """Where the webhook deliveries go and how to look at them."""
    state = subscription["state"]
    print(f"\nWebhooks (docs/integrators.md, \"Receiving our webhooks\"): the receiver at {RECEIVER}/events is")
    print(f"  subscribed to every public event (subscription {subscription['id']}, signature v1, {state}).")
    if state == "active":
        print("  It agreed in the handshake, and verifies each delivery with the standardwebhooks package.")
    else:
        print(f"  Its handshake is not done yet ({state}): the webhooks service's lines say why.")
    print("  What it receives is in this window, on the lines that start with \"receiver\". Subscriptions and")
    print("  their attempts, with an admin token (followthrough token issue --role admin --email you@example.org):")
    print(f"  GET {WEBHOOKS}/api/v1/subscriptions and .../{subscription['id']}/attempts")


def load_history(headers: dict) -> None:
    """Two quarters of backdated history (devtools/demo/history.py), so the report has a trend."""
    from services.tracker.bootstrap import bootstrap

    today, ids = london_today(), {}
    for i, rec in enumerate(history.recommendations(today)):
        r = httpx.post(f"{INTAKE}/api/v1/recommendations", json=rec,
                       headers={**headers, "Idempotency-Key": f"demo-history-{i}"})
        r.raise_for_status()
        if r.json().get("commitment_id"):
            ids[rec["title"]] = r.json()["commitment_id"]
    for cid in ids.values():
        wait_for(f"{TRACKER}/api/v1/commitments/{cid}")
    tracker = bootstrap(run_migrations=False)
    history.replay_steps(tracker, ids, today)
    history.pulse_answers(tracker, today)
    tracker.engine.dispose()


def report_period(today) -> str:
    """The year that holds the history's months (devtools/demo/history.py: about 95 to 190 days back), so
    the printed report has a trend to show; the quarter's own is a click away (its `?` forms)."""
    return str((today - dt.timedelta(days=95)).year)


def answer_decisions(codes: dict, titles: dict) -> None:
    """The panels answer police decisions, as a panel would from its page (contract §5 "Closing the loop")."""
    for title, reply, comment, counter in REPLIES:
        _, panel, rid = titles[title]
        wait_for(f"{TRACKER}/api/v1/recommendations/{rid}")
        body = {"reply": reply, "comment": comment, "access_code": codes[panel]}
        if counter:
            body["title"] = counter
        httpx.post(f"{TRACKER}/api/v1/recommendations/{rid}/reply", json=body).raise_for_status()


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while httpx.get(url).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.5)


def facilitator_link() -> str:
    """A facilitator for the mentoring cohort, and a sign-in link for them (as if they had asked
    at /signin; asking there sends the next one to the mail catcher)."""
    engine = make_engine(CommonSettings().database_url)
    tokens.issue(engine, "facilitator", email=FACILITATOR, panel=FACILITATOR_PANEL)
    secret, _ = new_link(SqlStorage(engine), FACILITATOR, utcnow())
    return f"{INTAKE}/signin/link?key={secret}"


def follow_up(headers: dict, codes: dict, titles: dict) -> None:
    """Act as police and panel would, through the tracker's API, once it has the commitments."""
    for title, police, panel_answer in FOLLOW_UPS:
        cid, panel, _ = titles[title]
        url = f"{TRACKER}/api/v1/commitments/{cid}"
        wait_for(url)
        if police == "done":
            body = {"note": "Done", "done": True, "evidence_note": "Shown at the panel meeting",
                    "summary": "We did what we promised; please check."}
            httpx.post(f"{url}/updates", json=body, headers=headers).raise_for_status()
            verdict = "confirmed" if panel_answer == "reopen" else panel_answer
            httpx.post(f"{url}/verdict", json={"verdict": verdict, "comment": "From the panel's meeting",
                                               "access_code": codes[panel]}).raise_for_status()
            if panel_answer == "reopen":  # weeks later it stopped working, and the panel said so
                httpx.post(f"{url}/reopen", json={"access_code": codes[panel], "comment":
                           "Officers stopped explaining why they stop us again this term."}).raise_for_status()
        elif police == "withdraw":
            httpx.post(f"{url}/withdrawal", headers=headers,
                       json={"reason": "The leaflet is replaced by a card officers already hand out."},
                        ).raise_for_status()
        elif police == "delay":  # before the due date: the supervisor hears of it, with credit for the warning
            httpx.post(f"{url}/updates", headers=headers, json={
                "note": "Two of the three boroughs have sessions booked.", "track": "significant_delay",
                "delay_reason": "The third borough's training plan is rewritten in spring; we will add the session "
                                "then."}).raise_for_status()
        else:
            httpx.post(f"{url}/updates", json={"note": "Patrol times agreed for two of the three schools.",
                                               "percent": 60}, headers=headers).raise_for_status()


def wait_answers(url: str, timeout: float = 30) -> None:
    """Until `url` answers at all (the provider starts beside the services, not before them)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.5)


def force_signin() -> None:
    """How to sign in as each example police lead, or why the force sign-in is off."""
    off, issuer = os.environ.get("DEMO_FORCE_SIGNIN_OFF"), os.environ.get("FOLLOWTHROUGH_OIDC_ISSUER")
    if off or not issuer:
        print(f"\nThe force sign-in is off: {off or 'no provider was started'}. Staff use the email link.")
        return
    wait_answers(f"{issuer}/.well-known/openid-configuration")
    print(f"\nSign in as a police lead with the force's account (the example provider at {issuer}):")
    print(f"  open {TRACKER}/signin, choose \"Sign in with your force account\", then log in with")
    for login, email, sees in staff.ACCOUNTS:
        print(f"  login {login!r:18} password {staff.PASSWORD!r} ({email}): /me shows {sees}")


def main() -> None:
    for url in (INTAKE, TRACKER, NOTIFIER, WEBHOOKS):
        wait_ready(url)
    codes, subscription = load()
    # The facilitator's links come before the summary: tests/e2e/test_demo.py opens every
    # address printed after "demo is running:" and expects seven.
    print(f"\nRecord a session as the mentoring cohort's youth worker ({FACILITATOR}, no password):")
    print(f"  sign in (works once, for {LINK_MINUTES} minutes): {facilitator_link()}")
    print(f"  a new link any time:   {INTAKE}/signin (the email arrives at the mail catcher)")
    print(f"  then record at:        {INTAKE}/panels/{FACILITATOR_PANEL}/record")
    force_signin()
    webhooks_summary(subscription)
    print("\nfollowthrough demo is running:", flush=True)
    print(f"  a panel's page:        {TRACKER}/panels/mentoring-cohort")
    print(f"  a Welsh panel's page:  {TRACKER}/panels/panel-ieuenctid-caerdydd (Cymraeg; ?lang=en for English)")
    print(f"  the public register:   {TRACKER}/register")
    print(f"  the board's report:    {TRACKER}/reports/{report_period(london_today())} (.pdf and .csv too; "
          "two quarters of history)")
    print(f"  tracker API docs:      {TRACKER}/docs")
    print(f"  intake API docs:       {INTAKE}/docs")
    print(f"  caught emails:         {MAIL}/")
    for slug, code in codes.items():
        print(f"  access code of {slug + ':':20} {code} (the panel types it on its page, in capitals or small "
              "letters; the device then remembers it)")
    print("Press Ctrl-C to stop everything.", flush=True)
    signal.pause()


if __name__ == "__main__":
    main()
