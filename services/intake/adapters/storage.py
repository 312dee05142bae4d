"""Intake's storage on SQLAlchemy (the `Store` and `Storage` of `usecases/ports.py`): one
`SqlStore` per transaction. What happens once is decided by the database's unique keys
(`insert_once`), never by a read before a write."""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Engine, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from services.common import outbox as outbox_mod
from services.common.db import for_update, insert_once
from services.common.tokens import Principal, api_tokens
from services.intake.adapters import idempotency
from services.intake.adapters.tables import (
    outbox,
    panels,
    processed_events,
    recommendations,
    sessions,
    signin_emails,
    signin_links,
    signin_uses,
)
from services.intake.domain.signin import ROLES, utc
from services.intake.domain.signinmail import Claim


class SqlStore:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _one(self, stmt, lock: bool):
        return self.s.execute(for_update(self.s, stmt) if lock else stmt).first()

    def add_panel(self, row: dict) -> bool:
        return insert_once(self.s, panels, **row)

    def panel(self, slug: str, *, lock: bool = False):
        return self._one(select(panels).where(panels.c.slug == slug), lock)

    def panels(self) -> list:
        return list(self.s.execute(select(panels.c.slug, panels.c.name).order_by(panels.c.name)).all())

    def set_access_code(self, slug: str, verifier: str) -> None:
        self.s.execute(update(panels).where(panels.c.slug == slug).values(access_code_sha256=verifier))

    def set_panel_language(self, slug: str, language: str) -> None:
        self.s.execute(update(panels).where(panels.c.slug == slug).values(language=language))

    def add_recommendation(self, row: dict) -> bool:
        return insert_once(self.s, recommendations, **row)

    def recommendation(self, rec_id: str, *, lock: bool = False):
        return self._one(select(recommendations).where(recommendations.c.id == rec_id), lock)

    def update_recommendation(self, rec_id: str, values: dict, *, if_decision: str | None = None) -> None:
        stmt = update(recommendations).where(recommendations.c.id == rec_id)
        if if_decision is not None:
            stmt = stmt.where(recommendations.c.decision == if_decision)
        self.s.execute(stmt.values(**values))

    def publish(self, event: dict) -> None:
        outbox_mod.add(self.s, outbox, event)

    def first_time(self, event_id: str) -> bool:
        return insert_once(self.s, processed_events, event_id=event_id)

    def people(self, now: dt.datetime, *, token_id: str | None = None, email: str | None = None) -> list[Principal]:
        c = api_tokens.c
        stmt = select(api_tokens).where(c.role.in_(ROLES), c.revoked_at.is_(None),
                                        or_(c.expires_at.is_(None), c.expires_at > now))
        if token_id is not None:
            stmt = stmt.where(c.id == token_id)
        if email is not None:
            stmt = stmt.where(func.lower(c.email) == email)
        rows = self.s.execute(stmt.order_by(c.created_at.desc())).all()
        return [Principal(r.id, r.role, r.email, r.panel) for r in rows]

    def add_link(self, digest: str, token_id: str, now: dt.datetime, expires_at: dt.datetime) -> None:
        self.s.execute(signin_links.insert().values(secret_sha256=digest, token_id=token_id, created_at=now,
                                                    expires_at=expires_at))

    def forget_links(self, expired_before: dt.datetime) -> None:
        # uses first, so SQLite without foreign-key enforcement leaves nothing behind
        stale = select(signin_links.c.secret_sha256).where(signin_links.c.expires_at < expired_before)
        self.s.execute(delete(signin_uses).where(signin_uses.c.secret_sha256.in_(stale)))
        self.s.execute(delete(signin_emails).where(signin_emails.c.expires_at < expired_before))
        self.s.execute(delete(signin_links).where(signin_links.c.expires_at < expired_before))

    def link(self, digest: str):
        return self.s.execute(select(signin_links.c.token_id, signin_links.c.expires_at)
                              .where(signin_links.c.secret_sha256 == digest)).first()

    def link_used(self, digest: str) -> bool:
        return self.s.execute(select(signin_uses.c.used_at).where(signin_uses.c.secret_sha256 == digest)).first() \
            is not None

    def use_link(self, digest: str, now: dt.datetime) -> bool:
        # a second use, even at the same moment, finds the primary key taken
        return insert_once(self.s, signin_uses, secret_sha256=digest, used_at=now)

    def add_session(self, digest: str, token_id: str, now: dt.datetime, expires_at: dt.datetime) -> None:
        self.s.execute(delete(sessions).where(sessions.c.expires_at <= now))  # ended ones say nothing
        self.s.execute(sessions.insert().values(id_sha256=digest, token_id=token_id, expires_at=expires_at))

    def session_token(self, digest: str, now: dt.datetime) -> str | None:
        return self.s.execute(select(sessions.c.token_id).where(
            sessions.c.id_sha256 == digest, sessions.c.expires_at > now)).scalar()

    def end_session(self, digest: str) -> None:
        self.s.execute(delete(sessions).where(sessions.c.id_sha256 == digest))

    def add_signin_email(self, digest, recipient, link, message_id, now, expires_at) -> None:
        insert_once(self.s, signin_emails, link_sha256=digest, recipient=recipient, link=link, message_id=message_id,
                    state="pending", attempts=0, next_attempt_at=now, expires_at=expires_at, created_at=now)

    def claim_signin_emails(self, now: dt.datetime, lease: dt.timedelta, limit: int) -> list[Claim]:
        """Due emails, and ones whose claim outlived its lease (a sender died mid-send); locked rows
        are skipped, so replicas never take the same one."""
        e, token = signin_emails.c, str(uuid.uuid4())
        due = (select(signin_emails)
               .where(or_(and_(e.state == "pending", e.next_attempt_at <= now),
                          and_(e.state == "sending", e.claimed_at < now - lease)))
               .order_by(e.next_attempt_at).limit(limit))
        claims = []
        for r in self.s.execute(for_update(self.s, due, skip_locked=True)).all():
            self.s.execute(update(signin_emails).where(e.link_sha256 == r.link_sha256)
                           .values(state="sending", claimed_at=now, claim_token=token, attempts=r.attempts + 1))
            claims.append(Claim(r.link_sha256, r.recipient, r.link, r.message_id, utc(r.expires_at), r.attempts + 1,
                                r.state == "sending", token, self._link_language(r.link_sha256)))
        return claims

    def _link_language(self, digest: str) -> str | None:
        """The language of the panel whose facilitator the link is for; None for an admin's."""
        whose = (signin_links.join(api_tokens, api_tokens.c.id == signin_links.c.token_id)
                 .join(panels, panels.c.slug == api_tokens.c.panel))
        return self.s.execute(select(panels.c.language).select_from(whose)
                              .where(signin_links.c.secret_sha256 == digest)).scalar()

    def signin_email_sent(self, claim: Claim) -> bool:
        return self._signin_email_result(claim, state="sent", link=None, last_error=None)

    def signin_email_failed(self, claim: Claim, error: str, retry_at: dt.datetime | None) -> bool:
        if retry_at is None:  # the secret goes with the last chance of sending it
            return self._signin_email_result(claim, state="given_up", link=None, last_error=error)
        return self._signin_email_result(claim, state="pending", next_attempt_at=retry_at, last_error=error)

    def _signin_email_result(self, claim: Claim, **values) -> bool:
        e = signin_emails.c
        held = and_(e.link_sha256 == claim.link_sha256, e.state == "sending", e.claim_token == claim.token)
        return bool(self.s.execute(update(signin_emails).where(held).values(**values)).rowcount)


class SqlStorage:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[SqlStore]:
        with Session(self.engine) as session, session.begin():
            yield SqlStore(session)

    def run_once(self, key, fingerprint, work, *, caller, now, shown_once=None) -> tuple[int, dict]:
        return idempotency.run_once(self.engine, key, fingerprint, lambda session: work(SqlStore(session)),
                                    caller=caller, now=now, shown_once=shown_once)
