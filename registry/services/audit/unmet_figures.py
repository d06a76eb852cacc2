"""Unmet demand as the audit reads it: the gaps table, the counts per district for the map, and the
trend by month (recorded by registry/services/audit/unmet.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from registry.models import UNMET_REASONS, UnmetDemand

PERIODS = (3, 6, 12, 0)  # months back, the current one included; 0: all recorded
DEFAULT_PERIOD = 12
TABLE_ROWS = 200  # rows the page shows (the exports hold all)


@dataclass(frozen=True)
class UnmetRow:
    district_code: str  # '' when the searcher gave no place
    discipline: str  # '' when none was chosen
    term: str
    no_result: int
    far_only: int
    declined: int
    fully_booked: int

    @property
    def total(self) -> int:
        return self.no_result + self.far_only + self.declined + self.fully_booked


def first_month(day: date, months: int) -> str | None:
    """The first month ('YYYY-MM') of a period of `months` ending with `day`'s; None for all."""
    if not months:
        return None
    index = day.year * 12 + day.month - 1 - (months - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _counts():
    return [func.sum(getattr(UnmetDemand, reason)).label(reason) for reason in UNMET_REASONS]


def _where(scope: str | None, since: str | None, discipline: str = "") -> list:
    conditions = []
    if scope is not None:
        conditions.append(UnmetDemand.district_code == scope)
    if since is not None:
        conditions.append(UnmetDemand.month >= since)
    if discipline:
        conditions.append(UnmetDemand.discipline == discipline)
    return conditions


def unmet_rows(session, scope: str | None, since: str | None, discipline: str = "",
               limit: int | None = None) -> list[UnmetRow]:
    """Counts per (district, discipline, terms) over the period, most unmet first."""
    keys = (UnmetDemand.district_code, UnmetDemand.discipline, UnmetDemand.term)
    total = sum(getattr(UnmetDemand, reason) for reason in UNMET_REASONS)
    query = (select(*keys, *_counts()).where(*_where(scope, since, discipline)).group_by(*keys)
             .order_by(func.sum(total).desc(), *keys))
    if limit:
        query = query.limit(limit)
    return [UnmetRow(*row) for row in session.execute(query)]


def by_district(session, scope: str | None, since: str | None, discipline: str = "") -> dict[str, int]:
    """Unmet demand per district over the period ('' holds what came with no place)."""
    total = sum(getattr(UnmetDemand, reason) for reason in UNMET_REASONS)
    query = (select(UnmetDemand.district_code, func.sum(total)).where(*_where(scope, since, discipline))
             .group_by(UnmetDemand.district_code))
    return {code: int(n or 0) for code, n in session.execute(query)}


def by_month(session, scope: str | None, since: str | None, discipline: str = "") -> list[dict]:
    """Per month of the period (oldest first): each reason's count and their total."""
    query = (select(UnmetDemand.month, *_counts()).where(*_where(scope, since, discipline))
             .group_by(UnmetDemand.month).order_by(UnmetDemand.month))
    out = []
    for row in session.execute(query):
        counts = {reason: int(getattr(row, reason) or 0) for reason in UNMET_REASONS}
        out.append({"month": row.month, **counts, "total": sum(counts.values())})
    return out
