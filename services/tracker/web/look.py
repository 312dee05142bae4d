"""The tracker's page templates (its own, over every service's shared base template and stylesheet),
and the plain page that says one thing: a link that does not work, a panel we cannot find."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request, Response

from services.common.i18n import N_, gettext
from services.common.pagetemplates import page_templates

templates = page_templates(Path(__file__).parent / "templates", home="/register",
                           footer_note=N_("This page shows no one's name or contact details."))


def message_page(request: Request, status: int, heading: str, text: str) -> Response:
    """`heading` and `text` may be catalogue messages (marked `N_` where they are written) or words already
    translated: either way the page shows them in the visitor's language."""
    return templates.TemplateResponse(request, "message.html", {"heading": gettext(heading), "text": gettext(text)},
                                      status_code=status)
