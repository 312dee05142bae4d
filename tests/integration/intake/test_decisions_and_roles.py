"""Pending recommendations get decided; every write refuses the wrong caller."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.api import agreed_body, issue_token, panel_body
from tests.support.topics import read

FUTURE = dt.date.today() + dt.timedelta(days=60)


def _pending(uid: str) -> dict:
    return {"panel": f"panel-{uid}", "raised_on": "2026-01-14", "title": "Publish stop and search numbers",
            "detail": "", "themes": ["trust"], "decision": "pending", "respond_within_days": 30}


def test_a_pending_recommendation_is_agreed_later_and_cannot_be_decided_twice(intake, stack, uid, topic):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    r = intake.post("/api/v1/recommendations", json=_pending(uid), headers=intake.admin)
    assert r.status_code == 201 and r.json()["commitment_id"] is None
    rec_id = r.json()["recommendation_id"]

    commitment = agreed_body(uid, FUTURE)["commitment"]
    r = intake.post(f"/api/v1/recommendations/{rec_id}/decision", json={"decision": "agreed", "commitment": commitment},
                    headers=intake.admin)
    assert r.status_code == 201, r.text
    commitment_id = r.json()["commitment_id"]
    again = intake.post(f"/api/v1/recommendations/{rec_id}/decision",
                        json={"decision": "declined", "decline_reason": "changed our minds"}, headers=intake.admin)
    assert again.status_code == 409

    events = read(stack.bootstrap, topic("followthrough.recommendations"), where=lambda e: e.get("subject") == rec_id,
                  until=lambda f: len(f) >= 2, timeout=10)
    assert [e["type"] for e in events] == ["recommendation.recorded", "recommendation.agreed"]
    assert events[0]["data"]["respond_by"] == "2026-02-13"  # raised on 14 January, 30 days to answer
    assert events[1]["data"]["commitment"]["id"] == commitment_id


def test_the_response_clock_runs_from_the_day_the_panel_raised_it(intake, stack, uid, topic):
    """Recording a backlog late must not give the police a fresh clock."""
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    raised = dt.date.today() - dt.timedelta(days=10)
    body = {**_pending(uid), "raised_on": raised.isoformat(), "respond_within_days": 7}
    rec_id = intake.post("/api/v1/recommendations", json=body, headers=intake.admin).json()["recommendation_id"]
    (event,) = read(stack.bootstrap, topic("followthrough.recommendations"), where=lambda e: e.get("subject") == rec_id,
                    until=lambda f: len(f) >= 1, timeout=10)
    assert event["data"]["respond_by"] == (raised + dt.timedelta(days=7)).isoformat()


def test_declining_needs_a_reason(intake, uid):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    rec_id = intake.post("/api/v1/recommendations", json=_pending(uid),
                         headers=intake.admin).json()["recommendation_id"]
    r = intake.post(f"/api/v1/recommendations/{rec_id}/decision", json={"decision": "declined"}, headers=intake.admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "decline_reason"
    assert intake.post("/api/v1/recommendations/nope/decision", json={"decision": "declined", "decline_reason": "x"},
                       headers=intake.admin).status_code == 404


WRITES = [
    ("panels", lambda uid, rec: ("/api/v1/panels", {"json": panel_body(uid + "x")})),
    ("recommendations", lambda uid, rec: ("/api/v1/recommendations", {"json": agreed_body(uid, FUTURE)})),
    ("decision", lambda uid, rec: (f"/api/v1/recommendations/{rec}/decision",
                                   {"json": {"decision": "declined", "decline_reason": "no"}})),
    ("import", lambda uid, rec: ("/api/v1/recommendations/import",
                                 {"content": b"panel,raised_on,title,decision,decline_reason\n"
                                             + f"panel-{uid},2026-01-14,T,declined,no\n".encode(),
                                  "headers": {"Content-Type": "text/csv"}})),
]


@pytest.mark.parametrize("endpoint", [w[0] for w in WRITES])
def test_every_write_refuses_no_token_wrong_role_and_another_panels_facilitator(intake, uid, endpoint):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    rec = intake.post("/api/v1/recommendations", json=_pending(uid), headers=intake.admin).json()["recommendation_id"]
    path, kwargs = dict(WRITES)[endpoint](uid, rec)
    extra = kwargs.pop("headers", {})

    def call(token: str | None):
        headers = {**extra, **({"Authorization": f"Bearer {token}"} if token else {})}
        return intake.post(path, headers=headers, **kwargs)

    assert call(None).status_code == 401
    assert call("ft_nope_nope").status_code == 401
    owner = issue_token(intake.database_url, "owner", "o@example.org")
    assert call(owner).status_code == 403
    elsewhere = issue_token(intake.database_url, "facilitator", "f@example.org", panel="some-other-panel")
    assert call(elsewhere).status_code == 403
    own = issue_token(intake.database_url, "facilitator", "f@example.org", panel=f"panel-{uid}")
    assert call(own).status_code == (403 if endpoint == "panels" else 201)
