"""Every HTML page of intake and tracker, and the notifier's email, passes the W3C Nu Html
Checker with 0 errors. The pages come from the real services on the real stack, in the
states people see: a panel page with every state of a promise and the trust pulse shown,
a form sent back with its error, the respond and approval pages, the register, the session
pack, sign-in step by step, the record form (empty and with errors), the message pages and
every problem type's page.

To add a page: add one `pages[...] = ...` line in `_tracker_pages` or `_intake_pages`."""

from __future__ import annotations

import datetime as dt
import re
import time

import httpx
import pytest

from services.common import problems
from services.tracker.adapters.links import ApprovalLinks, RespondLinks
from tests.support import vnu
from tests.support.api import issue_token, panel_body
from tests.support.events import ladder
from tests.support.every_state import seed_every_state
from tests.support.services import ServiceProcess

pytestmark = pytest.mark.stack
SECRET = "a-test-secret-that-is-long-enough-to-be-strong"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _ok(r: httpx.Response, status: int = 200) -> str:
    assert r.status_code == status and r.headers["content-type"].startswith("text/html"), (r.url, r.status_code)
    return r.text


def _wait(ok, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ok():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.3)


def _tracker_pages(url: str, stack, database_url: str, uid: str, prefix: str) -> dict[str, str]:
    """The panel's promises in every state, then each tracker page."""
    seeded = seed_every_state(url, stack, database_url, uid, prefix)
    late, waiting, kept, code, today = seeded.late, seeded.waiting, seeded.kept, seeded.code, seeded.today
    extended, far = seeded.extended, seeded.far
    for i in range(5):  # enough answers for the trust pulse to be shown
        assert httpx.post(f"{url}/api/v1/panels/panel-{uid}/pulse",
                          json={"access_code": code, "trust": 1 + i, "kept": "yes"}).status_code == 201

    _owner_unreachable(database_url, late, today)

    panel = f"{url}/panels/panel-{uid}"
    owner = seeded.owner
    pages: dict[str, str] = {}
    with httpx.Client() as browser:  # keeps the CSRF cookie, as a browser does
        pages["tracker panel page"] = _ok(browser.get(panel))
        token = CSRF.search(pages["tracker panel page"]).group(1)
        wrong = browser.post(f"{panel}/commitments/{waiting}/verdict",
                             data={"verdict": "disputed", "comment": "Not done yet", "access_code": "not-the-code",
                                   "csrf": token})
        pages["tracker panel page with a form error"] = _ok(wrong, 403)
        pages["tracker panel page after an answer"] = _ok(browser.get(f"{panel}?done=confirmed&show={kept}"))
        respond = RespondLinks(SECRET, url).url(late, owner)
        pages["tracker respond page"] = _ok(browser.get(respond))
        token = CSRF.search(pages["tracker respond page"]).group(1)
        empty = browser.post(respond.split("?")[0],
                             data={"token": respond.split("token=")[1], "csrf": token, "action": "update", "note": ""})
        pages["tracker respond page with a form error"] = _ok(empty, empty.status_code)
    approve = ApprovalLinks(SECRET, url).url_for(extended, ladder(uid).supervisor, far)
    pages["tracker approval page"] = _ok(httpx.get(approve))
    pages["tracker message page (a bad link)"] = _ok(httpx.get(f"{url}/commitments/{late}/respond?token=x"), 403)
    pages["tracker register"] = _ok(httpx.get(f"{url}/register"))
    pages["tracker session pack"] = _ok(httpx.get(f"{panel}/session"))
    for shown in ("tracker panel page", "tracker respond page", "tracker register"):
        assert "can't be reached" in pages[shown] or "could not be delivered" in pages[shown], shown
    return pages


def _owner_unreachable(database_url: str, commitment_id: str, today: dt.date) -> None:
    """The late promise's owner can't be reached (the notifier's refusal sets this, tests/e2e/
    test_owner_unreachable.py): so the flag's words are checked on every page that shows them."""
    import sqlalchemy as sa

    from services.common.db import make_engine

    with make_engine(database_url).begin() as conn:
        conn.execute(sa.text("UPDATE tracker_commitments SET owner_unreachable_since = :d WHERE id = :id"),
                     {"d": today, "id": commitment_id})


