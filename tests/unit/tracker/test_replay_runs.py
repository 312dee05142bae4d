"""Replay cuts the ordered events into runs: consecutive events the live handlers
apply go together (up to a batch), every other event alone, order kept."""

from __future__ import annotations

from schemas.events import COMMITMENTS, NOTICES, PANELS, RECOMMENDATIONS
from services.tracker.usecases import replay


def test_runs_group_handled_events_and_keep_the_order(monkeypatch):
    monkeypatch.setattr(replay, "BATCH", 3)
    topics = [PANELS, RECOMMENDATIONS, RECOMMENDATIONS, RECOMMENDATIONS, RECOMMENDATIONS, COMMITMENTS, NOTICES,
              RECOMMENDATIONS]
    events = [(t, i, None) for i, t in enumerate(topics)]
    runs = list(replay._runs(events))
    assert [[i for _, i, _ in run] for run in runs] == [[0, 1, 2], [3, 4], [5], [6], [7]]
    assert [e for run in runs for e in run] == events


def test_a_refused_run_is_applied_one_by_one_and_only_the_refused_are_skipped():
    applied: list = []

    class Handlers:
        def handle_many(self, items):
            if any(i == "bad" for i, _ in items):
                raise replay.Rejected("bad")
            applied.extend(i for i, _ in items)

    skipped = replay._handle(Handlers(), [("a", None), ("bad", None), ("b", None)])
    assert skipped == 1 and applied == ["a", "b"]
