"""A production install is the services and nothing else: the project built as a wheel and
installed into an empty virtualenv brings no development tool (mail catcher, process
manager, test tools, linters), `followthrough --version` reads the package metadata, and the
demo commands say which extra they need. pip's cache keeps this to about a minute."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.support.stack import REPO

pytestmark = pytest.mark.packaging
DEV_TOOLS = {"aiosmtpd", "pytest", "hypothesis", "playwright", "ruff", "import-linter", "schemathesis",
             "axe-playwright-python", "check-jsonschema", "kubernetes-validate", "pypdf", "feedparser",
             "argon2-cffi"}


def _run(*cmd, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=600, **kwargs)


def test_a_fresh_install_has_no_development_tool(tmp_path: Path):
    # Built from a copy: setuptools writes build/ and *.egg-info beside the sources.
    source = tmp_path / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".run", "test-artifacts", "build", "*.egg-info", ".hypothesis", ".*_cache", "__pycache__"))
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path / "dist", source)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("followthrough-*.whl")
    venv = tmp_path / "venv"
    assert _run(sys.executable, "-m", "venv", venv).returncode == 0
    pip = venv / "bin" / "pip"
    installed = _run(pip, "install", "-q", "--disable-pip-version-check", wheel)
    assert installed.returncode == 0, installed.stderr[-3000:]

    listed = _run(pip, "list", "--format=freeze", "--disable-pip-version-check").stdout
    names = {line.split("==")[0].lower().replace("_", "-") for line in listed.splitlines()}
    assert {"faust-streaming", "fastapi", "sqlalchemy", "structlog"} <= names
    assert not names & DEV_TOOLS, f"a production install pulled in {sorted(names & DEV_TOOLS)}"

    cli = venv / "bin" / "followthrough"
    shown = _run(cli, "--version")
    assert shown.returncode == 0 and shown.stdout.strip() == f"followthrough {version('followthrough')}"
    for command in ("up", "demo"):
        refused = _run(cli, command, cwd=tmp_path)
        assert refused.returncode == 2 and "followthrough[demo]" in refused.stderr, refused.stderr
