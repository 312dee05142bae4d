"""The public view of an event's data: the same data with every staff email address taken out.

Events name the police lead, the owner and the escalation ladder by email (Contact.email, Owner.email,
Escalation.supervisor / senior_lead / board, Notice.recipients...). A service outside the police, such as
a council's case system or a charity's CRM, has no business holding officers' addresses, so what leaves us
through a webhook is this view (docs/contract.md §8.3). The rule is blunt on purpose: no "@" ever leaves,
whatever field a future event adds.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

REMOVED = "[email removed]"

# A whole value that is one address: a token with one "@" and something on each side. Loose on purpose
# (no dot needed, any characters): a value like this is an address or nothing worth publishing.
_WHOLE_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
# An address inside running text. The look-behind lets a match start only where a run starts, so a long
# run without "@" is scanned once, not once per character.
_LOCAL_CHARS = r"[^\s@<>()\[\]{},;:\"'`]"
_EMAIL_IN_TEXT = re.compile(rf"(?<!{_LOCAL_CHARS}){_LOCAL_CHARS}+@[\w-]+(?:\.[\w-]+)*")


def public_view(data: Any) -> Any:
    """`data` with staff emails removed; `data` itself is not changed.

    - a dict entry whose value is an email address is dropped (Contact.email, Escalation.supervisor...);
    - a dict entry whose key is an email address is dropped with its value (Notice.languages);
    - a list item that is an email address is dropped (Notice.recipients);
    - any other string holding "@" (or its look-alikes "＠", "﹫") has each address in it replaced by
      "[email removed]" and any "@" left becomes " at ".
    Numbers, booleans, None and strings without "@" come back as they were.
    """
    if isinstance(data, dict):
        return _public_dict(data)
    if isinstance(data, (list, tuple)):
        return [public_view(item) for item in data if not is_email(item)]
    if isinstance(data, str):
        return scrub(data)
    return data


def _public_dict(data: dict) -> dict:
    kept: dict = {}
    for key, value in data.items():
        if is_email(key) or is_email(value):
            continue
        kept[scrub(key) if isinstance(key, str) else key] = public_view(value)
    return kept


def is_email(value: Any) -> bool:
    """Whether `value` is, as a whole, one email address (look-alike "@" included)."""
    if not isinstance(value, str):
        return False
    plain = _plain(value)
    return plain is not None and _WHOLE_EMAIL.fullmatch(plain.strip()) is not None


def scrub(text: str) -> str:
    """`text` with every address replaced and no "@" left; unchanged when it holds no "@"."""
    plain = _plain(text)
    if plain is None:
        return text
    return _EMAIL_IN_TEXT.sub(REMOVED, plain).replace("@", " at ")


def _plain(text: str) -> str | None:
    """`text` in NFKC form (fullwidth and small "@" become "@", fullwidth letters plain, so an address in
    disguise is matched whole), or None when it holds no "@" at all: such text is kept exactly as written."""
    plain = unicodedata.normalize("NFKC", text)
    return plain if "@" in plain else None
