"""The YAML policy: validated with a clear error, per panel, and copied onto
each commitment when agreed, so later edits change only new commitments."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import select

from schemas import parse_event
from schemas.policy import Policy, PolicyError, load_policy_file
from services.common.db import make_engine
from services.tracker.adapters.store import commitments
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.bootstrap import migrate
from services.tracker.usecases.ingest import Handlers
from tests.support.events import agreed_event


def write(tmp_path, text: str):
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return path


def test_a_valid_file_with_a_panel_override(tmp_path):
    pf = load_policy_file(write(tmp_path, """
default:
  reminder_days_before: [7]
  update_every_days: 21
panels:
  mentoring-cohort:
    escalate_after_days: [7, 21]
"""))
    assert pf.default.reminder_days_before == (7,)
    assert pf.for_panel("mentoring-cohort").escalate_after_days == (7, 21)
    assert pf.for_panel("mentoring-cohort").reminder_days_before == (7,)
    assert pf.for_panel("elsewhere") == pf.default


@pytest.mark.parametrize("text,names", [
    ("default:\n  escalate_after_days: [28, 14]\n", "escalate_after_days"),
    ("default:\n  update_every_days: 0\n", "default.update_every_days"),
    ("default:\n  day_count: fortnights\n", "default.day_count"),
    ("defaults:\n  update_every_days: 10\n", "defaults"),
    ("panels:\n  p1:\n    confirm_within_days: -1\n", "confirm_within_days"),
    ("default: [unclosed\n", "cannot read"),
])
def test_a_bad_file_is_refused_naming_the_field(tmp_path, text, names):
    with pytest.raises(PolicyError, match=names.replace(".", r"\.")):
        load_policy_file(write(tmp_path, text))


def test_the_policy_in_force_is_copied_onto_the_commitment(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    migrate(engine)
    strict = load_policy_file(write(tmp_path, "default:\n  escalate_after_days: [5, 10]\n"))
    Handlers(SqlStorage(engine), strict).handle(
        *parse_event(json.dumps(agreed_event("a", dt.date(2026, 12, 1))).encode()))
    # The policy file is edited; the commitment already agreed keeps its ladder.
    Handlers(SqlStorage(engine), load_policy_file(None)).handle(
        *parse_event(json.dumps(agreed_event("b", dt.date(2026, 12, 1))).encode()))
    with engine.connect() as conn:
        rows = {r.panel: r.policy for r in conn.execute(select(commitments))}
    assert Policy.model_validate(rows["panel-a"]).escalate_after_days == (5, 10)
    assert Policy.model_validate(rows["panel-b"]).escalate_after_days == (14, 28)


def test_the_same_event_twice_is_applied_once(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    migrate(engine)
    raw = json.dumps(agreed_event(uuid.uuid4().hex[:6], dt.date(2026, 12, 1))).encode()
    handlers = Handlers(SqlStorage(engine), load_policy_file(None))
    for _ in range(3):
        handlers.handle(*parse_event(raw))
    with engine.connect() as conn:
        assert len(conn.execute(select(commitments)).all()) == 1
