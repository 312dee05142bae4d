"""One engine per process, built from the plain DATABASE_URL users give."""

from __future__ import annotations

import json

from pydantic import SecretStr
from sqlalchemy import JSON, Engine, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def sqlalchemy_url(url: str) -> str:
    """`postgresql://…` and `sqlite:///…` are what users write; the driver is ours."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str | SecretStr, pool_size: int = 10, **kwargs) -> Engine:
    """Statement parameters (emails, token hashes, free text) never appear in SQLAlchemy's
    logs or in the text of its exceptions (`hide_parameters`). `url` may be the settings'
    masked `Dsn`."""
    url = sqlalchemy_url(url.get_secret_value() if isinstance(url, SecretStr) else url)
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=10, **kwargs)


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
    (pk,) = table.primary_key.columns
    if session.get_bind().dialect.name == "postgresql":
        return {r[0] for r in session.execute(*_unnest_insert(table, pk, rows))}
    stmt = sqlite.insert(table).on_conflict_do_nothing().returning(pk)
    return {r[0] for r in session.execute(stmt, rows)}


def _unnest_insert(table: Table, pk, rows: list[dict]) -> tuple:
    """One short statement whatever the batch size: each column travels as one array parameter and
    `unnest` turns them back into rows. A multi-row VALUES list (SQLAlchemy's "insertmanyvalues") is a
    new statement text for every batch, which psycopg then parses in Python, placeholder by placeholder:
    a quarter of the tracker's ingest time before this."""
    keys = list(rows[0])
    dialect = postgresql.dialect()
    casts, params = [], {}
    for i, key in enumerate(keys):
        column = table.c[key]
        values = [row[key] for row in rows]
        if isinstance(column.type, JSON):
            values = [None if v is None else json.dumps(v) for v in values]
        params[f"p{i}"] = values
        casts.append(f"CAST(:p{i} AS {column.type.compile(dialect)}[])")
    names = ", ".join(f'"{k}"' for k in keys)
    sql = (f'INSERT INTO "{table.name}" ({names}) SELECT * FROM unnest({", ".join(casts)}) '
           f'ON CONFLICT DO NOTHING RETURNING "{pk.name}"')
    return text(sql), params


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
