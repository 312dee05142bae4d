"""SQL parameters (emails, token hashes) never reach logs or error texts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from services.common.db import make_engine


def test_a_failed_statement_does_not_show_its_parameters(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE people (email TEXT PRIMARY KEY)"))
        conn.execute(sa.text("INSERT INTO people VALUES (:e)"), {"e": "young.person@example.org"})
    with pytest.raises(sa.exc.IntegrityError) as failed:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO people VALUES (:e)"), {"e": "young.person@example.org"})
    assert "young.person@example.org" not in str(failed.value)
    assert engine.hide_parameters
