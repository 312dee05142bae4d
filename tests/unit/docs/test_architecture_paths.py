"""docs/architecture.md names real files: every repository path it writes in backticks exists,
and its module lists name every module of each layer (and nothing that is gone)."""

from __future__ import annotations

import re

import pytest

from tests.unit.docs.links import REPO

ARCHITECTURE = REPO / "docs" / "architecture.md"
_SPAN = re.compile(r"`([^`\n]+)`")
_SUFFIXES = (".py", ".md", ".html", ".txt", ".yaml", ".yml", ".json", ".toml", ".csv", ".sh", ".ini")
# The directories whose modules the doc lists one by one, in a bullet that starts with the directory.
LISTED = ["services/tracker/domain/", "services/tracker/usecases/", "services/tracker/adapters/",
          "services/tracker/entrypoints/", "services/tracker/web/"] + [
    f"services/{service}/{room}" for service in ("intake", "notifier")
    for room in ("", "domain/", "usecases/", "adapters/", "entrypoints/", "web/")
    if service != "notifier" or room != "web/"]


def repository_paths(text: str) -> list[str]:
    """Backticked spans that are paths in the repository: a slash, no spaces or placeholders, and a
    file's suffix or a directory's trailing slash (`application/json` and `/panels/{slug}` are not)."""
    spans = (s for s in _SPAN.findall(text) if "/" in s and not re.search(r"[\s<>{}()=:]", s))
    return [s for s in spans if not s.startswith("/") and (s.endswith("/") or s.endswith(_SUFFIXES))]


def exists(path: str) -> bool:
    return any(REPO.glob(path)) if "*" in path else (REPO / path).exists()


def bullet(text: str, directory: str) -> str:
    start = text.index(f"- **`{directory}`**")
    end = text.find("\n- **", start + 1)
    return text[start:end if end != -1 else None]


def test_the_doc_names_paths():
    assert len(repository_paths(ARCHITECTURE.read_text())) > 50


def test_every_path_it_names_exists():
    missing = sorted({p for p in repository_paths(ARCHITECTURE.read_text()) if not exists(p)})
    assert not missing, f"docs/architecture.md names paths that do not exist: {missing}"


@pytest.mark.parametrize("directory", LISTED)
def test_each_layer_list_names_exactly_its_modules(directory: str):
    listed = set(_SPAN.findall(bullet(ARCHITECTURE.read_text(), directory)))
    modules = {p.name for p in (REPO / directory).glob("*.py") if p.name != "__init__.py"}
    assert not modules - listed, f"docs/architecture.md's {directory} list misses {sorted(modules - listed)}"
    gone = {s for s in listed if s.endswith(".py") and "/" not in s} - modules
    assert not gone, f"docs/architecture.md's {directory} list names modules that are gone: {sorted(gone)}"


def test_the_path_finder_tells_paths_from_other_code():
    text = "`services/tracker/app.py`, `schemas/json/*.json`, `web/`, `application/problem+json`, " \
           "`/panels/{slug}`, `followthrough/<service>`, `GET /register`"
    assert repository_paths(text) == ["services/tracker/app.py", "schemas/json/*.json", "web/"]
    assert not exists("services/tracker/no_such_module.py")
