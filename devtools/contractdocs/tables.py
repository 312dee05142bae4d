"""Each generated part of docs/contract.md, rendered from the code that is its truth."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Callable, Iterator

from pydantic import SecretStr
from pydantic_core import PydanticUndefined

from devtools.contractdocs import meanings


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _default(field) -> str:
    value = field.default_factory() if field.default_factory is not None else field.default
    if value is PydanticUndefined or value is None:
        return "unset"
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (list, tuple)):
        return f"`{', '.join(map(str, value))}`" if value else "empty"
    if isinstance(value, dt.time):
        value = value.strftime("%H:%M")
    return f"`{value}`" if str(value) else "empty"


def settings() -> str:
    """Every setting the four services read (their pydantic-settings classes, §6)."""
    from services.intake.settings import IntakeSettings
    from services.notifier.settings import NotifierSettings
    from services.tracker.settings import TrackerSettings
    from services.webhooks.settings import WebhooksSettings

    classes = {"intake": IntakeSettings, "tracker": TrackerSettings, "notifier": NotifierSettings,
               "webhooks": WebhooksSettings}
    rows: dict[str, list] = {}
    for service, cls in classes.items():
        for name, field in cls.model_fields.items():
            key = name.upper()
            if key not in rows:
                words = meanings.SETTINGS.get(key) or field.description or ""
                rows[key] = [f"`{key}`", _default(field), [], words]
            rows[key][2].append(service)
    order = sorted(rows, key=lambda k: (-len(rows[k][2]), k))
    body = [(r[0], r[1], ", ".join(r[2]), r[3]) for r in (rows[k] for k in order)]
    return _table(("setting", "default", "read by", "what it does"), body)


def policy() -> str:
    """The default escalation policy (schemas/policy.py), every key a policy file may set."""
    from schemas.policy import Policy

    rows = [(f"`{name}`", _default(field), field.description or "") for name, field in Policy.model_fields.items()]
    return _table(("key", "default", "what it does"), rows)


def ladder() -> str:
    """The default ladder played day by day by the domain's own `decide` and `time_transition`:
    a commitment agreed on day 0, due on day 240, that nobody ever updates."""
    from dataclasses import replace

    from schemas.policy import Policy
    from services.tracker.domain import Commitment, Contacts, decide, time_transition

    policy, agreed, due_in = Policy(), dt.date(2026, 1, 5), 240
    due = agreed + dt.timedelta(days=due_in)
    c = Commitment(id="example", status="open", agreed_on=agreed, due=due, original_due=due,
                   update_every_days=policy.update_every_days, ladder_since=agreed,
                   contacts=Contacts("owner", "supervisor", "senior lead", "board"))
    rows = []
    for n in range(due_in * 2):
        today = agreed + dt.timedelta(days=n)
        notices = decide(c, today, policy)
        c = replace(c, sent_keys=c.sent_keys | {x.key for x in notices})
        c = replace(c, status=time_transition(c, today, policy) or c.status)
        rows += [(n, _from_due((today - due).days), f"`{x.kind}`", x.level, ", ".join(x.recipients), f"`{c.status}`")
                 for x in notices]
    return _table(("day", "", "notice", "level", "to", "status then"), rows)


def _from_due(days: int) -> str:
    if days == 0:
        return "the due date"
    return f"{abs(days)} day{'s' if abs(days) != 1 else ''} {'before' if days < 0 else 'after'} due"


def notice_kinds() -> str:
    """Every notice kind the tracker decides (services/tracker/domain/rules.py)."""
    from services.tracker.domain.rules import NOTICES

    rows = [(f"`{kind}`", f"`{rule.event}`" if rule.event else "(the change's own event)", rule.subject, rule.words)
            for kind, rule in NOTICES.items()]
    return _table(("kind", "commitment event a scan publishes", "email subject", "the panel's page says"), rows)


def topics() -> str:
    from schemas.events import TOPICS

    rows = [(f"`{t.name}`", t.partitions, "yes" if t.compacted else "no", t.description) for t in TOPICS]
    return _table(("topic", "partitions", "compacted", "what it carries"), rows)


def events() -> str:
    """Every event type (schemas/events.py), with its JSON Schema."""
    from schemas.events import EVENT_TYPES

    rows = [(f"`{e.type}`", f"`{e.topic}`", f"[{e.type}.json](../schemas/json/{e.type}.json)", e.summary)
            for e in EVENT_TYPES.values()]
    return _table(("type", "topic", "`data` schema", "what happened"), rows)


def _routes(app) -> Iterator:
    from fastapi.routing import APIRoute

    def walk(routes):
        for route in routes:
            if hasattr(route, "original_router"):  # an included router, as recent FastAPI keeps it
                yield from walk(route.original_router.routes)
            elif isinstance(route, APIRoute):
                yield route
    yield from walk(app.routes)


def _apps() -> dict[str, object]:
    """Each service's FastAPI app, built from default settings (nothing starts: no lifespan runs)."""
    from services.intake.app import create_app as intake_app
    from services.intake.settings import IntakeSettings
    from services.notifier.app import create_app as notifier_app
    from services.notifier.settings import NotifierSettings
    from services.tracker.app import create_app as tracker_app
    from services.tracker.settings import TrackerSettings
    from services.webhooks.app import create_app as webhooks_app
    from services.webhooks.settings import WebhooksSettings

    return {"intake": intake_app(IntakeSettings.model_construct()),
            "tracker": tracker_app(TrackerSettings.model_construct()),
            "notifier": notifier_app(NotifierSettings.model_construct()),
            "webhooks": webhooks_app(WebhooksSettings.model_construct())}


