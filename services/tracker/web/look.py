"""The tracker's page templates (its own, over every service's shared base template and stylesheet),
and the plain page that says one thing: a link that does not work, a panel we cannot find."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request, Response

from services.common.pagetemplates import page_templates

templates = page_templates(Path(__file__).parent / "templates", home="/register",
                           footer_note="This page shows no one's name or contact details.")


def message_page(request: Request, status: int, heading: str, text: str) -> Response:
    return templates.TemplateResponse(request, "message.html", {"heading": heading, "text": text}, status_code=status)
