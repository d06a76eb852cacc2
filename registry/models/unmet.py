"""Unmet demand seen from the registry's own traffic (issue 15, item 6): aggregated counts only.

One row per (month, district, discipline, term), with a counter per way demand went unmet: a search
that found nothing, a search that found only facilities far from the searcher's point, a booking
request declined by the facility, a booking request refused as fully booked. No user, no address, no
query text beyond the normalised terms, no time finer than the month (see the README's audit section).
"""
from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db

UNMET_REASONS = ("no_result", "far_only", "declined", "fully_booked")


class UnmetDemand(db.Model):
    __tablename__ = "unmet_demand"
    __table_args__ = (UniqueConstraint("month", "district_code", "discipline", "term"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM, Beijing time
    district_code: Mapped[str] = mapped_column(String(6), default="", server_default="")  # '': not given
    discipline: Mapped[str] = mapped_column(String(40), default="", server_default="")  # '': any
    term: Mapped[str] = mapped_column(String(120), default="", server_default="")  # normalised terms
    no_result: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    far_only: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    declined: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fully_booked: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
