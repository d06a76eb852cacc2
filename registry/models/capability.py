"""What a facility can do: measurement standards, test items, certification scopes."""
from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models.base import Versioned
from registry.models.facility import Facility, _one_of
from registry.vocabulary import CAPABILITY_KINDS, CAPABILITY_STATUSES, DISCIPLINES, SERVICE_MODES


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
        _one_of("status", CAPABILITY_STATUSES),
        CheckConstraint("service IS NULL OR service IN (" + ", ".join(f"'{s}'" for s in SERVICE_MODES) + ")",
                        name="service_known"),
        # Search (registry/search_text.py): capabilities of matching documents, per facility and
        # discipline, straight from the index; ranges by dimension and lower bound in base units.
        # Partial (live rows only) and covering, so that counting needs no table lookups.
        Index("ix_capabilities_search_doc", "search_doc_id", "facility_pk", "discipline",
              sqlite_where=text("deleted_at IS NULL"), postgresql_where=text("deleted_at IS NULL")),
        Index("ix_capabilities_range", "range_dimension", "range_min_base", "range_max_base", "facility_pk",
              "discipline", sqlite_where=text("deleted_at IS NULL"), postgresql_where=text("deleted_at IS NULL")),
        # Capabilities chosen by id (range search's union of own ranges and segments), counted per facility
        # and discipline with index-only probes (migration 0066).
        Index("ix_capabilities_live_id", "id", "facility_pk", "discipline",
              sqlite_where=text("deleted_at IS NULL"), postgresql_where=text("deleted_at IS NULL")),
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
    # A real scope's item (services/records/scopes): empty for records of the v1 interchange format.
    object: Mapped[str | None] = mapped_column(String(200))  # 检测对象 / 测量仪器 / 类别 / 计量标准名称
    parameter: Mapped[str | None] = mapped_column(String(200))  # 项目/参数, 被测量
    seq: Mapped[str | None] = mapped_column(String(20))  # 序号 as published (1.1)
    scope_layout: Mapped[str | None] = mapped_column(String(20))  # cnas-testing | cnas-calibration | cma | standards
    source_sheet: Mapped[str | None] = mapped_column(String(31))  # the certificate attachment it came from
    service: Mapped[str | None] = mapped_column(String(16))  # vocabulary.SERVICE_MODES
    status: Mapped[str] = mapped_column(String(10), default="active", server_default="active")  # 暂停: suspended
    limitation_kind: Mapped[str | None] = mapped_column(String(8))  # only | except | other
    limitation: Mapped[str | None] = mapped_column(Text)  # 限制范围 as written
    remarks: Mapped[str | None] = mapped_column(Text)  # 说明
    field_code: Mapped[str | None] = mapped_column(String(20))  # CNAS 领域代码
    public_standard: Mapped[bool] = mapped_column(default=False, server_default="0")  # 社会公用计量标准
    price_on_request: Mapped[bool] = mapped_column(default=False, server_default="0")  # 面议
    verbatim: Mapped[list | None] = mapped_column(JSON)  # [[column, text]] cells kept without being understood

    facility: Mapped[Facility] = relationship(back_populates="capabilities")
    methods: Mapped[list["CapabilityMethod"]] = relationship(
        cascade="all, delete-orphan", order_by="CapabilityMethod.position", passive_deletes=True)
    ranges: Mapped[list["CapabilityRange"]] = relationship(
        cascade="all, delete-orphan", order_by="CapabilityRange.position", passive_deletes=True)


class CapabilityMethod(db.Model):
    """One method of a scope item: a standard (normalised number, title, clause) or a non-standard text.
    `capabilities.standards` stays the derived ';'-list of numbers that v1 export and search read."""

    __tablename__ = "capability_methods"

    id: Mapped[int] = mapped_column(primary_key=True)
    capability_pk: Mapped[int] = mapped_column(ForeignKey("capabilities.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    standard: Mapped[str] = mapped_column(String(80), default="", server_default="")  # '' when non-standard
    title: Mapped[str | None] = mapped_column(Text)
    clause: Mapped[str | None] = mapped_column(String(100))  # 第一法, 5.2条
    text: Mapped[str | None] = mapped_column(Text)  # a non-standard method as written (作业指导书 …)


class CapabilityRange(db.Model):
    """One range segment of a scope item with its own uncertainty. The first segment is also written to
    `capabilities.range_min/max/unit/uncertainty`, which v1 export reads. Range search reads every
    segment: its bounds in SI base units (search_text.segment_in_base), computed on write and indexed."""

    __tablename__ = "capability_ranges"
    __table_args__ = (
        Index("ix_capability_ranges_search", "dimension", "min_base", "max_base", "capability_pk"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    capability_pk: Mapped[int] = mapped_column(ForeignKey("capabilities.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    min: Mapped[Decimal | None] = mapped_column(Numeric(30, 10))
    max: Mapped[Decimal | None] = mapped_column(Numeric(30, 10))
    unit: Mapped[str | None] = mapped_column(String(30))
    min_unit: Mapped[str | None] = mapped_column(String(30))  # a lower end in another unit: 10 Hz～1 GHz
    text: Mapped[str | None] = mapped_column(String(200))  # the range as written
    u_kind: Mapped[str | None] = mapped_column(String(10))  # absolute | relative | class | mpe | formula | text
    u_value: Mapped[Decimal | None] = mapped_column(Numeric(30, 10))
    u_unit: Mapped[str | None] = mapped_column(String(30))
    u_k: Mapped[Decimal | None] = mapped_column(Numeric(8, 3))
    u_text: Mapped[str | None] = mapped_column(String(200))  # as written (formulas, unknown forms)
    min_base: Mapped[float | None]  # the segment in SI base units (pint), for range search
    max_base: Mapped[float | None]
    dimension: Mapped[str | None] = mapped_column(String(80))


class SearchDoc(db.Model):
    """One distinct searchable text of capabilities (see registry/search_text.py)."""

    __tablename__ = "search_docs"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(32), unique=True)
    text: Mapped[str] = mapped_column(Text)  # folded name | category | quantity | standards [| scope text]
    standard_keys: Mapped[str] = mapped_column(Text, default="", server_default="")  # ';KEY;KEY;'
    # Its index terms (search_text.doc_grams), looked up through an inverted index: on PostgreSQL a
    # GIN index on string_to_array(grams, ' '), on SQLite the FTS5 table search_doc_grams kept by
    # triggers (migration 0041; registry/services/search/index.py).
    grams: Mapped[str] = mapped_column(Text, default="", server_default="")
