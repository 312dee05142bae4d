"""The recording use cases' rules, on the in-memory storage (tests/unit/intake/fakes.py): what
is stored and published, what is refused and that a refusal leaves nothing behind. The same use
cases on PostgreSQL, through HTTP: tests/integration/intake/."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.policy import PolicyFile
from services.common import accesscode
from services.common.tokens import Principal
from services.intake.domain.idempotencykeys import KeyReused
from services.intake.domain.submissions import DecisionIn, PanelIn, RecommendationIn
from services.intake.usecases import csvimport, record
from services.intake.usecases.errors import AlreadyDecided, AlreadyExists, Invalid, NotFound, OutsidePanel
from tests.unit.intake.fakes import FakeStorage

NOW = dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone.utc)
URL = "https://followthrough.example.org"
ADMIN = Principal("adm", "admin", "admin@example.org", None)
FACILITATOR = Principal("fac", "facilitator", "f@example.org", "p1")
POLICIES = PolicyFile()
THEMES = POLICIES.themes()
PANEL = {"slug": "p1", "name": "Panel One", "area": "North", "police_lead": {"role": "Inspector",
         "email": "lead@example.org"}, "escalation": {"supervisor": "sup@example.org",
         "senior_lead": "senior@example.org", "board": "board@example.org"}}
COMMITMENT = {"action": "Brief every officer", "done_means": "All briefed",
              "owner": {"role": "Inspector", "email": "owner@example.org"}, "due": "2026-06-30"}


def _rec(**changes) -> RecommendationIn:
    doc = {"panel": "p1", "raised_on": "2026-02-20", "title": "Say why you stop us", "decision": "pending",
           **changes}
    return RecommendationIn.model_validate(doc)


_REGISTERED = FakeStorage()
record.register_panel(_REGISTERED, PanelIn.model_validate(PANEL), NOW, key=None, caller="adm", public_url=URL)


def _registered() -> FakeStorage:
    """Storage holding panel p1 (registered once: its code's scrypt verifier takes a while)."""
    storage = FakeStorage()
    storage.state = copy.deepcopy(_REGISTERED.state)
    return storage


@pytest.fixture
def storage() -> FakeStorage:
    return _registered()


def _record(storage, req, who=ADMIN, key=None):
    return record.record_one(storage, req, NOW, who=who, key=key, policies=POLICIES, themes=THEMES, public_url=URL)


def test_a_panel_is_stored_with_a_verifier_of_its_code_and_announced():
    storage = FakeStorage()
    status, body = record.register_panel(storage, PanelIn.model_validate(PANEL), NOW, key="k", caller="adm",
                                         public_url=URL)
    assert status == 201 and body["status_url"] == f"{URL}/panels/p1"
    kept = storage.state.panels["p1"]["access_code_sha256"]
    assert body["access_code"] not in kept and accesscode.matches(body["access_code"], kept)
    (event,) = storage.events("panel.registered")
    assert event["data"]["panel"]["access_code_hash"] == kept


def test_a_repeated_registration_gets_the_first_answer_without_the_code():
    storage = FakeStorage()
    first = record.register_panel(storage, PanelIn.model_validate(PANEL), NOW, key="k", caller="adm", public_url=URL)
    again = record.register_panel(storage, PanelIn.model_validate(PANEL), NOW, key="k", caller="adm", public_url=URL)
    assert "access_code" in first[1] and "access_code" not in again[1] and "rotate-code" in again[1]["note"]
    assert len(storage.events("panel.registered")) == 1


def test_a_taken_slug_is_refused_naming_the_field_and_nothing_is_published(storage):
    with pytest.raises(AlreadyExists) as refused:
        record.register_panel(storage, PanelIn.model_validate({**PANEL, "name": "Other"}), NOW, key=None,
                              caller="adm", public_url=URL)
    assert refused.value.field == "slug"
    assert storage.state.panels["p1"]["name"] == "Panel One" and len(storage.events()) == 1


def test_a_pending_recommendation_gets_its_answer_date_from_the_day_it_was_raised(storage):
    _, body = _record(storage, _rec(respond_within_days=10))
    row = storage.state.recommendations[body["recommendation_id"]]
    assert row["decision"] == "pending" and row["respond_by"] == dt.date(2026, 3, 2)
    (event,) = storage.events("recommendation.recorded")
    assert event["data"]["respond_by"] == "2026-03-02" and body["commitment_id"] is None


@settings(max_examples=40, deadline=None)
@given(st.dates(dt.date(2020, 1, 1), dt.date(2026, 3, 1)), st.one_of(st.none(), st.integers(1, 365)))
def test_the_police_have_the_policy_s_days_from_the_panel_s_day(raised_on, days):
    storage = _registered()
    _, body = _record(storage, _rec(raised_on=raised_on.isoformat(), respond_within_days=days))
    expected = raised_on + dt.timedelta(days=days or POLICIES.default.respond_within_days)
    assert storage.state.recommendations[body["recommendation_id"]]["respond_by"] == expected


def test_an_agreed_recommendation_carries_its_commitment_on_the_panel_s_ladder(storage):
    _, body = _record(storage, _rec(decision="agreed", commitment=COMMITMENT))
    row = storage.state.recommendations[body["recommendation_id"]]
    assert row["commitment_id"] == body["commitment_id"]
    assert row["commitment"]["escalation"]["board"] == "board@example.org"
    assert row["commitment"]["agreed_on"] == "2026-03-02"  # today in London, by default
    assert row["commitment"]["update_every_days"] == POLICIES.default.update_every_days
    assert storage.events("recommendation.agreed")[0]["data"]["commitment"]["id"] == body["commitment_id"]


def test_an_agreement_dated_in_the_future_is_refused_and_nothing_is_kept(storage):
    with pytest.raises(Invalid) as refused:
        _record(storage, _rec(decision="agreed", commitment={**COMMITMENT, "agreed_on": "2026-03-03"}))
    assert refused.value.field == "commitment.agreed_on"
    assert storage.state.recommendations == {} and len(storage.events()) == 1


def test_a_decline_without_a_code_is_counted_as_other(storage):
    _, body = _record(storage, _rec(decision="declined", decline_reason="We have no officers for it."))
    assert storage.state.recommendations[body["recommendation_id"]]["decline_code"] == "other"
    assert storage.events("recommendation.declined")[0]["data"]["decline_code"] == "other"


def test_a_recommendation_for_no_panel_names_the_panel_field(storage):
    with pytest.raises(Invalid) as refused:
        _record(storage, _rec(panel="nowhere"))
    assert refused.value.field == "panel" and storage.state.recommendations == {}


def test_rules_across_fields_are_refused_before_anything_is_stored(storage):
    with pytest.raises(Invalid) as refused:
        _record(storage, _rec(themes=["not-a-theme"], decision="agreed"))
    assert {e["field"] for e in refused.value.errors} == {"commitment", "themes.0"}
    assert storage.state.recommendations == {}


def test_a_facilitator_records_only_for_their_own_panel(storage):
    record.register_panel(storage, PanelIn.model_validate({**PANEL, "slug": "p2"}), NOW, key=None, caller="adm",
                          public_url=URL)
    with pytest.raises(OutsidePanel):
        _record(storage, _rec(panel="p2"), who=FACILITATOR)
    assert _record(storage, _rec(), who=FACILITATOR)[0] == 201
    assert len(storage.state.recommendations) == 1


def test_the_same_key_with_another_body_is_refused(storage):
    _record(storage, _rec(), key="k1")
    assert _record(storage, _rec(), key="k1")[0] == 201 and len(storage.state.recommendations) == 1
    with pytest.raises(KeyReused):
        _record(storage, _rec(title="Another"), key="k1")
    assert len(storage.state.recommendations) == 1


def _decide(storage, rec_id, who=ADMIN, **doc):
    return record.decide(storage, rec_id, DecisionIn.model_validate(doc), NOW, who=who, key=None, policies=POLICIES,
                         public_url=URL)


def test_a_pending_recommendation_is_decided_once(storage):
    rec_id = _record(storage, _rec())[1]["recommendation_id"]
    _, body = _decide(storage, rec_id, decision="agreed", commitment=COMMITMENT)
    row = storage.state.recommendations[rec_id]
    assert row["decision"] == "agreed" and row["commitment_id"] == body["commitment_id"]
    with pytest.raises(AlreadyDecided, match="already agreed"):
        _decide(storage, rec_id, decision="declined", decline_reason="No.")
    with pytest.raises(NotFound):
        _decide(storage, "no-such-id", decision="declined", decline_reason="No.")


def test_a_decision_that_breaks_a_rule_changes_nothing(storage):
    rec_id = _record(storage, _rec())[1]["recommendation_id"]
    with pytest.raises(Invalid) as refused:
        _decide(storage, rec_id, decision="declined", decline_reason="Not ours.", decline_code="no_power")
    assert refused.value.errors[0]["field"] == "who_can"
    assert storage.state.recommendations[rec_id]["decision"] == "pending"


def test_a_facilitator_of_another_panel_cannot_decide_and_the_decision_is_rolled_back(storage):
    rec_id = _record(storage, _rec())[1]["recommendation_id"]
    other = Principal("f2", "facilitator", "f2@example.org", "p2")
    with pytest.raises(OutsidePanel):
        _decide(storage, rec_id, who=other, decision="declined", decline_reason="We cannot.")
    assert storage.state.recommendations[rec_id]["decision"] == "pending"
    assert storage.events("recommendation.declined") == []


def test_a_new_access_code_replaces_the_old_one(storage):
    old = storage.state.panels["p1"]["access_code_sha256"]
    code = record.rotate_access_code(storage, "p1", NOW)
    new = storage.state.panels["p1"]["access_code_sha256"]
    assert new != old and accesscode.matches(code, new)
    assert storage.events("panel.updated")[0]["data"]["panel"]["access_code_hash"] == new
    with pytest.raises(NotFound):
        record.rotate_access_code(storage, "nowhere", NOW)


def test_a_session_s_recommendations_are_recorded_all_or_none(storage):
    good, bad = _rec(), _rec(decision="agreed", commitment={**COMMITMENT, "agreed_on": "2026-12-01"})
    with pytest.raises(Invalid):
        record.record_session(storage, [good, bad], "form:1", NOW, who=FACILITATOR, key="f1", policies=POLICIES)
    assert storage.state.recommendations == {}
    ids = record.record_session(storage, [good, _rec(title="Two")], "form:2", NOW, who=FACILITATOR, key="f2",
                                policies=POLICIES)
    assert len(ids) == 2 and set(ids) == set(storage.state.recommendations)


def test_a_csv_is_imported_all_or_none_and_only_for_the_importer_s_panel(storage):
    text = csvimport.template() + "".join(f"p1,2026-02-2{day},Title {day},,,pending,,,,,,,,,,,,,,,\n"
                                          for day in (0, 1))
    rows = csvimport.parse(text, THEMES)
    outsider = Principal("f2", "facilitator", "f2@example.org", "p2")
    with pytest.raises(OutsidePanel):
        csvimport.import_rows(storage, rows, "csv:1", NOW, who=outsider, key=None, policies=POLICIES)
    _, body = csvimport.import_rows(storage, rows, "csv:1", NOW, who=FACILITATOR, key=None, policies=POLICIES)
    assert body["imported"] == 2 and [r["row"] for r in body["results"]] == [2, 3]
    assert len(storage.state.recommendations) == 2


def test_the_record_page_lists_panels_by_name(storage):
    record.register_panel(storage, PanelIn.model_validate({**PANEL, "slug": "p0", "name": "A panel"}), NOW,
                          key=None, caller="adm", public_url=URL)
    assert [p.slug for p in record.panels(storage)] == ["p0", "p1"]
    assert record.panel(storage, "p1").name == "Panel One" and record.panel(storage, "zz") is None
