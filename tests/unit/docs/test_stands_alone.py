"""The repository stands alone: nothing points at a file outside it, and its docs name their
own contract (docs/contract.md), never another document's."""

from __future__ import annotations

import re

from tests.unit.docs.links import REPO

SKIP = {".venv", "node_modules", ".git", "followthrough.egg-info"}
OUTSIDE = "shared" + "/"  # spelt in two, so that this file does not match itself


def files(*suffixes: str):
    for path in REPO.rglob("*"):
        if path.suffix in suffixes and path.is_file() and not SKIP & set(path.relative_to(REPO).parts):
            yield path


def test_no_python_or_markdown_file_points_outside_the_repository():
    outside = [p.relative_to(REPO).as_posix() for p in files(".py", ".md")
               if OUTSIDE in p.read_text(errors="replace")]
    assert not outside, f"these name a path outside the repository: {outside}"


def test_the_docs_cite_their_own_contract():
    docs = [REPO / "README.md", *(REPO / "docs").rglob("*.md"), REPO / "bench" / "README.md"]
    citing = [p.relative_to(REPO).as_posix() for p in docs if re.search(r"\bSPEC\b", p.read_text())]
    assert not citing, f"these cite a document the repository does not have: {citing}"
