"""Hangzhou's 13 districts and counties, with their figures and sources."""
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db


class District(db.Model):
    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(20))
    name_en: Mapped[str] = mapped_column(String(40))
    population: Mapped[int | None]
    population_source: Mapped[str | None] = mapped_column(Text)
    area_km2: Mapped[float | None]
    area_source: Mapped[str | None] = mapped_column(Text)
    # GeoJSON geometry in WGS-84, for the API and maps; point-in-district uses geo/.
    boundary: Mapped[str | None] = mapped_column(Text)
