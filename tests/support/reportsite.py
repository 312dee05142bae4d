"""The tracker's public report pages as an app in this process, over a bootstrapped tracker on a real
database, with the language middleware the running service has (so `?lang=cy` speaks Welsh): for the
report's integration and browser tests, which seed history on a simulated clock."""

from __future__ import annotations

from fastapi import FastAPI

from services.common import problems
from services.common.i18n import locale_dir
from services.common.i18n_web import LanguageMiddleware
from services.tracker import app as tracker_app
from services.tracker.web import errors as web_errors
from services.tracker.web import panel, register, reports


def report_app(tracker) -> FastAPI:
    app = FastAPI()
    problems.install(app)
    web_errors.install(app)
    app.add_middleware(LanguageMiddleware, own=locale_dir(tracker_app.__file__))
    for router in (reports.router, register.router, panel.router):
        app.include_router(router)
    s = app.state
    s.tracker, s.settings, s.engine, s.clock = tracker, tracker.settings, tracker.engine, tracker.clock
    s.page_cache, s.access, s.storage = tracker.page_cache, tracker.access, tracker.storage
    return app
