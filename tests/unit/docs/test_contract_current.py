"""docs/contract.md's generated tables say what the code says now (`make docs` rewrites them)."""

from __future__ import annotations

import pytest

from devtools.contractdocs.markers import CONTRACT, MarkerError, rewrite, stale_sections
from devtools.contractdocs.tables import SECTIONS


@pytest.fixture(scope="module")
def fresh() -> dict[str, str]:
    return {name: render() for name, render in SECTIONS.items()}


def test_the_committed_contract_is_current(fresh):
    stale = stale_sections(CONTRACT.read_text(), fresh)
    assert not stale, f"docs/contract.md is stale in {stale}: run `make docs`"


def test_a_changed_table_is_named_and_rewritten(fresh):
    text = CONTRACT.read_text()
    tampered = text.replace("| `KAFKA_BOOTSTRAP_SERVERS` |", "| `KAFKA_BOOTSTRAP_SERVER` |", 1)
    assert tampered != text
    assert stale_sections(tampered, fresh) == ["settings"]
    assert rewrite(tampered, fresh) == text


def test_a_missing_marker_is_an_error(fresh):
    text = CONTRACT.read_text().replace("<!-- generated: problems -->", "", 1)
    with pytest.raises(MarkerError, match="problems"):
        stale_sections(text, fresh)


def test_the_words_outside_the_markers_are_left_alone(fresh):
    text = "# Title\n\nwritten by people\n\n" + "".join(
        f"<!-- generated: {name} -->\nSTALE-BODY\n<!-- end generated -->\n" for name in fresh)
    new = rewrite(text, fresh)
    assert new.startswith("# Title\n\nwritten by people\n\n")
    assert "STALE-BODY" not in new
