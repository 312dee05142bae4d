"""The unit of work on the database (`usecases/unitofwork.py` says what it promises): each `begin`
is one session and one transaction, committed when the block ends, rolled back if it raised.
`SqlStorage` holds only the engine, so one instance serves every thread."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.tracker.adapters import counted, repositories
from services.tracker.adapters.panel_chain import PanelChainRepository


class SqlUnitOfWork:
    def __init__(self, session: Session) -> None:
        self.commitments = repositories.Commitments(session)
        self.recommendations = repositories.Recommendations(session)
        self.panels = repositories.Panels(session)
        self.timeline = repositories.Timeline(session)
        self.notices = repositories.Notices(session)
        self.replies = repositories.Replies(session)
        self.outbox = repositories.Outbox(session)
        self.inbox = repositories.Inbox(session)
        self.access = counted.AccessFailures(session)
        self.pulse = counted.Pulse(session)
        self.rates = counted.RateWindows(session)
        self.panel_chain = PanelChainRepository(session)


class SqlStorage:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def begin(self) -> Iterator[SqlUnitOfWork]:
        with Session(self.engine) as session, session.begin():
            yield SqlUnitOfWork(session)
