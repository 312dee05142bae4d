"""What people do to a commitment through the API and the respond page.
Each command locks the row, asks the domain for the new state, and writes
the row, a timeline entry and the event in one unit of work (one transaction)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from schemas import CommitmentPublic
from services.common.clock import Clock
from services.tracker.adapters import convert, publish
from services.tracker.adapters.rows import CommitmentRow
from services.tracker.domain import (
    ApprovalNeeded,
    Commitment,
    TransitionError,
    decide_change,
    decide_early_warning,
    decide_extension_refused,
    decide_extension_request,
    decide_handover,
    decide_owner_unreachable,
    decide_reopen,
)
from services.tracker.domain.entry_effects import EntryMismatch, apply_entry
from services.tracker.domain.model import DELAYED
from services.tracker.usecases.errors import Incomplete, NotFound
from services.tracker.usecases.notices import NoticeRecorder
from services.tracker.usecases.unitofwork import Storage, UnitOfWork


def run(storage: Storage, clock: Clock, commitment_id: str, command,
        check: Callable[[Any], None] = lambda row: None, **kwargs: Any) -> CommitmentPublic:
    """Lock the commitment, let `check` refuse the caller, run the command, commit."""
    now = clock.now()
    today = clock.today()
    with storage.begin() as uow:
        row = load_for_update(uow, commitment_id)
        check(row)
        row = command(uow, row, now=now, today=today, **kwargs)
        return publish.public_state(row, today)


def load_for_update(uow: UnitOfWork, commitment_id: str):
    row = uow.commitments.get(commitment_id, lock=True)
    if row is None:
        raise NotFound(f"There is no commitment {commitment_id}; check the id.")
    return row


def apply(
    uow: UnitOfWork, row: CommitmentRow, *, now: dt.datetime, today: dt.date,
    change: Callable[[Commitment], Commitment], event_type: str, entry: dict[str, Any],
    columns: dict[str, Any] | None = None, **about: Any,
):
    """Run one domain transition (a TransitionError refuses it) and record it; returns the new row.
    The columns are what the recorded entry does (`apply_entry`, as replay and the scan write them);
    the command's own transition must agree, or the timeline could not rebuild the row."""
    before = convert.commitment(row)
    new = change(before)
    kind = event_type.removeprefix("commitment.")
    applied = apply_entry(before, kind, entry, now, today, convert.policy(row), owner_email=new.contacts.owner)
    written = {**convert.changes(applied.commitment), **applied.columns} if applied else {}
    meant = {**convert.changes(new), **(columns or {})}
    if any(written.get(k, getattr(row, k)) != v for k, v in meant.items()):
        raise EntryMismatch(f"a {kind} entry would not rebuild the change it records")
    # Let the scan re-decide, a row it had parked after an error included.
    values = {**written, "next_action_on": today, "parked_at": None, "parked_error": None}
    row = uow.commitments.update(row.id, values)
    record = uow.timeline.append(row.id, kind, entry, now)
    uow.outbox.add(publish.commitment_event(event_type, row, today, record=record, **about))
    return row


def post_update(uow, row, *, note: str, percent: int | None, evidence_url: str | None,
                evidence_note: str | None, done: bool, summary: str | None, now, today,
                track: str | None = None, delay_reason: str | None = None, recorder: NoticeRecorder | None = None):
    entry = {"note": note, "percent": percent, "evidence_url": evidence_url, "evidence_note": evidence_note}
    if done:
        if not (evidence_url or evidence_note):
            raise Incomplete("evidence_url or evidence_note: say how the panel can see it is done.",
                             field="evidence_url", fix="Add a link (evidence_url) or a description (evidence_note).")
        if not summary:
            raise Incomplete("summary: say in plain words what was done, for the youth panel.",
                             field="summary", fix="Add a short summary a 13-year-old can read.")
        return apply(uow, row, now=now, today=today, change=lambda c: c.complete(today),
                     event_type="commitment.completed", entry={**entry, "summary": summary},
                     columns={"last_update_at": now, "delay_reason": None}, update=summary)
    return _progress(uow, row, note=note, entry=entry, track=track, delay_reason=delay_reason, now=now,
                     today=today, recorder=recorder)


