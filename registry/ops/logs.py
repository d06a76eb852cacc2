"""Logs a log system can read: one JSON object per line, on stderr (or ACCESS_LOG for requests).

Two loggers: `registry.access` (one line per request, written by access_log.py) and
`registry.events` (one line per domain event: an import, a booking step, an admin action).
Each line carries the time (Beijing time with its offset), the logger, the event and its fields.
"""
from __future__ import annotations

import logging
import sys
from logging.handlers import WatchedFileHandler

import orjson
from flask import Flask

from registry import clock

ACCESS = logging.getLogger("registry.access")
EVENTS = logging.getLogger("registry.events")
_CONFIGURED = "_registry_json"  # marks the handler this module added (create_app may run often)


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"time": clock.now().isoformat(timespec="milliseconds"), "level": record.levelname.lower(),
                "logger": record.name, "event": record.getMessage()}
        line.update(getattr(record, "fields", {}))
        return orjson.dumps(line, default=str).decode()


def event(name: str, **fields) -> None:
    """Log one domain event (`import`, `booking`, `admin_action`) with its fields."""
    EVENTS.info(name, extra={"fields": fields})


def init_app(app: Flask) -> None:
    """JSON handlers on both loggers, once per process; tests keep the loggers bare (caplog reads them)."""
    if app.testing or not app.config["LOG_JSON"]:
        return
    target = app.config["ACCESS_LOG"]
    for logger, destination in ((ACCESS, target), (EVENTS, "-")):
        if any(getattr(h, _CONFIGURED, False) for h in logger.handlers):
            continue
        handler = logging.StreamHandler(sys.stderr) if destination in ("-", "") else WatchedFileHandler(destination)
        handler.setFormatter(JsonLines())
        setattr(handler, _CONFIGURED, True)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # not again through whatever the root logger writes to
    if not target:
        ACCESS.disabled = True
