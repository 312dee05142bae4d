"""What people do to a commitment through the API and the respond page.
Each command locks the row, asks the domain for the new state, and writes
the row, a timeline entry and the event in one transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from schemas import CommitmentPublic
from services.common import tokens
from services.common.problems import Problem
from services.tracker import convert, publish, timeline
from services.common.clock import Clock
from services.tracker.domain import Commitment
from services.tracker.domain.model import TransitionError
from services.tracker.store import access_failures, commitments

ACCESS_FAILURES_ALLOWED = 10
ACCESS_FAILURE_WINDOW = dt.timedelta(minutes=15)


def run(engine: Engine, clock: Clock, commitment_id: str, command,
        check: Callable[[Any], None] = lambda row: None, **kwargs: Any) -> CommitmentPublic:
    """Lock the commitment, let `check` refuse the caller, run the command, commit."""
    now = clock.now()
    today = clock.today()
    with Session(engine) as session, session.begin():
        row = load_for_update(session, commitment_id)
        check(row)
        row = command(session, row, now=now, today=today, **kwargs)
        return publish.public_state(row, today)


def load_for_update(session: Session, commitment_id: str):
    q = select(commitments).where(commitments.c.id == commitment_id)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    row = session.execute(q).first()
    if row is None:
        raise Problem(404, "No such commitment", f"There is no commitment {commitment_id}; check the id.")
    return row


def apply(
    session: Session, row: Any, *, now: dt.datetime, today: dt.date,
    change: Callable[[Commitment], Commitment], event_type: str, entry: dict[str, Any],
    columns: dict[str, Any] | None = None, **about: Any,
):
    """Run one domain transition and record it; returns the new row."""
    try:
        new = change(convert.commitment(row))
    except TransitionError as exc:
        raise Problem(409, "Not possible now", str(exc)) from None
    # Let the scan re-decide, a row it had parked after an error included.
    values = {**convert.changes(new), **(columns or {}), "next_action_on": today, "parked_at": None,
              "parked_error": None}
    session.execute(update(commitments).where(commitments.c.id == row.id).values(**values))
    row = session.execute(select(commitments).where(commitments.c.id == row.id)).one()
    record = timeline.append(session, row.id, event_type.removeprefix("commitment."), entry, now)
    publish.emit_commitment(session, event_type, row, today, record=record, **about)
    return row


def post_update(session, row, *, note: str, percent: int | None, evidence_url: str | None,
                evidence_note: str | None, done: bool, summary: str | None, now, today):
    entry = {"note": note, "percent": percent, "evidence_url": evidence_url, "evidence_note": evidence_note}
    if done:
        if not (evidence_url or evidence_note):
            raise Problem(422, "Evidence needed", "evidence_url or evidence_note: say how the panel can see it is done.",
                          errors=[{"field": "evidence_url", "message": "done needs evidence",
                                   "fix": "Add a link (evidence_url) or a description (evidence_note)."}])
        if not summary:
            raise Problem(422, "Summary needed", "summary: say in plain words what was done, for the youth panel.",
                          errors=[{"field": "summary", "message": "done needs a plain-language summary",
                                   "fix": "Add a short summary a 13-year-old can read."}])
        return apply(session, row, now=now, today=today, change=lambda c: c.complete(today),
                     event_type="commitment.completed", entry={**entry, "summary": summary},
                     columns={"last_update_at": now}, update=summary)
    return apply(session, row, now=now, today=today, change=lambda c: c.post_update(today),
                 event_type="commitment.updated", entry=entry, columns={"last_update_at": now}, update=note)


def extend(session, row, *, new_due: dt.date, reason: str, now, today):
    return apply(session, row, now=now, today=today, change=lambda c: c.extend(new_due, today),
                 event_type="commitment.extended",
                 entry={"from": row.due.isoformat(), "to": new_due.isoformat(), "reason": reason},
                 new_due=new_due, reason=reason)


def withdraw(session, row, *, reason: str, now, today):
    return apply(session, row, now=now, today=today, change=lambda c: c.withdraw(),
                 event_type="commitment.withdrawn", entry={"reason": reason}, reason=reason)


def hand_over(session, row, *, role: str, email: str, name: str | None, reason: str, now, today):
    if email == row.owner_email:
        raise Problem(409, "Same owner", "This person already owns the commitment.")
    return apply(session, row, now=now, today=today, change=lambda c: c,
                 event_type="commitment.updated",
                 entry={"handed_over_to": role, "from": row.owner_role, "reason": reason,
                        "owner": {"role": role, "email": email, "name": name}},
                 columns={"owner_role": role, "owner_email": email, "owner_name": name},
                 update=f"Handed over from {row.owner_role} to {role}", reason=reason)


def verdict(session, row, *, verdict: str, comment: str, now, today):
    if verdict == "confirmed":
        return apply(session, row, now=now, today=today, change=lambda c: c.confirm(),
                     event_type="commitment.confirmed", entry={"comment": comment},
                     verdict="confirmed", comment=comment)
    return apply(session, row, now=now, today=today, change=lambda c: c.dispute(today),
                 event_type="commitment.disputed", entry={"comment": comment},
                 verdict="disputed", comment=comment)


def check_access_code(engine: Engine, clock: Clock, commitment_id: str, code: str) -> None:
    """The panel's access code, with failed attempts counted per panel and limited."""
    now = clock.now()
    with Session(engine) as session:
        panel = session.execute(select(commitments.c.panel).where(commitments.c.id == commitment_id)).scalar()
    if panel is None:
        raise Problem(404, "No such commitment", f"There is no commitment {commitment_id}; check the id.")
    with Session(engine) as session, session.begin():
        limited = too_many_access_failures(session, panel, now)
        wrong = not limited and not tokens.verify_access_code(engine, panel, code)
        if wrong:
            record_access_failure(session, panel, now)  # committed before we answer
    if limited:
        raise Problem(429, "Too many wrong access codes",
                      "Wait 15 minutes, then try again with the code your youth worker gave you.",
                      headers={"Retry-After": "900"})
    if wrong:
        raise Problem(403, "Wrong access code",
                      "This access code is not right for this panel. Ask your youth worker for it.",
                      errors=[{"field": "access_code", "message": "wrong code",
                               "fix": "Use the panel's access code, exactly as given."}])


def too_many_access_failures(session: Session, panel: str, now: dt.datetime) -> bool:
    recent = session.execute(
        select(func.count()).select_from(access_failures)
        .where(access_failures.c.panel == panel, access_failures.c.at > now - ACCESS_FAILURE_WINDOW)
    ).scalar()
    return recent >= ACCESS_FAILURES_ALLOWED


def record_access_failure(session: Session, panel: str, now: dt.datetime) -> None:
    session.execute(access_failures.insert().values(panel=panel, at=now))
