"""The trust pulse against an observer, fast and many times over: answers go through the use case on
SQLite, and after each one the observer reads what the public reads (the panel's pulse as its page
renders it, the register's, and the answer's `pulse.recorded`). A change of the figures must cover
at least 5 new answers, a month that ends must show nothing more, and an answer may be pinned down
only when every answer it was shown with was the same (then the figures say so of all of them, as
any honest total would). The real-service version is tests/integration/tracker/test_pulse_observer.py."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from schemas import parse_event
from schemas.models import PULSE_MIN_ANSWERS
from schemas.policy import load_policy_file
from services.common.clock import SimulatedClock
from services.common.db import make_engine
from services.tracker.adapters.store import outbox
from services.tracker.adapters.unitofwork import SqlStorage
from services.tracker.bootstrap import migrate
from services.tracker.usecases import pulse as pulse_uc
from services.tracker.usecases.ingest import Handlers
from services.tracker.web.look import templates
from services.tracker.web.pulse import pulse_view
from tests.support.events import panel_event
from tests.support.pulse_observer import KEPT, TRUST, Counts, change_covering, deduced, figures_on

YEARS = itertools.count(2100)  # each example answers in months of its own, so the register shows only its panel
answer = st.tuples(st.sampled_from(TRUST), st.sampled_from(KEPT))


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('pulse') / 'tracker.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


def _read(engine, slug: str, period: str) -> dict:
    with Session(engine) as s:
        mine, everyone = pulse_view(pulse_uc.shown_periods(s, slug)), pulse_view(pulse_uc.shown_periods(s))
        events = [json.loads(p) for p in s.execute(select(outbox.c.payload).where(outbox.c.key == slug)
                                                   .order_by(outbox.c.id.desc())).scalars()]
    html = {name: templates.get_template("_pulse.html").render(pulse=view, kept_line="")
            for name, view in (("page", mine), ("register", everyone))}
    latest = [e["data"] for e in events if e["data"]["period"] == period][:1]
    return {**{name: figures_on(h, _label(period)) for name, h in html.items()},
            "pulse.recorded": Counts.of_event(latest[0]) if latest else Counts(counted=0)}


def _label(period: str) -> str:
    return f"{dt.date.fromisoformat(period + '-01'):%B %Y}"


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.lists(answer, max_size=32), second=st.lists(answer, max_size=12))
def test_no_change_of_the_figures_singles_out_an_answer(engine, first, second):
    uid = uuid.uuid4().hex[:8]
    slug = f"panel-{uid}"
    Handlers(SqlStorage(engine), load_policy_file(None)).handle(*parse_event(json.dumps(panel_event(uid)).encode()))
    year = next(YEARS)
    clock = SimulatedClock(dt.datetime(year, 3, 31, 12, tzinfo=dt.timezone.utc))
    months = []
    for answers, period in ((first, f"{year}-03"), (second, f"{year}-04")):
        observed = [_read(engine, slug, period)]
        for trust, kept in answers:
            pulse_uc.record(SqlStorage(engine), clock, slug, trust, kept)
            observed.append(_read(engine, slug, period))
        months.append((answers, period, observed))
        clock.set(dt.datetime(year, 4, 1, 9, tzinfo=dt.timezone.utc))  # the month ends
    for answers, period, observed in months:
        channels = {name: [o[name] for o in observed] for name in observed[0]}
        for name, seen in channels.items():
            for before, after in itertools.pairwise(seen):
                assert after == before or after.counted - before.counted >= PULSE_MIN_ANSWERS, (name, before, after)
        for i, value in deduced(channels, answers).items():
            before, after = change_covering(channels["pulse.recorded"], i)
            shown_with = answers[channels["pulse.recorded"][before].counted:channels["pulse.recorded"][after].counted]
            assert len(shown_with) >= PULSE_MIN_ANSWERS and set(shown_with) == {value}, \
                f"answer {i} of {period} ({value}) can be deduced from a change of {len(shown_with)} answers"
    # The month that ended shows what it showed at its end, whatever came after.
    answers, period, observed = months[0]
    assert _read(engine, slug, period) == observed[-1]
