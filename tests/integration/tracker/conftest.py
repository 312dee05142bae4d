"""Tracker tests that run the same checks on SQLite (the demo's database) and PostgreSQL."""

from __future__ import annotations

import pytest

from services.common.db import make_engine
from services.tracker.bootstrap import migrate


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A migrated tracker database: a SQLite file, and a fresh PostgreSQL database."""
    url = (f"sqlite:///{tmp_path / 'tracker.db'}" if request.param == "sqlite"
           else request.getfixturevalue("database_url"))
    engine = make_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()
