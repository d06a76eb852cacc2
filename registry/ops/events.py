"""Domain events at the services' boundaries: a JSON line and a metric for each import, booking
step and admin action.

Services decorate their entry point (`@events.import_run`, `@events.booking_step`), one line
each; they commit themselves, so a return is a committed outcome and an exception a refusal.
Admin actions are read from the session as they are committed (nothing to add where they are
recorded, and nothing logged for a rolled-back one).
"""
from __future__ import annotations

import inspect
import re
import time
from functools import wraps

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from registry.errors import RegistryError
from registry.models import AdminAction
from registry.ops import metrics
from registry.ops.logs import event


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def import_run(func):
    """Decorate import_dataset: count its outcome and rows, log one `import` line (not for dry runs)."""
    @wraps(func)
    def observed(session, paths, *args, **kwargs):
        start = time.perf_counter()
        report = func(session, paths, *args, **kwargs)
        if not report.dry_run:
            counts = {entity: dict(results) for entity, results in report.counts.items()}
            metrics.count_import(report.outcome, counts)
            event("import", outcome=report.outcome, actor=kwargs.get("actor"), files=[p.name for p in paths],
                  counts=counts, change_set_id=report.change_set_id, seconds=round(time.perf_counter() - start, 3))
        return report
    return observed


def booking_step(func):
    """Decorate request_booking and transition: count each outcome (the state reached, or the
    refusal: fully_booked, stale_booking, …) and log one `booking` line per committed step."""
    signature = inspect.signature(func)

    @wraps(func)
    def observed(*args, **kwargs):
        arguments = signature.bind(*args, **kwargs).arguments
        action = arguments.get("action", "request")
        before = arguments.get("booking")
        from_state = before.state if before is not None else None
        try:
            booking = func(*args, **kwargs)
        except RegistryError as refusal:
            metrics.count_booking(action, _snake(type(refusal).__name__))
            raise
        metrics.count_booking(action, booking.state)
        event("booking", booking_id=booking.id, action=action, from_state=from_state, to_state=booking.state,
              facility_pk=booking.facility_pk, source=booking.source)
        return booking
    return observed


_PENDING = "registry.ops.admin_actions"


def _collect_admin_actions(session, flush_context) -> None:
    """after_flush: the ids are known; read the fields now (no SQL may run after the commit)."""
    actions = [{"id": obj.id, "actor": obj.actor, "entity": obj.entity, "target": obj.target, "action": obj.action}
               for obj in session.new if isinstance(obj, AdminAction)]
    if actions:
        session.info.setdefault(_PENDING, []).extend(actions)


def _log_admin_actions(session) -> None:
    for action in session.info.pop(_PENDING, []):
        event("admin_action", **action)


def _forget_admin_actions(session) -> None:
    session.info.pop(_PENDING, None)


def listen() -> None:
    """Watch every session for admin actions (once per process)."""
    if not sa_event.contains(Session, "after_flush", _collect_admin_actions):
        sa_event.listen(Session, "after_flush", _collect_admin_actions)
        sa_event.listen(Session, "after_commit", _log_admin_actions)
        sa_event.listen(Session, "after_rollback", _forget_admin_actions)
