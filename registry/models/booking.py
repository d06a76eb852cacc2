"""Bookings of a capability's service on a day, their history, and the capacity they take.

`capacity_days` holds, per bookable capability and day, the quantity that requested and
accepted (and started, and completed) bookings take. It is changed only by a conditional
UPDATE (`booked + q <= daily_capacity`) inside the booking's own transaction, which is what
keeps a day from being oversold however many requests arrive at once, on SQLite and on
PostgreSQL alike; the load view reads it directly.
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models.base import utcnow
from registry.models.capability import Capability
from registry.models.facility import Facility, _one_of
from registry.models.user import User

BOOKING_STATES = ("requested", "accepted", "declined", "in_progress", "completed", "cancelled", "expired")
HOLDING_STATES = ("requested", "accepted", "in_progress", "completed")  # these take capacity


class Booking(db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        _one_of("state", BOOKING_STATES),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
        Index("ix_bookings_capability_day", "capability_pk", "service_date"),
        Index("ix_bookings_facility_state", "facility_pk", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    capability_pk: Mapped[int] = mapped_column(ForeignKey("capabilities.id"))
    facility_pk: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    org_name: Mapped[str] = mapped_column(String(200))  # the company, as it was when booking
    uscc: Mapped[str] = mapped_column(String(18))
    service_date: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int]
    description: Mapped[str] = mapped_column(Text)
    contact_name: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[str] = mapped_column(String(50))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    voucher_no: Mapped[str | None] = mapped_column(String(40))  # 创新券 to be redeemed
    fee_cny: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # indicative: unit price × quantity
    state: Mapped[str] = mapped_column(String(12), default="requested")
    source: Mapped[str] = mapped_column(String(60), default="web", server_default="web")  # web | api:<partner>
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    capability: Mapped[Capability] = relationship()
    facility: Mapped[Facility] = relationship()
    enterprise: Mapped[User] = relationship()
    events: Mapped[list["BookingEvent"]] = relationship(back_populates="booking", order_by="BookingEvent.id")

    @property
    def fee_on_request(self) -> bool:
        """No indicative fee because the service's price is agreed case by case (面议), not because it is unknown."""
        return self.fee_cny is None and bool(self.capability.price_on_request)


class BookingEvent(db.Model):
    """One step of a booking's timeline: who moved it from which state to which, when and why."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # NULL: the registry itself
    actor_role: Mapped[str] = mapped_column(String(12))  # enterprise | operator | system | ...
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)

    booking: Mapped[Booking] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class CapacityDay(db.Model):
    """Quantity taken on one capability on one day (see the module docstring)."""

    __tablename__ = "capacity_days"
    __table_args__ = (CheckConstraint("booked >= 0", name="booked_not_negative"),)

    capability_pk: Mapped[int] = mapped_column(ForeignKey("capabilities.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    booked: Mapped[int] = mapped_column(default=0, server_default="0")
