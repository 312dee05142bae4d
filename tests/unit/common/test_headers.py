"""The security headers every service sends."""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.testclient import TestClient

from services.common import headers


def _app() -> FastAPI:
    app = FastAPI(title="t")

    @app.get("/page", response_class=HTMLResponse)
    def page() -> str:
        return "<style>p{}</style><p>hi</p>"

    @app.get("/commitments/{cid}/respond", response_class=HTMLResponse)
    def respond(cid: str) -> str:
        return "<form></form>"

    @app.post("/commitments/{cid}/respond")
    def respond_post(cid: str) -> PlainTextResponse:
        return PlainTextResponse("ok", headers={"Cache-Control": "max-age=60"})

    headers.install(app)
    return app


def _directives(csp: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (x.strip() for x in csp.split(";")) if d}


def test_every_answer_gets_the_headers():
    client = TestClient(_app())
    for r in (client.get("/page"), client.get("/nowhere"), client.get("/openapi.json")):
        d = _directives(r.headers["content-security-policy"])
        assert d["default-src"] == ["'self'"] and d["script-src"] == ["'self'"]
        assert d["style-src"] == ["'self'", "'unsafe-inline'"]  # the tracker's inline style sheet
        assert d["frame-ancestors"] == ["'none'"] and d["base-uri"] == ["'none'"] and d["form-action"] == ["'self'"]
        assert d["object-src"] == ["'none'"]
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "cache-control" not in r.headers


def test_pages_with_a_token_in_the_address_are_never_stored():
    client = TestClient(_app())
    assert client.get("/commitments/abc/respond?token=t").headers["cache-control"] == "no-store"
    assert client.post("/commitments/abc/respond").headers["cache-control"] == "no-store"  # replaced, not added
    assert "cache-control" not in client.get("/commitments/abc").headers


def test_the_api_docs_allow_exactly_their_own_inline_script():
    client = TestClient(_app())
    r = client.get("/docs")
    assert r.status_code == 200
    (inline,) = [s for s in re.findall(r"<script>(.*?)</script>", r.text, re.S)]
    digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    scripts = _directives(r.headers["content-security-policy"])["script-src"]
    assert f"'sha256-{digest}'" in scripts and "'unsafe-inline'" not in scripts
    assert int(r.headers["content-length"]) == len(r.content)
    assert "'unsafe-inline'" not in _directives(client.get("/redoc").headers["content-security-policy"])["script-src"]
