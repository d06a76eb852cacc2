"""What a facility can do: measurement standards, test items, certification scopes."""
from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
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
        # Search (registry/search_text.py): capabilities of matching documents, per facility and
        # discipline, straight from the index; ranges by dimension and lower bound in base units.
        # Partial (live rows only) and covering, so that counting needs no table lookups.
        Index("ix_capabilities_search_doc", "search_doc_id", "facility_pk", "discipline",
              sqlite_where=text("deleted_at IS NULL"), postgresql_where=text("deleted_at IS NULL")),
        Index("ix_capabilities_range", "range_dimension", "range_min_base", "range_max_base", "facility_pk",
              "discipline", sqlite_where=text("deleted_at IS NULL"), postgresql_where=text("deleted_at IS NULL")),
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
    # Search columns, computed on write (registry/search_text.py); no foreign key to
    # search_docs, so that writing a capability costs no extra lookup.
    search_doc_id: Mapped[int | None]
    range_min_base: Mapped[float | None]  # range in SI base units (pint), for unit-aware search
    range_max_base: Mapped[float | None]
    range_dimension: Mapped[str | None] = mapped_column(String(80))

    facility: Mapped[Facility] = relationship(back_populates="capabilities")


class SearchDoc(db.Model):
    """One distinct searchable text of capabilities (see registry/search_text.py)."""

    __tablename__ = "search_docs"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(32), unique=True)
    text: Mapped[str] = mapped_column(Text)  # folded name | category | quantity | standards
    standard_keys: Mapped[str] = mapped_column(Text, default="", server_default="")  # ';KEY;KEY;'
    # Its index terms (search_text.doc_grams), looked up through an inverted index: on PostgreSQL a
    # GIN index on string_to_array(grams, ' '), on SQLite the FTS5 table search_doc_grams kept by
    # triggers (migration 0041; registry/services/search/index.py).
    grams: Mapped[str] = mapped_column(Text, default="", server_default="")
