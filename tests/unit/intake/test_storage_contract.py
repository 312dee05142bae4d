"""The in-memory storage the use-case tests run on (fakes.py) keeps the promises the SQL
storage keeps: the same checks on both, the SQL one on SQLite (PostgreSQL: the integration
tests). If the fake drifts from the database, this fails, not a use case in production."""

from __future__ import annotations

import datetime as dt

import pytest

from services.common import tokens
from services.common.db import make_engine
from services.intake.adapters.storage import SqlStorage
from services.intake.app import migrate
from tests.unit.intake.fakes import FakeStorage

NOW = dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone.utc)
REC = {"id": "r1", "panel": "p1", "raised_on": dt.date(2026, 3, 1), "title": "T", "detail": "", "themes": [],
       "decision": "declined"}
PANEL = {"slug": "p1", "name": "One", "area": "North", "police_lead": {"role": "Inspector"},
         "escalation": {"supervisor": "s@example.org"}, "access_code_sha256": "v1"}


def _fake(_tmp_path):
    storage = FakeStorage()

    def person(role, email, panel=None, created_at=NOW - dt.timedelta(days=1)):
        token_id = f"t{len(storage.state.people)}"
        storage.person(token_id, role, email, panel, created_at=created_at)
        return token_id
    return storage, person


def _sql(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'intake.db'}")
    migrate(engine)

    def person(role, email, panel=None, created_at=NOW - dt.timedelta(days=1)):
        token = tokens.issue(engine, role, email=email, panel=panel, now=created_at)
        return token.split("_")[1]
    return SqlStorage(engine), person


@pytest.fixture(params=[_fake, _sql], ids=["fake", "sqlite"])
def storage_and_person(request, tmp_path):
    return request.param(tmp_path)


def test_rows_are_inserted_once_by_their_keys(storage_and_person):
    storage, _ = storage_and_person
    with storage.transaction() as store:
        assert store.add_panel(PANEL) and not store.add_panel({**PANEL, "name": "Two"})
        assert store.add_recommendation(REC) and not store.add_recommendation({**REC, "title": "Again"})
        assert store.first_time("e1") and not store.first_time("e1")
    with storage.transaction() as store:
        assert store.panel("p1").name == "One" and store.recommendation("r1").title == "T"
        assert store.panel("p2") is None and store.recommendation("r2") is None
        assert [p.slug for p in store.panels()] == ["p1"]


def test_an_update_can_require_the_decision_it_changes(storage_and_person):
    storage, _ = storage_and_person
    with storage.transaction() as store:
        store.add_recommendation(REC)
        store.update_recommendation("r1", {"decision": "pending"}, if_decision="agreed")
        assert store.recommendation("r1").decision == "declined"
        store.update_recommendation("r1", {"decision": "pending", "respond_by": dt.date(2026, 4, 1)},
                                    if_decision="declined")
        assert store.recommendation("r1").respond_by == dt.date(2026, 4, 1)


def test_a_failed_transaction_keeps_nothing(storage_and_person):
    storage, _ = storage_and_person
    with pytest.raises(RuntimeError), storage.transaction() as store:
        store.add_panel(PANEL)
        raise RuntimeError("the use case refused")
    with storage.transaction() as store:
        assert store.panel("p1") is None


def test_people_are_live_admin_and_facilitator_tokens_newest_first(storage_and_person):
    storage, person = storage_and_person
    older = person("facilitator", "Y.W@example.org", "p1", NOW - dt.timedelta(days=3))
    newer = person("admin", "y.w@example.org")
    person("owner", "y.w@example.org")
    with storage.transaction() as store:
        assert [p.token_id for p in store.people(NOW, email="y.w@example.org")] == [newer, older]
        assert [p.panel for p in store.people(NOW, token_id=older)] == ["p1"]


def test_a_link_is_used_once_and_sessions_end(storage_and_person):
    storage, _ = storage_and_person
    with storage.transaction() as store:
        store.add_link("d1", "t1", NOW, NOW + dt.timedelta(minutes=15))
        assert store.link("d1").token_id == "t1" and store.link("d2") is None
        assert not store.link_used("d1") and store.use_link("d1", NOW)
        assert store.link_used("d1") and not store.use_link("d1", NOW)
        store.forget_links(NOW + dt.timedelta(minutes=16))
        assert store.link("d1") is None and not store.link_used("d1")
        store.add_session("s1", "t1", NOW, NOW + dt.timedelta(hours=8))
        assert store.session_token("s1", NOW) == "t1" and store.session_token("s1", NOW + dt.timedelta(hours=8)) is None
        store.end_session("s1")
        assert store.session_token("s1", NOW) is None


def test_a_key_gives_its_first_answer_again(storage_and_person):
    storage, _ = storage_and_person
    calls = []

    def work(store):
        calls.append(1)
        store.first_time(f"e{len(calls)}")
        return 201, {"n": len(calls), "secret": "s"}

    assert storage.run_once("k", "body", work, caller="t", now=NOW, shown_once={"secret": "Shown once."}) == \
        (201, {"n": 1, "secret": "s"})
    assert storage.run_once("k", "body", work, caller="t", now=NOW, shown_once={"secret": "Shown once."}) == \
        (201, {"n": 1, "note": "Shown once."})
    assert storage.run_once(None, "body", work, caller="t", now=NOW)[1]["n"] == 2


def test_a_signin_email_is_claimed_once_and_a_stale_claim_writes_nothing(storage_and_person):
    storage, _ = storage_and_person
    lease, expires = dt.timedelta(seconds=30), NOW + dt.timedelta(minutes=15)
    with storage.transaction() as store:
        store.add_signin_email("d1", "f@example.org", "http://i/signin/link?key=s", "<m1@x>", NOW, expires)
        store.add_signin_email("d1", "f@example.org", "http://i/signin/link?key=t", "<m2@x>", NOW, expires)
    with storage.transaction() as store:
        (first,) = store.claim_signin_emails(NOW, lease, 10)
        assert store.claim_signin_emails(NOW, lease, 10) == []  # held: another sender gets nothing
    assert (first.link, first.message_id, first.attempts, first.resend) == \
        ("http://i/signin/link?key=s", "<m1@x>", 1, False)
    assert first.expires_at == expires
    later = NOW + lease + dt.timedelta(seconds=1)
    with storage.transaction() as store:
        (second,) = store.claim_signin_emails(later, lease, 10)  # the first sender died mid-send
        assert second.resend and second.attempts == 2 and second.message_id == first.message_id
        assert not store.signin_email_sent(first), "a stale claim overwrote the newer one's result"
        assert store.signin_email_failed(second, "451", later + dt.timedelta(seconds=4))
    with storage.transaction() as store:
        assert store.claim_signin_emails(later, lease, 10) == []  # not due before its retry
        (third,) = store.claim_signin_emails(later + dt.timedelta(seconds=4), lease, 10)
        assert third.attempts == 3 and store.signin_email_sent(third)
        assert store.claim_signin_emails(later + dt.timedelta(hours=1), lease, 10) == []


def test_a_given_up_signin_email_is_never_claimed_again(storage_and_person):
    storage, _ = storage_and_person
    with storage.transaction() as store:
        store.add_signin_email("d1", "f@example.org", "http://i/signin/link?key=s", "<m1@x>", NOW,
                               NOW + dt.timedelta(minutes=15))
        (claim,) = store.claim_signin_emails(NOW, dt.timedelta(seconds=30), 10)
        assert store.signin_email_failed(claim, "the link expired", None)
        assert store.claim_signin_emails(NOW + dt.timedelta(hours=1), dt.timedelta(seconds=30), 10) == []
