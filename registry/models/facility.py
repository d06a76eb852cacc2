"""Facilities (metrology institutes, testing labs, certification bodies) and their accreditations."""
from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models.base import Versioned
from registry.vocabulary import ACCREDITATION_SCHEMES, FACILITY_KINDS, OWNERSHIPS, STANDARDISATION_KINDS, STATUSES


def _one_of(column: str, values) -> CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=f"{column}_known")


class Facility(Versioned, db.Model):
    __tablename__ = "facilities"
    __table_args__ = (
        _one_of("kind", FACILITY_KINDS),
        _one_of("ownership", OWNERSHIPS),
        _one_of("status", STATUSES),
        CheckConstraint("(lon IS NULL) = (lat IS NULL)", name="lon_lat_together"),
        CheckConstraint("standardisation_kind IS NULL OR standardisation_kind IN ("
                        + ", ".join(f"'{k}'" for k in STANDARDISATION_KINDS) + ")", name="standardisation_kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    ownership: Mapped[str] = mapped_column(String(10))
    level: Mapped[str | None] = mapped_column(String(12))
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    org_name: Mapped[str | None] = mapped_column(String(200))
    district_code: Mapped[str] = mapped_column(ForeignKey("districts.code"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    lon: Mapped[float | None]  # WGS-84, whatever the source's coordinate system
    lat: Mapped[float | None]
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(300))
    shared: Mapped[bool]
    fields: Mapped[str | None] = mapped_column(Text)  # ';'-separated key industrial fields
    status: Mapped[str] = mapped_column(String(10), default="active", server_default="active")
    standardisation_kind: Mapped[str | None] = mapped_column(String(12))  # vocabulary.STANDARDISATION_KINDS
    metrology_authorisation: Mapped[str | None] = mapped_column(Text)  # 计量授权 as granted (scope, number)
    search_text: Mapped[str | None] = mapped_column(Text)  # folded name, district, address (search_text.py)

    accreditations: Mapped[list["Accreditation"]] = relationship(
        back_populates="facility", cascade="all, delete-orphan", order_by="Accreditation.scheme"
    )
    capabilities = relationship("Capability", back_populates="facility", lazy="dynamic")


class Accreditation(db.Model):
    """A CMA qualification, CNAS accreditation or CNCA approval, with its validity."""

    __tablename__ = "accreditations"
    __table_args__ = (
        UniqueConstraint("facility_pk", "scheme"),
        _one_of("scheme", ACCREDITATION_SCHEMES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_pk: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(4))
    number: Mapped[str] = mapped_column(String(40))
    valid_until: Mapped[date | None]

    facility: Mapped[Facility] = relationship(back_populates="accreditations")
