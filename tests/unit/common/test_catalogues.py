"""Every fixed text has its Welsh (docs/contract.md §8.4): a message marked in the code or a template
with no Welsh translation, or with a Welsh one whose placeholders differ, fails here, so it fails
`make test`. `make messages` adds new messages to the catalogues, to be translated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("common", "intake", "tracker", "notifier")


def marked(service: str) -> set[str | tuple[str, ...]]:
    """The messages the service's code and templates mark, as `make messages` extracts them."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = extract_from_dir(str(ROOT / "services" / service), method_map, options_map, keywords=keywords)
    return {message for _file, _line, message, _comments, _context in found}


def welsh(service: str):
    with (ROOT / "services" / service / "locale" / "cy" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale="cy")


@pytest.mark.parametrize("service", SERVICES)
def test_every_marked_message_has_its_welsh(service):
    catalog = welsh(service)
    missing = []
    for message in sorted(marked(service), key=str):
        key = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(key)
        strings = [] if entry is None else (entry.string if isinstance(entry.string, tuple) else (entry.string,))
        if entry is None or entry.fuzzy or not all(strings) or \
                (isinstance(message, tuple) and len(strings) != catalog.num_plurals):
            missing.append(key)
    assert missing == [], (f"{len(missing)} message(s) in services/{service} have no Welsh: run `make messages`, "
                           f"then translate them in services/{service}/locale/cy/LC_MESSAGES/messages.po: "
                           f"{missing[:10]}")


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.mark.parametrize("service", SERVICES)
def test_each_welsh_message_keeps_the_english_placeholders(service):
    """Each Welsh form names exactly the English placeholders (a dropped `%(said)s` would drop people's own
    words from a Welsh page or email); the zero and one forms of a plural may leave out the count."""
    problems = [(m.id, [str(e) for e in errors]) for m, errors in welsh(service).check()]
    for m in welsh(service):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        forms = m.string if isinstance(m.string, tuple) else (m.string,)
        for n, form in enumerate(forms):
            spared = {"num"} if isinstance(m.id, tuple) and n in (0, 1) else set()
            if form and not (wanted - spared <= set(PLACEHOLDER.findall(form)) <= wanted):
                problems.append((ids[0], f"form {n}: {form!r} names {sorted(set(PLACEHOLDER.findall(form)))}, "
                                         f"the English {sorted(wanted)}"))
    assert problems == []


def test_welsh_has_its_six_plural_forms():
    assert welsh("common").num_plurals == 6
