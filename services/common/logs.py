"""Structured JSON logs on stdout for every service."""

from __future__ import annotations

import logging
import sys

import structlog


def configure(service: str, level: str = "INFO") -> None:
    logging.basicConfig(stream=sys.stdout, level=getattr(logging, level), format="%(message)s")
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            lambda _logger, _name, event: {"service": service, **event},  # threads too, not only this context
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level)),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
    # The Kafka clients log every connection at INFO; their warnings are what matter.
    for noisy in ("kafka", "aiokafka", "faust", "mode", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
