"""What a problem type looks like outside an answer: the short human page at its `type` URI,
and the `Problem` schema every 4xx/5xx response has in a service's OpenAPI document."""

from __future__ import annotations

import html
from typing import Callable, Protocol

from fastapi import FastAPI

PROBLEM_JSON = "application/problem+json"


class Described(Protocol):
    """A problem kind as its page shows it (services/common/problems.py `Kind`)."""
    slug: str
    status: int
    title: str
    what: str
    todo: str


def page(kind: Described) -> str:
    """The short human page at a kind's type URI."""
    e = html.escape
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(kind.title)} – followthrough</title>
</head>
<body>
<main>
<h1>{e(kind.title)}</h1>
<p>{e(kind.what)}</p>
<h2>What to do</h2>
<p>{e(kind.todo)}</p>
<p>An answer with this problem has HTTP status {kind.status} and the <code>type</code>
<code>…/problems/{e(kind.slug)}</code>; its <code>detail</code> says more about that request.</p>
</main>
</body>
</html>
"""


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details; `type` names the kind (a page at that URI says what to do).",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object",
            "properties": {"pointer": {"type": "string", "description": "JSON Pointer to the field"},
                           "header": {"type": "string"}, "field": {"type": "string"},
                           "message": {"type": "string"}, "fix": {"type": "string"}}}},
    },
}


def problem_openapi(app: FastAPI, build: Callable[[], dict]) -> Callable[[], dict]:
    """FastAPI's document, with every 4xx/5xx response (its default 422 included) as a problem."""
    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        doc = build()
        content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for operations in doc.get("paths", {}).values():
            for operation in operations.values():
                for code, response in operation.get("responses", {}).items():
                    if code[0] in "45" or code == "default":
                        response["content"] = content
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        schemas["Problem"] = PROBLEM_SCHEMA
        app.openapi_schema = doc
        return doc
    return openapi
