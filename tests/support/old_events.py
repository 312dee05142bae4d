"""The events an older release's producers made, kept as fixed bytes in `<release>_events.json`.

An old producer's events do not change when our code does, so the rolling-upgrade test reads
recorded ones, not ones our models make today. Made with the release's own `schemas` package:

    git archive ce656fd schemas | tar -x -C /tmp/ce656fd
    PYTHONPATH=/tmp/ce656fd .venv/bin/python tests/support/old_events.py > tests/support/ce656fd_events.json

Two of each event a service consumes ("old" is read as it is; "base" becomes a next release's
event, with fields and an extension attribute added): the tracker's panel and agreed
recommendation, intake's panel replies, the notifier's notices. Fixed ids are safe: each test
has its own database and topics.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from schemas import (
    CommitmentTerms,
    Escalation,
    Notice,
    NoticeEvent,
    NoticeFacts,
    Owner,
    Panel,
    PanelEvent,
    Recommendation,
    RecommendationAgreed,
    RecommendationReplied,
    make_event,
)
from schemas.models import Contact

TIME = dt.datetime(2026, 12, 3, 13, 30, tzinfo=dt.timezone.utc)
NS = uuid.UUID("6f1d0c1e-5a51-4b53-9a53-2f7e3c1f0a11")


def _id(name: str) -> uuid.UUID:
    return uuid.uuid5(NS, name)


def _ladder(who: str) -> Escalation:
    return Escalation(supervisor=f"supervisor-{who}@example.org", senior_lead=f"senior-{who}@example.org",
                      board=f"board-{who}@example.org")


def tracker_events(which: str) -> list[dict]:
    slug = f"rolling-{which}"
    panel = Panel(slug=slug, name=f"Rolling panel ({which})", area="Test area",
                  police_lead=Contact(role="Inspector", email=f"lead-{which}@example.org"), escalation=_ladder(which),
                  access_code_sha256="0" * 64)
    rec = Recommendation(id=_id(f"rec-{which}"), panel=slug, raised_on=dt.date(2026, 11, 20),
                         title="Explain every stop", detail="", themes=["respect"])
    terms = CommitmentTerms(id=_id(f"commitment-{which}"), action="Brief officers", done_means="All briefed",
                            owner=Owner(role="Inspector", email=f"owner-{which}@example.org"),
                            escalation=_ladder(which), agreed_on=dt.date(2026, 11, 27), due=dt.date(2031, 3, 31),
                            update_every_days=30)
    return [make_event("panel.registered", slug, PanelEvent(panel=panel), source="followthrough/intake",
                       event_id=_id(f"panel-event-{which}"), time=TIME),
            make_event("recommendation.agreed", str(rec.id), RecommendationAgreed(recommendation=rec, commitment=terms),
                       source="followthrough/intake", event_id=_id(f"agreed-event-{which}"), time=TIME)]


def intake_events(which: str) -> list[dict]:
    rec_id = _id(f"declined-{which}")
    reply = RecommendationReplied(recommendation_id=rec_id, panel="rolling-panel", decision="declined",
                                  reply="insist", comment="Please ask again.", respond_by=dt.date(2027, 2, 26))
    return [make_event("recommendation.replied", str(rec_id), reply, source="followthrough/tracker",
                       event_id=_id(f"reply-event-{which}"), time=TIME)]


def notifier_events(which: str) -> list[dict]:
    nid = _id(f"notice-{which}")
    notice = Notice(
        id=nid, recommendation_id=_id(f"rec-{which}"), commitment_id=_id(f"commitment-{which}"), kind="overdue",
        level=1, key="overdue:1:v1", reason="The promise is late.", recipients=[f"owner-{which}@example.org"],
        subject=f"Overdue: Explain every stop ({which})",
        facts=NoticeFacts(recommendation_title="Explain every stop", action="Brief officers",
                          done_means="All briefed", panel="rolling-panel", owner_role="Inspector",
                          agreed_on=dt.date(2026, 10, 1), due=dt.date(2026, 11, 1), original_due=dt.date(2026, 11, 1),
                          days_overdue=32),
        respond_url=None, status_url="http://127.0.0.1:8002/panels/rolling-panel")
    return [make_event("notice.requested", str(nid), NoticeEvent(notice=notice), source="followthrough/tracker",
                       event_id=nid, time=TIME)]


def main() -> None:
    doc = {service: {which: make(which) for which in ("old", "base")}
           for service, make in (("tracker", tracker_events), ("intake", intake_events),
                                 ("notifier", notifier_events))}
    print(json.dumps(doc, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
