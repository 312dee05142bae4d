"""One look for every service's pages: each service's own templates, then the shared base template and
stylesheet (services/common/templates), so a page extends "base.html" and gets the same header,
footer and CSS whichever service serves it, and the header's link to the page in the other language."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from services.common import i18n_web

SHARED = Path(__file__).parent / "templates"


def page_templates(own: Path, *, home: str | None, footer_note: str) -> Jinja2Templates:
    """The service's templates (`own` first, so its pages win) over the shared base; `home` is where the
    header's name links to (None: no link), `footer_note` the line every page ends with."""
    templates = Jinja2Templates(directory=[str(own), str(SHARED)])
    templates.env.globals.update(home=home, footer_note=footer_note)
    i18n_web.install(templates.env)
    return templates
