"""The contact-details guard against real-world disguises and against ordinary texts.

The corpora live in guard_corpus/, one text a line, so that a disguise met in the wild is added
as a line, not as code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from services.common.guard import contact_details_in

CORPUS = Path(__file__).parent / "guard_corpus"
DEMO = Path(__file__).resolve().parents[3] / "devtools" / "demo"


def lines(name: str) -> list[str]:
    """The corpus's texts, with each \\uXXXX written as the character it names."""
    texts = (line for line in (CORPUS / name).read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#"))
    return [re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), t) for t in texts]


def demo_texts() -> list[str]:
    """Every string the demo sends, but for its invented addresses at example.org."""
    found = set()
    for source in DEMO.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "@" not in node.value:
                found.add(node.value)
    return sorted(found)


@pytest.mark.parametrize("text", lines("disguised.txt"))
def test_a_disguised_contact_detail_is_refused(text):
    assert contact_details_in(text), f"passed the guard: {text!r}"


@pytest.mark.parametrize("text", lines("legitimate.txt"))
def test_an_ordinary_text_passes(text):
    assert contact_details_in(text) == [], f"refused an ordinary text: {text!r}"


def test_every_text_of_the_demo_passes():
    texts = demo_texts()
    assert len(texts) > 50  # the walk found the demo's texts
    assert {t: f for t in texts if (f := contact_details_in(t))} == {}
