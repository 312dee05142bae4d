"""Intake's storage in dictionaries: the `Storage` and `Store` of services/intake/usecases/
ports.py, so the use cases' rules run in milliseconds. A transaction works on the state and
puts it back as it was if the use case raises, as the database's rollback does; what happens
once is decided by the keys of these dictionaries, as the database decides it by its unique keys.
tests/unit/intake/test_storage_contract.py runs the same checks on this fake and on SQLite."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace

from services.common.tokens import Principal
from services.intake.domain.idempotencykeys import check_key, reused
from services.intake.domain.signin import ROLES
from services.intake.domain.signinmail import Claim


@dataclass
class Person:
    principal: Principal
    created_at: dt.datetime
    expires_at: dt.datetime | None = None
    revoked: bool = False


@dataclass
class State:
    panels: dict[str, dict] = field(default_factory=dict)
    recommendations: dict[str, dict] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    processed: set[str] = field(default_factory=set)
    people: list[Person] = field(default_factory=list)
    links: dict[str, dict] = field(default_factory=dict)
    uses: dict[str, dt.datetime] = field(default_factory=dict)
    sessions: dict[str, dict] = field(default_factory=dict)
    emails: dict[str, dict] = field(default_factory=dict)  # sign-in emails, by the link's digest
    keys: dict[str, tuple[str, int, dict]] = field(default_factory=dict)


class FakeStore:
    def __init__(self, state: State) -> None:
        self.state = state

    def add_panel(self, row: dict) -> bool:
        if row["slug"] in self.state.panels:
            return False
        self.state.panels[row["slug"]] = dict(row)
        return True

    def panel(self, slug: str, *, lock: bool = False):
        row = self.state.panels.get(slug)
        return SimpleNamespace(**row) if row else None

    def panels(self) -> list:
        return [SimpleNamespace(slug=p["slug"], name=p["name"])
                for p in sorted(self.state.panels.values(), key=lambda p: p["name"])]

    def set_access_code(self, slug: str, verifier: str) -> None:
        self.state.panels[slug]["access_code_sha256"] = verifier

    def set_panel_language(self, slug: str, language: str) -> None:
        self.state.panels[slug]["language"] = language

    def add_recommendation(self, row: dict) -> bool:
        if row["id"] in self.state.recommendations:
            return False
        columns = dict.fromkeys(("decline_reason", "decline_code", "who_can", "counter_to", "commitment_id",
                                 "commitment", "respond_by"))
        self.state.recommendations[row["id"]] = {**columns, **row}
        return True

    def recommendation(self, rec_id: str, *, lock: bool = False):
        row = self.state.recommendations.get(rec_id)
        return SimpleNamespace(**row) if row else None

    def update_recommendation(self, rec_id: str, values: dict, *, if_decision: str | None = None) -> None:
        row = self.state.recommendations.get(rec_id)
        if row is not None and if_decision in (None, row["decision"]):
            row.update(values)

    def publish(self, event: dict) -> None:
        self.state.events.append(event)

    def first_time(self, event_id: str) -> bool:
        if event_id in self.state.processed:
            return False
        self.state.processed.add(event_id)
        return True

    def people(self, now, *, token_id=None, email=None) -> list[Principal]:
        live = [p for p in self.state.people if p.principal.role in ROLES and not p.revoked
                and (p.expires_at is None or p.expires_at > now)
                and token_id in (None, p.principal.token_id)
                and email in (None, (p.principal.email or "").lower())]
        return [p.principal for p in sorted(live, key=lambda p: p.created_at, reverse=True)]

    def add_link(self, digest, token_id, now, expires_at) -> None:
        self.state.links[digest] = {"token_id": token_id, "created_at": now, "expires_at": expires_at}

    def forget_links(self, expired_before) -> None:
        for digest in [d for d, link in self.state.links.items() if link["expires_at"] < expired_before]:
            del self.state.links[digest]
            self.state.uses.pop(digest, None)
        self.state.emails = {d: e for d, e in self.state.emails.items() if e["expires_at"] >= expired_before}

    def link(self, digest):
        link = self.state.links.get(digest)
        return SimpleNamespace(**link) if link else None

    def link_used(self, digest) -> bool:
        return digest in self.state.uses

    def use_link(self, digest, now) -> bool:
        if digest in self.state.uses:
            return False
        self.state.uses[digest] = now
        return True

    def add_session(self, digest, token_id, now, expires_at) -> None:
        self.state.sessions = {d: s for d, s in self.state.sessions.items() if s["expires_at"] > now}
        self.state.sessions[digest] = {"token_id": token_id, "expires_at": expires_at}

    def session_token(self, digest, now):
        session = self.state.sessions.get(digest)
        return session["token_id"] if session and session["expires_at"] > now else None

    def end_session(self, digest) -> None:
        self.state.sessions.pop(digest, None)

    def add_signin_email(self, digest, recipient, link, message_id, now, expires_at) -> None:
        self.state.emails.setdefault(digest, {
            "recipient": recipient, "link": link, "message_id": message_id, "state": "pending", "attempts": 0,
            "next_attempt_at": now, "claimed_at": None, "claim_token": None, "expires_at": expires_at,
            "last_error": None})

    def claim_signin_emails(self, now, lease, limit) -> list[Claim]:
        due = sorted(((d, e) for d, e in self.state.emails.items()
                      if (e["state"] == "pending" and e["next_attempt_at"] <= now)
                      or (e["state"] == "sending" and e["claimed_at"] < now - lease)),
                     key=lambda de: de[1]["next_attempt_at"])[:limit]
        token, claims = str(uuid.uuid4()), []
        for d, e in due:
            claims.append(Claim(d, e["recipient"], e["link"], e["message_id"], e["expires_at"], e["attempts"] + 1,
                                e["state"] == "sending", token))
            e.update(state="sending", claimed_at=now, claim_token=token, attempts=e["attempts"] + 1)
        return claims

    def signin_email_sent(self, claim) -> bool:
        return self._email_result(claim, state="sent", link=None, last_error=None)

    def signin_email_failed(self, claim, error, retry_at) -> bool:
        if retry_at is None:
            return self._email_result(claim, state="given_up", link=None, last_error=error)
        return self._email_result(claim, state="pending", next_attempt_at=retry_at, last_error=error)

    def _email_result(self, claim, **values) -> bool:
        e = self.state.emails.get(claim.link_sha256)
        if e is None or e["state"] != "sending" or e["claim_token"] != claim.token:
            return False
        e.update(values)
        return True


class FakeStorage:
    def __init__(self) -> None:
        self.state = State()
        self.transactions = 0

    @contextmanager
    def transaction(self):
        before = copy.deepcopy(self.state)
        try:
            yield FakeStore(self.state)
        except BaseException:
            self.state.__dict__.update(before.__dict__)  # rolled back: nothing of it is kept
            raise
        self.transactions += 1

    def run_once(self, key, fingerprint, work, *, caller, now, shown_once=None) -> tuple[int, dict]:
        if not key:
            with self.transaction() as store:
                return work(store)
        check_key(key)
        scoped, digest = f"{caller}:{key}", hashlib.sha256(fingerprint.encode()).hexdigest()
        if scoped in self.state.keys:
            kept_digest, status, body = self.state.keys[scoped]
            if kept_digest != digest:
                raise reused()
            return status, body
        with self.transaction() as store:
            status, body = work(store)
            kept = {k: v for k, v in body.items() if k not in (shown_once or {})}
            if len(kept) < len(body):
                kept["note"] = " ".join(shown_once.values())
            self.state.keys[scoped] = (digest, status, kept)
        return status, body

    # what the tests look at
    def events(self, kind: str | None = None) -> list[dict]:
        return [e for e in self.state.events if kind in (None, e["type"])]

    def person(self, token_id: str, role: str, email: str, panel: str | None = None, *,
               created_at: dt.datetime, expires_at: dt.datetime | None = None) -> Person:
        person = Person(Principal(token_id, role, email, panel), created_at, expires_at)
        self.state.people.append(person)
        return person
