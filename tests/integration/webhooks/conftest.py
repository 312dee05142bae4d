"""Webhooks store tests run the same checks on SQLite (the demo's database) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

import services
from services.common.db import make_engine
from services.common.migrate import upgrade_service
from services.webhooks.adapters import tables

MIGRATIONS = Path(services.__file__).parent / "webhooks" / "migrations"


def migrate(engine) -> None:
    upgrade_service(engine, "webhooks", MIGRATIONS, tables.metadata)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A migrated webhooks database: a SQLite file, and a fresh PostgreSQL database."""
    url = (f"sqlite:///{tmp_path / 'webhooks.db'}" if request.param == "sqlite"
           else request.getfixturevalue("database_url"))
    engine = make_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()
