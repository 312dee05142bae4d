"""A newcomer can reach every role's page from the README by following links, and no relative
link in the README or docs/ points at a file that does not exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.docs.links import REPO, relative_links, resolve

README = REPO / "README.md"
DOCS = sorted((REPO / "docs").glob("*.md"))
ROLE_PAGES = ["operators", "integrators", "police-leads", "youth-workers", "facilitators", "developers", "contract",
              "architecture"]


def reachable_from(start: Path) -> set[Path]:
    seen, todo = {start}, [start]
    while todo:
        doc = todo.pop()
        for target in relative_links(doc):
            path = resolve(doc, target)
            if path.suffix == ".md" and path.is_file() and path not in seen:
                seen.add(path)
                todo.append(path)
    return seen


def test_a_newcomer_reaches_every_roles_page_from_the_readme():
    reached = {p.relative_to(REPO).as_posix() for p in reachable_from(README)}
    missing = [name for name in ROLE_PAGES if f"docs/{name}.md" not in reached]
    assert not missing, f"no path of links from README.md reaches {missing}"


def test_the_readme_links_every_role_page_itself():
    direct = {resolve(README, t).relative_to(REPO).as_posix() for t in relative_links(README)}
    assert {f"docs/{name}.md" for name in ROLE_PAGES} - direct == set()


@pytest.mark.parametrize("doc", [README, *DOCS], ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_relative_link_resolves(doc: Path):
    broken = [t for t in relative_links(doc) if not resolve(doc, t).exists()]
    assert not broken, f"{doc.relative_to(REPO)} links to files that do not exist: {broken}"


def test_the_link_finder_sees_a_broken_link(tmp_path: Path):
    doc = tmp_path / "page.md"
    doc.write_text("See [there](there.md), [web](https://example.org) and [here](#top).\n"
                   "```\n[not a link](in-a-fence.md)\n```\n")
    assert relative_links(doc) == ["there.md"]
    assert not resolve(doc, "there.md").exists()
