"""Property tests of the contact-details guard: contact details in any disguise are refused,
and ordinary texts in any width or with invisible characters pass.

Run with --hypothesis-show-statistics to see how many examples each test tried."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.guard import contact_details_in
from tests.unit.common.test_guard_corpus import lines

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u034f"]
COMBINING = ["\u0300", "\u0301", "\u0303", "\u0308", "\u0327", "\u0336", "\u20dd", "\u20e3"]
PROVIDERS = ["gmail", "googlemail", "hotmail", "outlook", "live", "yahoo", "icloud", "btinternet", "aol",
             "protonmail", "sky", "virginmedia"]
TLDS = [["com"], ["co", "uk"], ["net"], ["org", "uk"], ["me"]]
ATS = ["@", " @ ", "@ ", " @", "(at)", " (at) ", "[at]", " [ at ] ", "{at}", "<at>", " at ", " AT ", "(@)", " [@] ",
       "(AT)", " at ", "[ at]"]
DOTS = [".", " . ", "(dot)", " (dot) ", "[dot]", " [ dot ] ", " dot ", " DOT ", "[.]", " (.) ", "{dot}", "<dot>"]
PLATFORM_PREFIXES = ["snap: ", "snap chat: ", "@ ",
                     "snap:", "Snapchat: ", "snapchat - ", "sc: ", "SC:", "insta: ", "Insta ", "insta ",
                     "instagram: ", "ig: ", "IG ", "tiktok @", "TikTok: @", "tiktok @ ", "tik tok: ", "my snap is ",
                     "add me on snap ", "my insta is ", "follow me on tiktok ", "snap = ", "discord: ", "kik: "]
PROFILE_HOSTS = ["instagram.com/", "tiktok.com/@", "snapchat.com/add/", "facebook.com/", "twitter.com/", "x.com/",
                 "m.facebook.com/", "instagr.am/", "threads.net/@"]
STREET_NAMES = ["hoe", "forest", "church", "high", "mill", "victoria", "queens", "orford", "markhouse", "chingford",
                "lea bridge", "st james", "blackhorse", "wood", "coppermill", "lloyd", "vallentin"]
SUFFIXES = ["street", "st", "road", "rd", "avenue", "ave", "lane", "grove", "gardens", "crescent", "terrace",
            "mews", "square"]
SAFE_WORDS = ["officers", "should", "explain", "stops", "to", "young", "people", "at", "the", "station", "youth",
              "club", "community", "centre", "in", "schools", "every", "month", "dot", "training", "respect",
              "panel", "asked", "for", "more", "on", "street", "a", "1", "3", "chance", "met", "5", "review",
              "Walthamstow", "Central", "March", "2026", "snap", "decision", "insta", "page", "road", "safety"]

letters = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8)
digits = st.text(alphabet="0123456789", min_size=1, max_size=4)
names = st.builds(lambda a, b, sep: a + sep + b, letters, digits, st.sampled_from(["", "_", ".", "_x"]))
safe_text = st.lists(st.sampled_from(SAFE_WORDS), max_size=6).map(" ".join)


@st.composite
def emails(draw) -> str:
    local = draw(st.one_of(letters, names))
    at = draw(st.sampled_from(ATS))
    labels = [draw(st.sampled_from(PROVIDERS)), *draw(st.sampled_from(TLDS))]
    dot = draw(st.sampled_from(DOTS))
    return local + at + dot.join(labels)


NUMBER_WORDS = "zero one two three four five six seven eight nine".split()


@st.composite
def phones(draw) -> str:
    """A UK mobile number, its digits broken up, some written as words, a zero as the letter O."""
    rest = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    start = draw(st.sampled_from(["07", "+447", "+44 7", "+44 (0) 7", "+44(0)7", "0044 7", "O7"]))
    seps = draw(st.lists(st.sampled_from(["", "", "", " ", "-", ".", " - ", ", "]), min_size=9, max_size=9))
    if draw(st.booleans()):  # all in words, as "oh seven nine one one..."
        spoken = {**dict(enumerate(NUMBER_WORDS)), "+": "plus", "O": "oh", "(": "(", ")": ")"}
        return " ".join(spoken[int(d) if d.isdigit() else d] for d in (start + rest).replace(" ", ""))
    return start + "".join(s + d for s, d in zip(seps, rest, strict=True))


@st.composite
def handles(draw) -> str:
    return draw(st.sampled_from(PLATFORM_PREFIXES)) + draw(names)


@st.composite
def profile_links(draw) -> str:
    scheme = draw(st.sampled_from(["", "https://", "http://", "https://www.", "www."]))
    return scheme + draw(st.sampled_from(PROFILE_HOSTS)) + draw(names) + draw(st.sampled_from(["", "/", "?hl=en"]))


@st.composite
def postcodes(draw) -> str:
    outward = draw(st.from_regex(r"[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]?", fullmatch=True))
    inward = draw(st.from_regex(r"[0-9][ABD-HJLNP-UW-Z]{2}", fullmatch=True))
    return outward + draw(st.sampled_from([" ", "", "  "])) + inward


@st.composite
def street_lines(draw) -> str:
    number = str(draw(st.integers(1, 999))) + draw(st.sampled_from(["", "a", "b", "A"]))
    flat = draw(st.sampled_from(["", "flat 3, ", "Flat 12 ", "apartment 2, "]))
    return (flat + number + draw(st.sampled_from(["", ","])) + " " + draw(st.sampled_from(STREET_NAMES)) + " "
            + draw(st.sampled_from(SUFFIXES)))


def widen(text: str, which: list[bool]) -> str:
    """Some characters in their fullwidth forms (as a phone keyboard set to Japanese types them)."""
    return "".join(chr(ord(ch) + 0xFEE0) if wide and "!" <= ch <= "~" else ("\u3000" if wide and ch == " " else ch)
                   for ch, wide in zip(text, which + [False] * len(text), strict=False))


@st.composite
def disguised(draw, details) -> str:
    text = draw(details)
    text = "".join(ch.upper() if up else ch for ch, up in zip(text, draw(st.lists(st.booleans(), max_size=60))
                                                                + [False] * len(text), strict=False))
    text = widen(text, draw(st.lists(st.booleans(), max_size=60)))
    for _ in range(draw(st.integers(0, 4))):  # invisible characters, anywhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(INVISIBLE)) + text[at:]
    for _ in range(draw(st.integers(0, 3))):  # combining marks, after any character
        at = draw(st.integers(1, len(text)))
        text = text[:at] + draw(st.sampled_from(COMBINING)) + text[at:]
    return f"{draw(safe_text)} {text} {draw(safe_text)}".strip()


KINDS = {"email": emails(), "phone": phones(), "handle": handles(), "link": profile_links(),
         "postcode": postcodes(), "street": street_lines()}


@settings(max_examples=1500, deadline=None)
@given(kind=st.sampled_from(sorted(KINDS)), data=st.data())
def test_contact_details_in_any_disguise_are_refused(kind, data):
    text = data.draw(disguised(KINDS[kind]), label=kind)
    assert contact_details_in(text), f"a disguised {kind} passed the guard: {text!r}"


@settings(max_examples=500, deadline=None)
@given(text=st.sampled_from(lines("legitimate.txt")), wide=st.lists(st.booleans(), max_size=80),
       invisible=st.lists(st.tuples(st.integers(0, 80), st.sampled_from(INVISIBLE)), max_size=4))
def test_ordinary_texts_pass_in_any_width_and_with_invisible_characters(text, wide, invisible):
    text = widen(text, wide)
    for at, ch in invisible:
        text = text[:at] + ch + text[at:]
    assert contact_details_in(text) == [], f"refused an ordinary text: {text!r}"
