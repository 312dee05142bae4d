"""Logs on stdout for every service, in one format whoever writes them.

structlog's own events and the standard library's loggers (uvicorn and its
access log, faust, aiokafka, apscheduler, sqlalchemy, alembic) go through the same processors and renderer:
JSON lines when stdout is a file, a pipe or a log collector, short coloured
lines when a person watches a terminal (`FOLLOWTHROUGH_LOG_FORMAT`: `auto`,
`json` or `console`)."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

# The Kafka clients log every connection at INFO; their warnings are what matter. SQLAlchemy
# logs statements only at INFO (echo), which would put personal data in the log. httpx logs every
# webhook call's URL at INFO, and a receiver's URL may carry its own token.
NOISY = ("kafka", "aiokafka", "faust", "mode", "apscheduler", "sqlalchemy", "httpx", "httpcore")


def _isatty(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def use_console(fmt: str, stream: TextIO, watched: bool = False) -> bool:
    """Short human lines only for a person watching: stdout is a terminal, or a supervisor relays
    it to one (`watched`: `followthrough demo` and `up` pipe our stdout and say so). JSON for
    everything else: files, pipes, log collectors."""
    if fmt == "json":
        return False
    if fmt == "console":
        return True
    return _isatty(stream) or watched


class AccessLogFilter(logging.Filter):
    """uvicorn's access log without what it must not keep: the query string (respond and
    sign-in links carry their signed token there) and the client's address (panel members')."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            _client, method, path, version, status = args
            record.args = ("-", method, str(path).split("?", 1)[0], version, status)
        return True


def shown(settings) -> dict[str, str]:
    """Settings as a log may show them: secrets (SecretStr, the database URL's password) masked."""
    return {name: str(value) for name, value in settings}


def _renderer(console: bool):
    if console:
        return structlog.dev.ConsoleRenderer(colors=True, pad_event_to=28, sort_keys=False)
    return structlog.processors.JSONRenderer()


def configure(service: str, level: str = "INFO", fmt: str = "auto", stream: TextIO | None = None,
              supervised: bool = False) -> None:
    """`fmt`: the service's FOLLOWTHROUGH_LOG_FORMAT. `supervised`: a supervisor prefixes each
    line with the time and the process's name and shows it to a person (FOLLOWTHROUGH_SUPERVISED)."""
    stream = stream or sys.stdout
    console = use_console(fmt, stream, watched=supervised)
    shared = [
        structlog.contextvars.merge_contextvars,
        lambda _logger, _name, event: {"service": service, **event},  # threads too, not only this context
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="%H:%M:%S" if console else "iso", utc=not console),
    ]
    if console and supervised:  # the supervisor's prefix already says when and who
        shared = [shared[0], shared[2]]
    renderer = _renderer(console)
    structlog.configure(
        processors=[*shared, *([] if console else [structlog.processors.format_exc_info]), renderer],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level)),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=True,
    )
    # The standard library's records (uvicorn, faust, aiokafka, apscheduler) through the same
    # chain, so a log collector reads one format.
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name, structlog.stdlib.ExtraAdder()],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    *([] if console else [structlog.processors.format_exc_info]), renderer],
    ))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level))
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()  # uvicorn's own config is off (log_config=None); never print twice
        logger.propagate = True
        logger.disabled = False  # a uvicorn.Config or dictConfig run earlier in the process may have
        logger.setLevel(logging.NOTSET)  # quietened them; the root's level decides
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogFilter) for f in access.filters):
        access.addFilter(AccessLogFilter())
    logging.captureWarnings(True)  # Python's warnings too, not as bare lines on stderr
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
