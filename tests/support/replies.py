"""Declines and pending recommendations as intake publishes them, for the right-of-reply tests."""

from __future__ import annotations

import datetime as dt
import uuid

from schemas import Recommendation, RecommendationDeclined, RecommendationRecorded, make_event


def recommendation(uid: str, title: str = "Fix the street lights by the park", raised_on: dt.date | None = None):
    return Recommendation(id=uuid.uuid4(), panel=f"panel-{uid}", raised_on=raised_on or dt.date.today(),
                          title=title, detail="", themes=["safety"])


def declined_event(uid: str, rec: Recommendation | None = None, code: str | None = "no_power",
                   who_can: str | None = "the local council") -> dict:
    rec = rec or recommendation(uid)
    if code is None:  # as intake published declines before decline codes existed
        event = make_event("recommendation.declined", str(rec.id),
                           RecommendationDeclined(recommendation=rec, reason="Not ours to do."), source="test")
        del event["data"]["decline_code"], event["data"]["who_can"]
        return event
    data = RecommendationDeclined(recommendation=rec, reason="Not ours to do.", decline_code=code,
                                  who_can=who_can if code == "no_power" else None)
    return make_event("recommendation.declined", str(rec.id), data, source="test")


def recorded_event(uid: str, respond_by: dt.date, rec: Recommendation | None = None) -> dict:
    rec = rec or recommendation(uid)
    return make_event("recommendation.recorded", str(rec.id),
                      RecommendationRecorded(recommendation=rec, respond_by=respond_by), source="test")
