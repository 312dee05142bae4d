"""Between table rows and domain objects."""

from __future__ import annotations

from typing import Any

from services.tracker.adapters.rows import CommitmentRow, PanelRow, RecommendationRow
from services.tracker.domain import Commitment, Contacts, PendingRecommendation, Policy
from services.tracker.domain.rules import OWING


def contacts(owner_email: str, escalation: dict) -> Contacts:
    return Contacts(owner=owner_email, supervisor=escalation["supervisor"],
                    senior_lead=escalation["senior_lead"], board=escalation["board"])


def commitment(row: CommitmentRow, sent_keys: frozenset[str] = frozenset()) -> Commitment:
    return Commitment(
        id=row.id, status=row.status, agreed_on=row.agreed_on, due=row.due, original_due=row.original_due,
        update_every_days=row.update_every_days, ladder_since=row.ladder_since,
        contacts=contacts(row.owner_email, row.escalation), due_version=row.due_version,
        last_update_on=row.last_update_on, update_count=row.update_count, done_on=row.done_on,
        disputes=row.disputes, disputed_on=row.disputed_on, completions=row.completions,
        handovers=row.handovers, confirm_extra_days=row.confirm_extra_days, track=row.track,
        kept_on=row.kept_on, kept_by=getattr(row, "kept_by", None), reopened_on=row.reopened_on,
        reopenings=row.reopenings,
        owner_unreachable_since=getattr(row, "owner_unreachable_since", None), sent_keys=sent_keys,
    )


def changes(c: Commitment) -> dict[str, Any]:
    """The columns a domain transition may change."""
    return dict(status=c.status, due=c.due, due_version=c.due_version, ladder_since=c.ladder_since,
                last_update_on=c.last_update_on, update_count=c.update_count, done_on=c.done_on,
                disputes=c.disputes, disputed_on=c.disputed_on, completions=c.completions,
                handovers=c.handovers, owner_email=c.contacts.owner, confirm_extra_days=c.confirm_extra_days,
                track=c.track, kept_on=c.kept_on, kept_by=c.kept_by, reopened_on=c.reopened_on, reopenings=c.reopenings,
                owner_unreachable_since=c.owner_unreachable_since)


def pending(rec: RecommendationRow, panel: PanelRow, sent_keys: frozenset[str] = frozenset()) -> PendingRecommendation:
    """A recommendation still owing an answer; yes in principle owes it by `decide_by`."""
    principle = rec.decision == "in_principle"
    return PendingRecommendation(
        id=rec.id, respond_by=(rec.decide_by or rec.respond_by) if principle else rec.respond_by,
        ladder_since=rec.ladder_since, contacts=contacts(panel.police_lead["email"], panel.escalation),
        decided=rec.decision not in OWING, sent_keys=sent_keys, round=rec.response_round or 1,
        in_principle=principle,
    )


def policy(row: CommitmentRow) -> Policy:
    """The ladder copied onto the commitment when it was agreed."""
    return Policy.model_validate(row.policy)