def _progress(uow, row, *, note, entry, track, delay_reason, now, today, recorder):
    """A progress update, with how it is going. A significant delay said before the due date tells the
    supervisor at once, crediting the early warning (once per deadline version)."""
    before = _with_sent(uow, row)
    after = before.post_update(today, track)
    delay_reason = delay_reason if track in DELAYED else None
    told = decide_early_warning(after, track, row.owner_role, delay_reason or "", today)
    if told and recorder is None:
        raise RuntimeError("post_update needs the notice recorder to tell the supervisor of an early warning")
    if track:
        entry = {**entry, "track": track, **({"delay_reason": delay_reason} if delay_reason else {})}
    columns = {"last_update_at": now, **({"delay_reason": delay_reason} if track else {})}
    row = apply(uow, row, now=now, today=today, change=lambda c: after, event_type="commitment.updated",
                entry={**entry, **_told(told)}, columns=columns, update=note, track=track,
                delay_reason=delay_reason)
    if recorder:
        _record(uow, recorder, told, row, today, now)
    return row


def reopen(uow, row, *, comment: str, now, today, recorder: NoticeRecorder):
    """The panel says a kept promise is no longer working, within the policy's window: it is worked
    on again, the ladder starts again, and the owner and supervisor are told."""
    before = _with_sent(uow, row)
    policy = convert.policy(row)
    after = before.reopen(today, policy.reopen_window_weeks * 7)
    notice = decide_reopen(before, after, comment, today)
    entry = {"comment": comment, "from": row.due.isoformat(), "to": after.due.isoformat(),
             "kept_on": (before.kept_on or before.done_on or today).isoformat(), **_told([notice])}
    row = apply(uow, row, now=now, today=today, change=lambda c: after, event_type="commitment.reopened",
                entry=entry, columns={"delay_reason": None}, comment=comment, new_due=after.due)
    _record(uow, recorder, [notice], row, today, now)
    return row


def extend(uow, row, *, new_due: dt.date, reason: str, now, today, recorder: NoticeRecorder):
    before = _with_sent(uow, row)
    try:
        after = before.extend(new_due, today, convert.policy(row).extension_limit_days)
    except ApprovalNeeded:
        return _request_extension(uow, row, before, new_due, reason, now, today, recorder)
    return _moved(uow, row, before, after, reason, now, today, recorder)


def approve_extension(uow, row, *, now, today, recorder: NoticeRecorder):
    """The supervisor approves the deadline the owner asked for."""
    if row.requested_due is None:
        raise TransitionError("there is no request for a new deadline on this commitment to approve")
    before = _with_sent(uow, row)
    after = before.extend(row.requested_due, today)
    return _moved(uow, row, before, after, row.requested_reason, now, today, recorder, approved=True)


def refuse_extension(uow, row, *, now, today, recorder: NoticeRecorder):
    """The supervisor refuses the deadline the owner asked for: the first deadline stands (it always
    did: the ladder kept running), the request is cleared, the owner is told, and the panel sees it."""
    if row.requested_due is None:
        raise TransitionError("there is no request for a new deadline on this commitment to refuse")
    before, asked = _with_sent(uow, row), row.requested_due
    entry = {"from": row.due.isoformat(), "to": asked.isoformat(), "refused_by": "supervisor"}
    row = uow.commitments.update(row.id, dict(requested_due=None, requested_reason=None))
    record = uow.timeline.append(row.id, "extension_refused", entry, now)
    uow.outbox.add(publish.commitment_event(
        "commitment.updated", row, today, record=record,
        update=f"The supervisor refused to move the deadline to {asked:%d %B %Y}: the first deadline stands"))
    _record(uow, recorder, [decide_extension_refused(before, asked, today)], row, today, now)
    return row


def _moved(uow, row, before: Commitment, after: Commitment, reason: str, now, today, recorder, approved=False):
    told = decide_change(before, after, "extend", reason, today)
    entry = {"from": row.due.isoformat(), "to": after.due.isoformat(), "reason": reason, **_told(told)}
    if approved:
        entry["approved_by"] = "supervisor"
    row = apply(uow, row, now=now, today=today, change=lambda c: after, event_type="commitment.extended",
                entry=entry, columns={"requested_due": None, "requested_reason": None},
                new_due=after.due, reason=reason)
    _record(uow, recorder, told, row, today, now)
    return row


