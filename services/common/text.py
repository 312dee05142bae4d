"""Free text that people type and the public (or an email header) will read.

Every such field, in the API and the HTML forms alike, uses one of these types:
`OneLine` for names, roles and titles (no control or line-separator characters,
which would break an email subject or header), `PublicText` for what is shown
on public pages (no contact details: the safeguarding rule applies to every
public field, not only a recommendation's title), `PublicLine`, both at once,
and `PublicUrl` for a link the public can follow (an http(s) address whose
host, path, query and fragment, percent-decoded, carry no contact details).
A string field of a request model without one of these types fails
tests/unit/common/test_guard_public_fields.py unless it is listed there, with
the reason it never becomes public.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import unquote_plus, urlsplit

from pydantic import AfterValidator

from schemas.models import Text
from services.common.guard import contact_details_in, explain
from services.common.i18n import N_, _

# Line breaks of every kind: ASCII, NEL (U+0085) and the Unicode line and paragraph separators.
LINE_BREAKS = frozenset("\n\r\v\f\x85\u2028\u2029")


def _one_line(text: str) -> str:
    if any(ch in LINE_BREAKS for ch in text):
        raise ValueError(_("must be one line: remove the line breaks"))
    return text


def _no_contact_details(text: str) -> str:
    found = contact_details_in(text)
    if found:
        raise ValueError(explain(found))
    return text


def _public_url(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # a malformed [IPv6] host
        parts = None
    if not parts or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(_("must be a web address starting with https:// (or http://)"))
    # Each part on its own and decoded ("?ask=jay%40gmail.com&tel=07911123456"), so that the
    # query's '=' and '&' do not glue a detail to its neighbours.
    readable = [parts.netloc + parts.path, *parts.query.split("&"), parts.fragment]
    found = contact_details_in(" \n".join(unquote_plus(p).replace("=", " ") for p in readable))
    if found:
        raise ValueError(explain(found, N_("this link")))
    return url


OneLine = Annotated[Text, AfterValidator(_one_line)]
PublicText = Annotated[Text, AfterValidator(_no_contact_details)]
PublicLine = Annotated[Text, AfterValidator(_one_line), AfterValidator(_no_contact_details)]
PublicUrl = Annotated[Text, AfterValidator(_one_line), AfterValidator(_public_url)]
