"""PostgreSQL's own backup tools, run as docs/backup-and-restore.md tells an operator to."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def tool(name: str) -> str:
    """pg_dump or pg_restore: from PATH, else the newest of Debian's server packages (as
    deploy/local/postgres.sh finds the server)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    assert candidates, f"{name} is not installed: apt-get install postgresql-client"
    return str(candidates[-1])


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(args[:2])}: {done.stderr[-2000:]}"
    return done.stdout


def back_up(database_url: str, to: Path) -> None:
    """The backup to take before an upgrade: one file, PostgreSQL's custom format."""
    _run(tool("pg_dump"), "--format=custom", "--no-owner", f"--file={to}", database_url)


def restore(backup: Path, database_url: str) -> None:
    """Into a new, empty database; stops at the first error."""
    _run(tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={database_url}", str(backup))


def plain(database_url: str) -> str:
    """The whole database (tables, rows, sequences, migrations' version tables) as SQL text."""
    return _run(tool("pg_dump"), "--no-owner", database_url)
