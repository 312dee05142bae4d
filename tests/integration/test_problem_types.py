"""RFC 9457 problem types, checked on the real intake and tracker: every error response in
both OpenAPI documents is `application/problem+json`; every registered kind's type URI is a
page (200, HTML); and one live answer per kind (where a client can reach it) has the
problem content type, a type URI that resolves, the kind's stable title and `status` equal
to the HTTP status. A validation problem names each field as a JSON Pointer."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
import uuid
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa

from services.common import problems
from services.common.clock import london_today
from services.common.db import make_engine
from tests.support.api import agreed_body, issue_token, panel_body
from tests.support.stack import REPO

pytestmark = pytest.mark.stack
PROBLEM_JSON = "application/problem+json"
SECRET = "a-test-secret-that-is-long-enough-to-be-strong"
# Each service's public URL starts its type URIs; the test resolves their paths on the service itself.
PUBLIC = {"intake": "https://intake.example.org", "tracker": "https://tracker.example.org"}


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def site(services, database_url, uid):
    intake = services("intake", FOLLOWTHROUGH_SECRET_KEY=SECRET, FOLLOWTHROUGH_INTAKE_PUBLIC_URL=PUBLIC["intake"])
    tracker = services("tracker", FOLLOWTHROUGH_SECRET_KEY=SECRET, FOLLOWTHROUGH_PUBLIC_URL=PUBLIC["tracker"],
                       FOLLOWTHROUGH_PAGE_RATE_LIMIT="1000/minute", FOLLOWTHROUGH_VERDICT_RATE_LIMIT="1000/minute")
    admin = _bearer(issue_token(database_url))
    panel = httpx.post(f"{intake.url}/api/v1/panels", json=panel_body(uid), headers=admin)
    assert panel.status_code == 201
    r = httpx.post(f"{intake.url}/api/v1/recommendations", headers=admin,
                   json=agreed_body(uid, london_today() + dt.timedelta(days=30)))
    cid = r.json()["commitment_id"]
    deadline = time.monotonic() + 30
    while httpx.get(f"{tracker.url}/api/v1/commitments/{cid}").status_code != 200:
        assert time.monotonic() < deadline, "the commitment never reached the tracker"
        time.sleep(0.2)
    return intake.url, tracker.url, admin, cid, panel.json()["access_code"]


def _expired_and_revoked(database_url: str) -> tuple[dict, dict]:
    expired = issue_token(database_url, "admin", "old@example.org")
    with make_engine(database_url).begin() as conn:
        conn.execute(sa.text("UPDATE api_tokens SET expires_at = :t WHERE id = :id"),
                     {"t": dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), "id": expired.split("_")[1]})
    revoked = issue_token(database_url, "admin", "gone@example.org")
    subprocess.run([sys.executable, "-m", "services.cli", "token", "revoke", revoked.split("_")[1]], cwd=REPO,
                   env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}, check=True, capture_output=True)
    return _bearer(expired), _bearer(revoked)


def check_problem(r: httpx.Response, kind: str | None, public: str = "") -> dict:
    """`kind` None: `about:blank`, titled by the status phrase. `public`: the answering service's
    public URL, which starts the type URI."""
    assert r.headers["content-type"] == PROBLEM_JSON, (r.status_code, r.text)
    body = r.json()
    assert body["status"] == r.status_code
    if kind is None:
        assert body["type"] == "about:blank" and body["title"] == problems.blank(r.status_code).title
        return body
    expected = problems.KINDS[kind]
    assert (body["type"], body["title"], r.status_code) == \
        (f"{public}/problems/{kind}", expected.title, expected.status), body
    page = httpx.get(str(r.url.copy_with(path=urlsplit(body["type"]).path, query=None)))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert expected.title in page.text
    return body


def test_every_error_in_both_openapi_documents_is_a_problem(site):
    intake, tracker, *_ = site
    for base in (intake, tracker):
        doc = httpx.get(f"{base}/openapi.json").json()
        errors = [(path, method, code, response)
                  for path, operations in doc["paths"].items() for method, operation in operations.items()
                  for code, response in operation["responses"].items() if code[0] in "45"]
        assert any(code == "422" for _, _, code, _ in errors)
        for path, method, code, response in errors:
            assert list(response["content"]) == [PROBLEM_JSON], (base, path, method, code)
            assert response["content"][PROBLEM_JSON]["schema"] == {"$ref": "#/components/schemas/Problem"}
        assert "HTTPValidationError" not in doc["components"]["schemas"]


def test_every_kind_has_its_page_on_each_service(site):
    intake, tracker, *_ = site
    for base in (intake, tracker):
        for slug, kind in problems.KINDS.items():
            r = httpx.get(f"{base}/problems/{slug}")
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), (base, slug)
            assert kind.title in r.text and kind.todo.split("`")[0][:20] in r.text
        public = PUBLIC["intake" if base == intake else "tracker"]
        check_problem(httpx.get(f"{base}/problems/no-such-kind"), "not-found", public)


def test_one_live_answer_per_kind(site, database_url, uid):
    intake, tracker, admin, cid, code = site
    expired, revoked = _expired_and_revoked(database_url)
    rec_url = f"{intake}/api/v1/recommendations"
    seen: set[str] = set()

    def expect(kind: str | None, r: httpx.Response) -> dict:
        seen.add(kind or "about:blank")
        return check_problem(r, kind, PUBLIC["intake" if str(r.url).startswith(intake) else "tracker"])

    # invalid-request: each field as a JSON Pointer, with its message (and the older field/fix keys)
    bad = agreed_body(uid, london_today() + dt.timedelta(days=30))
    bad["commitment"]["due"] = "next tuesday"
    body = expect("invalid-request", httpx.post(rec_url, json=bad, headers=admin))
    assert {"pointer": "/commitment/due", "field": "commitment.due"}.items() <= body["errors"][0].items()
    assert body["errors"][0]["message"] and body["errors"][0]["fix"]

    expect("unauthenticated", httpx.post(rec_url, json=bad))
    expect("invalid-token", httpx.post(rec_url, json=bad, headers=_bearer("ft_nope_nope")))
    expect("token-expired", httpx.post(rec_url, json=bad, headers=expired))
    expect("token-revoked", httpx.post(rec_url, json=bad, headers=revoked))
    owner = _bearer(issue_token(database_url, "owner", f"o-{uid}@example.org"))
    expect("forbidden", httpx.post(f"{intake}/api/v1/panels", json=panel_body(uid + "y"), headers=owner))
    body = expect("already-exists", httpx.post(f"{intake}/api/v1/panels", json=panel_body(uid), headers=admin))
    assert body["errors"][0]["pointer"] == "/slug"

    pending = httpx.post(rec_url, headers=admin, json={
        "panel": f"panel-{uid}", "raised_on": london_today().isoformat(), "title": "Publish the numbers",
        "detail": "", "themes": ["trust"], "decision": "pending"}).json()["recommendation_id"]
    decline = {"decision": "declined", "decline_reason": "We cannot fund it this year; we will look again in April."}
    assert httpx.post(f"{rec_url}/{pending}/decision", json=decline, headers=admin).status_code == 201
    expect("already-decided", httpx.post(f"{rec_url}/{pending}/decision", json=decline, headers=admin))
    expect("not-found", httpx.post(f"{rec_url}/{uuid.uuid4()}/decision", json=decline, headers=admin))

    key = {**admin, "Idempotency-Key": str(uuid.uuid4())}
    assert httpx.post(f"{intake}/api/v1/panels", json=panel_body(uid + "k"), headers=key).status_code == 201
    expect("idempotency-key-reused", httpx.post(f"{intake}/api/v1/panels", json=panel_body(uid + "j"), headers=key))
    body = expect("idempotency-key-too-long",
                  httpx.post(f"{intake}/api/v1/panels", json=panel_body(uid + "l"),
                             headers={**admin, "Idempotency-Key": "k" * 300}))
    assert body["errors"][0]["header"] == "Idempotency-Key"
    csv = {**admin, "Content-Type": "text/csv"}
    expect("not-utf8", httpx.post(f"{rec_url}/import", content=b"panel\n\xff\xfe\n", headers=csv))
    body = expect("csv-not-imported", httpx.post(f"{rec_url}/import", content=b"panel,title\nx,y\n", headers=csv))
    assert body["errors"][0]["row"] and "pointer" not in body["errors"][0]

    commitment = f"{tracker}/api/v1/commitments/{cid}"
    expect("not-found", httpx.get(f"{tracker}/api/v1/commitments/{uuid.uuid4()}"))
    expect("incomplete", httpx.post(f"{commitment}/updates", headers=admin,
                                    json={"note": "All done.", "done": True}))
    expect("not-possible-now", httpx.post(f"{commitment}/extensions", headers=admin,
                                          json={"new_due": str(london_today() - dt.timedelta(days=30)),
                                                "reason": "Too late."}))
    expect("forbidden", httpx.post(f"{commitment}/updates", headers=owner, json={"note": "Mine now."}))
    # The panel's answer to the decision (before the wrong codes below lock the panel's answers).
    rec_id = httpx.get(commitment).json()["recommendation_id"]
    reply_url = f"{tracker}/api/v1/recommendations/{rec_id}/reply"
    answer = {"comment": "We agree.", "access_code": code}
    body = expect("reply-does-not-fit", httpx.post(reply_url, json={**answer, "reply": "insist"}))
    assert body["errors"][0]["pointer"] == "/reply"
    assert httpx.post(reply_url, json={**answer, "reply": "accept"}).status_code == 201
    expect("already-answered", httpx.post(reply_url, json={**answer, "reply": "accept"}))
    verdict = {"verdict": "disputed", "comment": "Not done yet", "access_code": "not-the-code"}
    body = expect("wrong-access-code", httpx.post(f"{commitment}/verdict", json=verdict))
    assert body["errors"][0]["pointer"] == "/access_code"
    for _ in range(12):
        r = httpx.post(f"{commitment}/verdict", json=verdict)
    body = expect("too-many-attempts", r)
    assert int(r.headers["Retry-After"]) > 0

    expect("body-too-large", httpx.post(f"{tracker}/api/v1/panels/panel-{uid}/pulse", content=b" " * 1_000_001,
                                        headers={"Content-Type": "application/json"}))
    expect(None, httpx.get(f"{tracker}/no-such-page"))
    expect(None, httpx.delete(f"{tracker}/api/v1/commitments"))

    # The ones a client cannot reach here without a special setting are checked below.
    # server-error: no request a client sends should reach it; tests/unit/common/test_server_errors.py
    # raises one in each service.
    unreached = set(problems.KINDS) - seen - {"rate-limited", "server-error"}
    assert not unreached, f"no live answer checked for {sorted(unreached)}"


def test_rate_limited_is_a_problem_of_its_kind(services, uid):
    tracker = services("tracker", FOLLOWTHROUGH_PAGE_RATE_LIMIT="2/minute")  # its public URL: the default
    answers = [httpx.get(f"{tracker.url}/register") for _ in range(3)]
    assert [a.status_code for a in answers[:2]] == [200, 200]
    check_problem(answers[2], "rate-limited", "http://127.0.0.1:8002")
    assert int(answers[2].headers["Retry-After"]) > 0
