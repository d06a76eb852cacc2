"""The registry's clock: one place that says what time and what day it is, and how a person reads it.

Times are stored in UTC. Days and every time a person reads are Hangzhou's (the configured
`BABEL_DEFAULT_TIMEZONE`, Asia/Shanghai by default): a certificate valid until 3 May lapses at
midnight in Hangzhou, not at 08:00 the next morning, and a change made at 23:07 reads 23:07.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"
MINUTES = "%Y-%m-%d %H:%M"


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone() -> ZoneInfo:
    """The zone people read times in: the app's setting inside an app, Beijing time outside one."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return _zone(name)


def utcnow() -> datetime:
    """Now, timezone-aware in UTC: what is stored."""
    return datetime.now(timezone.utc)


def now() -> datetime:
    """Now in the registry's zone."""
    return datetime.now(zone())


def today() -> date:
    """Today by Hangzhou's calendar (certificates, lead times and bookings count these days)."""
    return now().date()


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns: they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def local(moment: datetime) -> datetime:
    """A stored moment in the registry's zone."""
    return as_utc(moment).astimezone(zone())


def local_text(moment: datetime | None, fmt: str = MINUTES) -> str:
    """A stored moment as a person reads it (Beijing time by default); '' for none."""
    return local(moment).strftime(fmt) if moment else ""
