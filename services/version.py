"""What `followthrough --version` says: the installed release, and the commit when the code runs
from a git checkout. An operator asked "which one is running?" needs both: a checkout between
releases still says the last version in pyproject.toml, and only the commit tells it apart."""

from __future__ import annotations

import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def installed() -> str:
    try:
        return version("followthrough")
    except PackageNotFoundError:  # run from sources that were never installed
        return "unknown"


def checkout_commit(repo: Path = REPO) -> str | None:
    """`abc123def456` (with `+changes` when files differ from it), or None outside a git checkout.
    An installed wheel sits in site-packages, which has no `.git`, so it never asks git."""
    if not (repo / ".git").exists():  # a directory in a clone, a file in a worktree
        return None

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=10)

    try:
        head = git("rev-parse", "--short=12", "HEAD")
        if head.returncode:
            return None
        changed = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    except (OSError, subprocess.TimeoutExpired):  # no git on this machine
        return None
    return head.stdout.strip() + ("+changes" if changed else "")


def describe() -> str:
    """`followthrough 0.3.0`, or `followthrough 0.3.0 (commit abc123def456)` from a checkout."""
    commit = checkout_commit()
    return f"followthrough {installed()}" + (f" (commit {commit})" if commit else "")