def _intake_pages(url: str, database_url: str, smtp, uid: str) -> dict[str, str]:
    admin = {"Authorization": f"Bearer {issue_token(database_url)}"}
    assert httpx.post(f"{url}/api/v1/panels", json=panel_body(uid), headers=admin).status_code == 201
    email = f"youth.worker-{uid}@example.org"
    issue_token(database_url, "facilitator", email, panel=f"panel-{uid}")
    pages: dict[str, str] = {}
    with httpx.Client(follow_redirects=True) as browser:
        pages["intake sign-in"] = _ok(browser.get(f"{url}/signin"))
        token = CSRF.search(pages["intake sign-in"]).group(1)
        pages["intake sign-in: link sent"] = _ok(browser.post(f"{url}/signin", data={"email": email, "csrf": token}))
        _wait(lambda: any(email in c.envelope_to for c in smtp.snapshot()), "the sign-in email", 20)
        caught = next(c for c in smtp.snapshot() if email in c.envelope_to)
        link = re.search(r"(http://\S+/signin/link\?key=\S+)", caught.message.get_content()).group(1)
        pages["intake sign-in: confirm the link"] = _ok(browser.get(link))
        token = CSRF.search(pages["intake sign-in: confirm the link"]).group(1)
        signed_in = browser.post(f"{url}/signin/link", data={"key": link.split("key=")[1], "csrf": token})
        pages["intake record form"] = _ok(signed_in)
        token = CSRF.search(pages["intake record form"]).group(1)
        invalid = browser.post(f"{url}/panels/panel-{uid}/record", data={
            "csrf": token, "date": "not a date", "action": "record", "r0.title": "Tell us why",
            "r0.decision": "agreed", "r0.commitment.due": "next spring"})
        pages["intake record form with errors"] = _ok(invalid, invalid.status_code)
        pages["intake panel chooser"] = _ok(browser.get(f"{url}/record"))
    pages["intake message page (a used or bad link)"] = _ok(httpx.get(f"{url}/signin/link?key=nope"),
                                                            httpx.get(f"{url}/signin/link?key=nope").status_code)
    return pages


def _problem_pages(url: str, service: str) -> dict[str, str]:
    return {f"{service} problem page {slug}": _ok(httpx.get(f"{url}/problems/{slug}")) for slug in problems.KINDS}


def test_every_page_and_the_email_pass_the_nu_html_checker(services, service_env, stack, database_url, smtp,
                                                          uid, prefix):
    vnu.classpath()  # fetched once, before the services start
    tracker = services("tracker", FOLLOWTHROUGH_SECRET_KEY=SECRET)
    services("notifier", FOLLOWTHROUGH_SECRET_KEY=SECRET)
    intake = ServiceProcess("intake", {**service_env, "FOLLOWTHROUGH_SECRET_KEY": SECRET},
                            tracker.log_path.parent)
    intake.env["FOLLOWTHROUGH_INTAKE_PUBLIC_URL"] = intake.url  # the sign-in link comes back here
    intake.start()
    try:
        pages = _tracker_pages(tracker.url, stack, database_url, uid, prefix)
        pages |= _intake_pages(intake.url, database_url, smtp, uid)
        pages |= _problem_pages(tracker.url, "tracker") | _problem_pages(intake.url, "intake")
        # The late promise's notice, emailed by the notifier.
        _wait(lambda: any(c.part("html") for c in smtp.snapshot() if "signin" not in c.part("plain")),
              "a notice email with HTML", 90)
        for n, caught in enumerate(c for c in smtp.snapshot() if c.part("html")):
            pages[f"email {n}: {caught.message['Subject']}"] = caught.part("html")
    finally:
        intake.stop()
    assert any(name.startswith("email") for name in pages)
    errors = vnu.check(pages)
    print(f"\nNu Html Checker: {len(pages)} pages, {sum(map(len, errors.values()))} errors")
    assert not errors, "\n".join(f"{name}:\n  " + "\n  ".join(found) for name, found in errors.items())