def _request_extension(uow, row, before: Commitment, new_due: dt.date, reason: str, now, today, recorder):
    """Too far for the owner alone: keep the deadline, ask the supervisor, show the panel."""
    row = uow.commitments.update(row.id, dict(requested_due=new_due, requested_reason=reason))
    record = uow.timeline.append(row.id, "extension_requested",
                                 {"from": row.due.isoformat(), "to": new_due.isoformat(), "reason": reason}, now)
    uow.outbox.add(publish.commitment_event(
        "commitment.updated", row, today, record=record, reason=reason,
        update=f"Asked to move the deadline to {new_due:%d %B %Y}: waiting for the "
               "supervisor's approval; the first deadline stands until then"))
    _record(uow, recorder, [decide_extension_request(before, new_due, reason, today)], row, today, now)
    return row


def withdraw(uow, row, *, reason: str, now, today, recorder: NoticeRecorder):
    before = _with_sent(uow, row)
    after = before.withdraw()
    told = decide_change(before, after, "withdraw", reason, today)
    row = apply(uow, row, now=now, today=today, change=lambda c: after, event_type="commitment.withdrawn",
                entry={"reason": reason, **_told(told)}, reason=reason)
    _record(uow, recorder, told, row, today, now)
    return row


def hand_over(uow, row, *, role: str, email: str, name: str | None, reason: str, now, today,
              recorder: NoticeRecorder):
    before = _with_sent(uow, row)
    after = before.hand_over(email)
    notice = decide_handover(before, after, reason, today)
    # The new owner's address goes to the notifier (the handover notice), never onto the public
    # commitments topic, not even hashed: a work address is easy to guess, and then to hash.
    owner = {"role": role, "name": name}
    row = apply(uow, row, now=now, today=today, change=lambda c: after, event_type="commitment.updated",
                entry={"handed_over_to": role, "from": row.owner_role, "reason": reason, "owner": owner,
                       **_told([notice])},
                columns={"owner_role": role, "owner_name": name},
                update=f"Handed over from {row.owner_role} to {role}", reason=reason)
    _record(uow, recorder, [notice], row, today, now)
    return row


def owner_unreachable(uow: UnitOfWork, notice_id: str, recipient: str, *, now, today,
                      recorder: NoticeRecorder) -> None:
    """The notifier gave up on `recipient` for this notice: if they own its commitment, flag it and
    ask the supervisor for a new owner (once per owner: the notice's key, the column set once)."""
    commitment_id = uow.notices.commitment_of(notice_id)
    row = uow.commitments.get(commitment_id, lock=True) if commitment_id else None
    if row is None:
        return
    before = _with_sent(uow, row)
    after, told = decide_owner_unreachable(before, recipient, today)
    if after.owner_unreachable_since == before.owner_unreachable_since:
        return  # not theirs, or this episode was flagged and the supervisor asked already
    # Recorded on the timeline (no address: who was told, by role), so replay rebuilds the flag.
    applied = apply_entry(before, "owner_unreachable", _told(told), now, today, convert.policy(row))
    if applied is None or applied.commitment != after:
        raise EntryMismatch("an owner_unreachable entry would not rebuild the flag it records")
    row = uow.commitments.update(row.id, {"owner_unreachable_since": after.owner_unreachable_since})
    record = uow.timeline.append(row.id, "owner_unreachable", _told(told), now)
    uow.outbox.add(publish.commitment_event(
        "commitment.updated", row, today, record=record,
        update="The police lead could not be reached; their boss was asked to name a new owner"))
    _record(uow, recorder, told, row, today, now)


def _with_sent(uow: UnitOfWork, row) -> Commitment:
    """The domain commitment with the notices already recorded for it (who has been told)."""
    return convert.commitment(row, uow.notices.sent_keys(row.recommendation_id))


def _told(decided: list) -> dict:
    """Who was told of the change, by role (no addresses): the page says so in plain words."""
    heard = {who for n in decided for who in n.audience}
    roles = [who for who in ("owner", "supervisor", "senior_lead", "board") if who in heard]
    return {"told": roles} if roles else {}


def _record(uow: UnitOfWork, recorder: NoticeRecorder, decided: list, row, today, now) -> None:
    if not decided:
        return
    rec = uow.recommendations.get(row.recommendation_id)
    for n in decided:
        recorder.record(uow.notices, n, rec, row, now)


def verdict(uow, row, *, verdict: str, comment: str, now, today):
    if verdict == "confirmed":
        return apply(uow, row, now=now, today=today, change=lambda c: c.confirm(today),
                     event_type="commitment.confirmed", entry={"comment": comment},
                     verdict="confirmed", comment=comment)
    return apply(uow, row, now=now, today=today, change=lambda c: c.dispute(today),
                 event_type="commitment.disputed", entry={"comment": comment},
                 verdict="disputed", comment=comment)
