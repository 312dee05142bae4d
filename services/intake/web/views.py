"""Rendering intake's pages: every page carries a fresh CSRF token for its forms; refusals are
pages in plain words, not JSON."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi import Request, Response
from markupsafe import Markup

from services.common.i18n import N_
from services.common.pagetemplates import page_templates

templates = page_templates(Path(__file__).parent.parent / "templates", home=None,
                           footer_note=N_("Never write a young person's name or contact details here."))


def user(text: str) -> Markup:
    """Text a person gave (an address, a panel's name) inside a translated sentence: escaped and marked
    as theirs, shown as written."""
    return Markup('<span class="user">{}</span>').format(text)


def date_value(text: str) -> str:
    """What a date input may show again: a valid date (HTML requires one), else nothing; the
    field's error says what was wrong with the text sent."""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except (TypeError, ValueError):
        return ""


templates.env.filters["date_value"] = date_value
templates.env.globals["user"] = user


def page(request: Request, template: str, status_code: int = 200, headers: dict | None = None,
         **context) -> Response:
    state = request.app.state
    csrf, cookie = state.csrf.issue(request)
    response = templates.TemplateResponse(request, template, {"csrf": csrf, **context}, status_code=status_code,
                                          headers=headers)
    return state.csrf.remember(request, response, cookie)


def refusal(request: Request, status_code: int, heading: str, text: str, headers: dict | None = None,
            signin: bool = False) -> Response:
    return page(request, "message.html", status_code, headers, heading=heading, text=text, signin=signin)
