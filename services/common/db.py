"""One engine per process, built from the plain DATABASE_URL users give."""

from __future__ import annotations

from pydantic import SecretStr
from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def sqlalchemy_url(url: str) -> str:
    """`postgresql://…` and `sqlite:///…` are what users write; the driver is ours."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str | SecretStr, **kwargs) -> Engine:
    """Statement parameters (emails, token hashes, free text) never appear in SQLAlchemy's
    logs or in the text of its exceptions (`hide_parameters`). `url` may be the settings'
    masked `Dsn`."""
    url = sqlalchemy_url(url.get_secret_value() if isinstance(url, SecretStr) else url)
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **kwargs)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets readers go on while a writer commits; several services share one file in the demo.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def insert_new(session: Session, table: Table, rows: list[dict]) -> set:
    """Many rows at once, ON CONFLICT DO NOTHING; the primary keys of the rows this call inserted
    (a single-column key), so a batch learns which of its rows were new in one statement."""
    if not rows:
        return set()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    (pk,) = table.primary_key.columns
    stmt = dialect.insert(table).on_conflict_do_nothing().returning(pk)
    return {r[0] for r in session.execute(stmt, rows)}


def insert_once(session: Session, table: Table, **values) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True if this call inserted the row.

    The database's unique keys decide what happens once, not a prior SELECT."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(**values).on_conflict_do_nothing()
    # rowcount is not reliable for this statement across drivers; RETURNING is.
    return session.execute(stmt.returning(*table.primary_key.columns)).first() is not None


def for_update(session: Session, stmt, **kwargs):
    """Lock the selected rows on PostgreSQL (SQLite has one writer at a time anyway)."""
    return stmt.with_for_update(**kwargs) if session.get_bind().dialect.name == "postgresql" else stmt
