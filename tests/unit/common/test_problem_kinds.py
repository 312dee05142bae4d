"""The problem kinds' registry: slugs are URL-safe and unique, titles are fixed, and the contract
(docs/contract.md §7, the table a client reads before it branches on `type`) lists every kind."""

from __future__ import annotations

import re

import pytest

from services.common import problems
from tests.support.stack import REPO


def test_kinds_are_url_safe_and_registered_once():
    for slug, kind in problems.KINDS.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) and kind.slug == slug
        assert 400 <= kind.status < 600 and kind.title and kind.what and kind.todo
    with pytest.raises(ValueError):
        problems.kind("not-found", 404, "Not found", "again", "again")


def test_a_legacy_problem_finds_its_kind_or_is_about_blank():
    assert problems.Problem(404, "Not found", "x").kind is problems.NOT_FOUND
    blank = problems.Problem(418, "Something new", "x")
    assert (blank.kind.slug, blank.title, blank.status) == ("about:blank", "I'm a Teapot", 418)


def test_fields_become_json_pointers():
    assert problems.pointer("commitment.due") == "/commitment/due"
    assert problems.pointer("recommendations.0.title") == "/recommendations/0/title"
    assert problems.pointer("a/b~c") == "/a~1b~0c"
    p = problems.INVALID_REQUEST("x", errors=[{"field": "commitment.due", "message": "m", "fix": "f"}])
    assert p.errors == [{"pointer": "/commitment/due", "field": "commitment.due", "message": "m", "fix": "f"}]


@pytest.mark.parametrize("doc", ["docs/contract.md"])
def test_the_docs_list_every_kind(doc):
    text = (REPO / doc).read_text()
    for slug, kind in problems.KINDS.items():
        assert f"| `{slug}` | {kind.status} | {kind.title} |" in text, (doc, slug)
