"""Alembic, run from code: each service keeps its own migrations and its own
version table, so services sharing one database never touch each other's."""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Engine, MetaData, func, select

_MIGRATION_LOCK = 7_311_911  # any constant; serialises replicas migrating at once


def upgrade(engine: Engine, script_location: Path, version_table: str, metadata: MetaData) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    with _sqlite_file_lock(engine), engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(_MIGRATION_LOCK)))
        cfg.attributes.update(connection=conn, version_table=version_table, metadata=metadata)
        command.upgrade(cfg, "head")


@contextmanager
def _sqlite_file_lock(engine: Engine):
    """Services sharing one SQLite file start together; let one migrate at a time."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    with open(f"{path}.migrate-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def run_env() -> None:
    """The body of every service's migrations/env.py."""
    cfg = context.config
    conn = cfg.attributes["connection"]
    context.configure(
        connection=conn,
        target_metadata=cfg.attributes["metadata"],
        version_table=cfg.attributes["version_table"],
        render_as_batch=conn.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


COMMON = Path(__file__).parent / "migrations"


def upgrade_common(engine: Engine) -> None:
    """The tables every service shares (API tokens); run by each service at start."""
    from services.common.tokens import metadata

    upgrade(engine, COMMON, "common_alembic_version", metadata)


def upgrade_service(engine: Engine, service: str, migrations: Path, metadata: MetaData) -> None:
    """The shared token table, then the service's own tables (`<service>_alembic_version`)."""
    upgrade_common(engine)
    upgrade(engine, migrations, f"{service}_alembic_version", metadata)
