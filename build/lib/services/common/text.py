"""Free text that people type and the public (or an email header) will read.

Every such field, in the API and the HTML forms alike, uses one of these types:
`OneLine` for names, roles and titles (no control or line-separator characters,
which would break an email subject or header), `PublicText` for what is shown
on public pages (no contact details: the safeguarding rule of SPEC §1 applies
to every public field, not only a recommendation's title), and `PublicLine`,
both at once.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from schemas.models import Text
from services.common.guard import contact_details_in, explain

# Line breaks of every kind: ASCII, NEL (U+0085) and the Unicode line and paragraph separators.
LINE_BREAKS = frozenset("\n\r\v\f\x85\u2028\u2029")


def _one_line(text: str) -> str:
    if any(ch in LINE_BREAKS for ch in text):
        raise ValueError("must be one line: remove the line breaks")
    return text


def _no_contact_details(text: str) -> str:
    found = contact_details_in(text)
    if found:
        raise ValueError(explain(found))
    return text


OneLine = Annotated[Text, AfterValidator(_one_line)]
PublicText = Annotated[Text, AfterValidator(_no_contact_details)]
PublicLine = Annotated[Text, AfterValidator(_one_line), AfterValidator(_no_contact_details)]
