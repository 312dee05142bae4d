"""The real Kafka broker and PostgreSQL cluster for the test run, started
through deploy/local on ports of their own, so a running demo is untouched."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[2]
KAFKA_PORT = int(os.environ.get("FT_TEST_KAFKA_PORT", "19092"))
PG_PORT = int(os.environ.get("FT_TEST_PG_PORT", "15433"))
RUN_DIR = os.environ.get("FT_TEST_RUN_DIR", "/tmp/followthrough-test")


def _env() -> dict[str, str]:
    return {**os.environ, "KAFKA_PORT": str(KAFKA_PORT), "PG_PORT": str(PG_PORT),
            "FOLLOWTHROUGH_RUN_DIR": RUN_DIR, "FOLLOWTHROUGH_PYTHON": sys.executable}


def script(name: str, action: str) -> None:
    subprocess.run([str(REPO / "deploy" / "local" / name), action], env=_env(), check=True)


@dataclass
class Stack:
    bootstrap: str
    admin_url: str  # the cluster's maintenance database

    def new_database(self) -> str:
        """A fresh, empty database: each test owns its tables."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        engine = sa.create_engine(self.admin_url.replace("postgresql://", "postgresql+psycopg://"),
                                  isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.admin_url.rsplit("/", 1)[0] + "/" + name


def start() -> Stack:
    script("kafka.sh", "start")
    script("postgres.sh", "start")
    return Stack(bootstrap=f"127.0.0.1:{KAFKA_PORT}",
                 admin_url=f"postgresql://followthrough:followthrough@127.0.0.1:{PG_PORT}/followthrough")


def stop() -> None:
    script("kafka.sh", "stop")
    script("postgres.sh", "stop")
