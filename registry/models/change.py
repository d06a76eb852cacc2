"""The change log: who changed what, when, with the values before and after.

Changes are grouped in change sets (one import, one edit). Their ids only grow,
which makes the log an ordered feed that partners can follow to mirror the
registry.
"""
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models.base import utcnow


class ChangeSet(db.Model):
    __tablename__ = "change_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(500))  # e.g. "import facilities.csv capabilities.csv"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    summary: Mapped[dict | None] = mapped_column(JSON)  # counts per entity and action

    changes = relationship("Change", back_populates="change_set", lazy="dynamic")


class Change(db.Model):
    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_set_id: Mapped[int] = mapped_column(ForeignKey("change_sets.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    entity: Mapped[str] = mapped_column(String(20))  # facility | capability
    facility_id: Mapped[str] = mapped_column(String(64), index=True)
    capability_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(10))  # create | update | delete
    before: Mapped[dict | None] = mapped_column(JSON)  # changed fields only, for updates
    after: Mapped[dict | None] = mapped_column(JSON)

    change_set: Mapped[ChangeSet] = relationship(back_populates="changes")
