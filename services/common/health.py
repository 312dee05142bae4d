"""`/healthz`, `/readyz` and `/metrics`, the same on every service."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Callable

import structlog
from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine, text

log = structlog.get_logger()


def database_check(engine: Engine) -> Callable[[], None]:
    def check() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    return check


def kafka_check(bootstrap: str) -> Callable[[], None]:
    def check() -> None:
        errors = []
        for server in bootstrap.split(","):
            host, _, port = server.strip().rpartition(":")
            try:
                socket.create_connection((host, int(port)), timeout=1).close()
                return
            except OSError as exc:
                errors.append(f"{server}: {exc}")
        raise ConnectionError("; ".join(errors))
    return check


def _run(kind: str, checks: dict[str, Callable[[], None]]) -> bool:
    """True if every check passes. Why one failed goes to the log only: exception texts
    can name hosts, users and database names, and the probes are public."""
    ok = True
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            ok = False
            log.warning(f"{kind}.check_failed", check=name, error=f"{type(exc).__name__}: {exc}")
    return ok


def relay_check(app) -> Callable[[], None]:
    """A relay thread that ended while the service runs publishes nothing more:
    say so on /healthz, so the orchestrator restarts the process."""
    def check() -> None:
        relay = getattr(app.state, "relay", None)
        if relay is not None and relay.ident is not None and not relay.is_alive() and not relay.stopping:
            raise RuntimeError("the outbox relay thread has stopped")
    return check


def health_router(checks: dict[str, Callable[[], None]],
                  liveness: dict[str, Callable[[], None]] | None = None) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="The process is alive and its own threads run (why not: in the log)")
    def healthz(response: Response) -> dict:
        alive = _run("healthz", liveness or {})
        response.status_code = 200 if alive else 503
        return {"status": "ok" if alive else "failing"}

    @router.get("/readyz", summary="Kafka and the database are reachable (why not: in the log)")
    def readyz(response: Response) -> dict:
        ready = _run("readyz", checks)
        response.status_code = 200 if ready else 503
        return {"status": "ready" if ready else "not ready"}

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def install(app, bootstrap: str) -> None:
    """The standard checks: the engine the service put on `app.state`, and the brokers."""
    app.include_router(health_router({
        "database": lambda: database_check(app.state.engine)(),
        "kafka": kafka_check(bootstrap),
    }, liveness={"outbox relay": relay_check(app)}))


def install_edges(app, settings, *, public_url: str, problem_base: str | None,
                  route_limits: dict[str, int] | None = None,
                  guards: Callable[[object], None] | None = None, locale: Path | None = None) -> None:
    """What every service's HTTP edge has, innermost first: problem answers (their type URIs start
    with `problem_base`; None: the address the request came to), the service's own `guards` (the
    tracker's rate limits), body limits (`route_limits`: routes allowed more than the default),
    security headers (outside them, so a 413 or 429 carries them), the health checks, and the
    client address rule outermost (every limit counts the client behind the proxy). `locale`: the
    service's Welsh catalogue, for the language each request speaks (docs/contract.md §8.4)."""
    from services.common import bodylimit, clientaddress, headers, problems
    from services.common.i18n_web import LanguageMiddleware

    problems.install(app, problem_base)
    if locale is not None:
        app.add_middleware(LanguageMiddleware, own=locale)
    if guards is not None:
        guards(app)
    bodylimit.install(app, settings, route_limits)
    headers.install(app, public_url=public_url)
    install(app, settings.kafka_bootstrap_servers)
    clientaddress.install(app, settings)
