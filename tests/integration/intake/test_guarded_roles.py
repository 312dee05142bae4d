"""An owner's or police lead's role carrying a young person's contact details is refused, naming
the field, through the API and the CSV import, and nothing is stored: against a real intake,
PostgreSQL and Kafka. (The record form: tests/unit/intake/test_recordform_guard.py.)"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import sqlalchemy as sa

from services.intake.usecases.csvimport import COLUMNS
from tests.support.api import agreed_body, panel_body

ROLE = "Inspector (or text Jay, 15, on 07911 123456 / jay@gmail.com)"
DISGUISED_ROLE = "Inspector (or snap: jay_2009, or jay at gmail dot com)"


def _stored(intake, uid) -> tuple[int, int]:
    with intake.engine.connect() as conn:
        panels = conn.execute(sa.text("SELECT count(*) FROM intake_panels WHERE slug = :s"),
                              {"s": f"panel-{uid}"}).scalar()
        recs = conn.execute(sa.text("SELECT count(*) FROM intake_recommendations")).scalar()
    return panels, recs


@pytest.mark.parametrize("role", [ROLE, DISGUISED_ROLE])
def test_an_owners_role_with_contact_details_is_refused_naming_the_field(intake, uid, role):
    assert intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin).status_code == 201
    body = agreed_body(uid, dt.date.today() + dt.timedelta(days=40))
    body["commitment"]["owner"]["role"] = role
    r = intake.post("/api/v1/recommendations", json=body, headers=intake.admin)
    assert r.status_code == 422, f"the role was accepted: {r.status_code} {r.text}"
    assert [e["field"] for e in r.json()["errors"]] == ["commitment.owner.role"]
    assert "contact details" in r.json()["errors"][0]["message"]
    assert _stored(intake, uid) == (1, 0)


def test_a_police_leads_role_with_contact_details_is_refused_naming_the_field(intake, uid):
    body = panel_body(uid)
    body["police_lead"]["role"] = ROLE
    r = intake.post("/api/v1/panels", json=body, headers=intake.admin)
    assert r.status_code == 422, f"the panel was accepted: {r.status_code} {r.text}"
    assert [e["field"] for e in r.json()["errors"]] == ["police_lead.role"]
    assert _stored(intake, uid) == (0, 0)


def test_a_csv_row_whose_owner_role_has_contact_details_imports_nothing(intake, uid):
    intake.post("/api/v1/panels", json=panel_body(uid), headers=intake.admin)
    due = dt.date.today() + dt.timedelta(days=40)
    row = {c: "" for c in COLUMNS} | {
        "panel": f"panel-{uid}", "raised_on": (due - dt.timedelta(days=60)).isoformat(), "title": "Explain stops",
        "decision": "agreed", "commitment.action": "Brief officers", "commitment.done_means": "All briefed",
        "commitment.owner.role": ROLE, "commitment.owner.email": f"owner-{uid}@example.org",
        "commitment.due": due.isoformat(), "commitment.agreed_on": (due - dt.timedelta(days=50)).isoformat()}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerow(row)
    r = intake.post("/api/v1/recommendations/import", content=out.getvalue().encode(),
                    headers={**intake.admin, "Content-Type": "text/csv"})
    assert r.status_code == 422, f"the CSV was imported: {r.status_code} {r.text}"
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(2, "commitment.owner.role")]
    assert _stored(intake, uid) == (1, 0)
