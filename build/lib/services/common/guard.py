"""Refuse text that looks like a young person's contact details.

The safeguarding rule (SPEC §1): recommendations belong to a panel, never to a
person, so titles and details must not carry phone numbers, email addresses,
street addresses or social media handles.
"""

from __future__ import annotations

import re

import phonenumbers

# phonenumbers' VALID check misses the ranges Ofcom reserves for examples
# (07700 900xxx), which real-looking samples use; this catches UK shapes too.
_UK_PHONE = re.compile(r"(?:\+44\s?\(?0?\)?\s?|\b0)(?:7\d{3}\s?\d{3}\s?\d{3}|[12]\d{1,3}\s?\d{3,4}\s?\d{3,4})\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_.]{3,30}\b")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b", re.IGNORECASE)
_STREET = re.compile(
    r"\b\d{1,4}[a-z]?,? +(?:[A-Z][a-z]+ +){1,3}"
    r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Grove|Gardens|Crescent|Court|Place|Terrace|Hill|Row|Walk|Square|Mews)\b"
)


def contact_details_in(text: str) -> list[str]:
    """What in `text` looks like contact details, as plain-language findings."""
    found = []
    if _EMAIL.search(text):
        found.append("an email address")
    if _UK_PHONE.search(text) or any(
        True for _ in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.VALID)
    ):
        found.append("a phone number")
    if _STREET.search(text) or _POSTCODE.search(text):
        found.append("a street address or postcode")
    if _HANDLE.search(_EMAIL.sub("", text)):
        found.append("a social media handle")
    return found


def explain(findings: list[str]) -> str:
    return (
        f"this text seems to contain {' and '.join(findings)}. followthrough never stores young "
        "people's contact details: describe the recommendation without them."
    )