def endpoints() -> str:
    """Every route of every service: the JSON API (in its OpenAPI document, `/docs`) and the pages."""
    rows = []
    for service, app in _apps().items():
        for route in _routes(app):
            for method in sorted(route.methods - {"HEAD"}):
                words = route.summary or meanings.PAGES.get((method, route.path), "")
                kind = "API" if route.include_in_schema else "page"
                rows.append((service, method, f"`{route.path}`", kind, words))
    return _table(("service", "method", "path", "", "what it does"), rows)


def _commands(group, prefix: str) -> Iterator[tuple[str, str]]:
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):  # a group: its subcommands are the rows
            yield from _commands(command, path)
            continue
        args = []
        for param in command.params:
            if param.param_type_name == "argument":
                annotation = param.type_descriptor.annotation
                is_enum = isinstance(annotation, type) and issubclass(annotation, Enum)
                choices = [m.value for m in annotation] if is_enum else None
                args.append("|".join(choices) if choices else param.name.upper())
            elif not param.hidden and param.name != "help":
                opt = max(param.opts, key=len)
                args.append(f"[{opt}]" if param.is_flag else f"[{opt} {param.name.upper()}]"
                            if not param.required else f"{opt} {param.name.upper()}")
        help_text = (command.help or "").strip().split("\n\n")[0]
        yield f"`{path} {' '.join(args)}`".replace(" `", "`"), help_text


def commands() -> str:
    """The `followthrough` command (services/cli.py), every subcommand with its options."""
    import typer

    from services import cli_admin, cli_webhooks
    from services.cli import app

    if not any(g.name == "token" for g in app.registered_groups):  # main() adds the admin commands
        cli_admin.register(app)
    if not any(g.name == "subscription" for g in app.registered_groups):  # and the webhooks' subscriptions
        cli_webhooks.register(app)
    group = typer.main.get_command(app)
    return _table(("command", "what it does"), list(_commands(group, "followthrough")))


def problems() -> str:
    """Every problem kind (services/common/problems.py): the `type` is `<public URL>/problems/<slug>`."""
    from services.common.problems import KINDS

    rows = [(f"`{k.slug}`", k.status, k.title, k.what, k.todo) for k in KINDS.values()]
    return _table(("`type` slug", "status", "title", "what happened", "what to do"), rows)


SECTIONS: dict[str, Callable[[], str]] = {
    "settings": settings, "ladder": ladder, "policy": policy, "notice-kinds": notice_kinds, "topics": topics,
    "events": events, "endpoints": endpoints, "commands": commands, "problems": problems,
}
