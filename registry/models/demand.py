"""Demand layers for the audit's accessibility (who needs the services, where) and supply outside the city.

A demand layer is kept as weights on the audit's 1 km grid cells (cell centres in EPSG:4549): points,
a grid or township polygons all end there, so every layer costs the same to compute with, whatever
its size. Outside supply is facilities beyond Hangzhou's border (德清, 柯桥, 海宁 …) that residents
near the border use: it counts in accessibility only, never as a Hangzhou facility or in a district table.
"""
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models.base import utcnow

DEMAND_KINDS = ("residents", "enterprises", "other")
DEMAND_SHAPES = ("points", "grid", "townships")


class DemandLayer(db.Model):
    __tablename__ = "demand_layers"
    __table_args__ = (
        CheckConstraint("kind IN ('residents', 'enterprises', 'other')", name="kind_known"),
        CheckConstraint("shape IN ('points', 'grid', 'townships')", name="shape_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    shape: Mapped[str] = mapped_column(String(20))  # what the file held
    file_rows: Mapped[int] = mapped_column(Integer)  # points, cells or townships read
    total: Mapped[float] = mapped_column(Float)  # the weight put on the grid
    off_city: Mapped[float] = mapped_column(Float, default=0.0)  # weight that fell outside the city, left out
    cell_m: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cells: Mapped[list["DemandCell"]] = relationship(back_populates="layer", cascade="all, delete-orphan",
                                                     passive_deletes=True)


class DemandCell(db.Model):
    __tablename__ = "demand_cells"

    id: Mapped[int] = mapped_column(primary_key=True)
    layer_id: Mapped[int] = mapped_column(ForeignKey("demand_layers.id", ondelete="CASCADE"), index=True)
    x: Mapped[float] = mapped_column(Float)  # cell centre, EPSG:4549 metres
    y: Mapped[float] = mapped_column(Float)
    district_code: Mapped[str] = mapped_column(String(6))
    weight: Mapped[float] = mapped_column(Float)

    layer: Mapped[DemandLayer] = relationship(back_populates="cells")


class OutsideSupply(db.Model):
    """A facility outside Hangzhou, for accessibility near the border only (never listed as Hangzhou's)."""

    __tablename__ = "outside_supply"
    __table_args__ = (CheckConstraint("weight >= 0", name="weight_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    lon: Mapped[float] = mapped_column(Float)  # WGS-84
    lat: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(24))  # a capability kind
    discipline: Mapped[str | None] = mapped_column(String(24))
    weight: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
