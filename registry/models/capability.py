"""What a facility can do: measurement standards, test items, certification scopes."""
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models.base import Versioned
from registry.models.facility import Facility, _one_of
from registry.vocabulary import CAPABILITY_KINDS, DISCIPLINES


class Capability(Versioned, db.Model):
    __tablename__ = "capabilities"
    __table_args__ = (
        UniqueConstraint("facility_pk", "capability_id"),
        _one_of("kind", CAPABILITY_KINDS),
        CheckConstraint(
            "discipline IS NULL OR discipline IN ("
            + ", ".join(f"'{d}'" for d in DISCIPLINES) + ")",
            name="discipline_known",
        ),
        CheckConstraint("range_min IS NULL OR range_max IS NULL OR range_min <= range_max",
                        name="range_ordered"),
        CheckConstraint("NOT bookable OR daily_capacity >= 1", name="bookable_has_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_pk: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    capability_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24), index=True)
    name: Mapped[str] = mapped_column(String(300))
    discipline: Mapped[str | None] = mapped_column(String(24))
    category: Mapped[str | None] = mapped_column(String(200))
    standards: Mapped[str | None] = mapped_column(Text)  # normalised codes, ';'-separated
    quantity: Mapped[str | None] = mapped_column(String(100))
    range_min: Mapped[float | None]
    range_max: Mapped[float | None]
    unit: Mapped[str | None] = mapped_column(String(30))
    uncertainty: Mapped[str | None] = mapped_column(String(200))
    certificate_no: Mapped[str | None] = mapped_column(String(100))
    valid_until: Mapped[date | None]
    price_cny: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    lead_time_days: Mapped[int | None]
    bookable: Mapped[bool] = mapped_column(default=False, server_default="0")
    daily_capacity: Mapped[int | None]
    # Fingerprint of the imported row: lets a re-import skip validating unchanged rows.
    import_digest: Mapped[str | None] = mapped_column(String(32))

    facility: Mapped[Facility] = relationship(back_populates="capabilities")
