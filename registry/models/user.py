"""People who sign in: enterprises that book, operators of facilities, bureau auditors, admins.

An operator is bound to the facilities it runs (`operator_facilities`); an auditor to a
district, or to the whole city when `district_code` is NULL. `session_token` is what the
session cookie names instead of the id: changing it (on logout, password change or
deactivation) ends every session of the user at once.
"""
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, DateTime, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models.base import utcnow
from registry.models.facility import Facility, _one_of

ROLES = ("enterprise", "operator", "auditor", "admin")

operator_facilities = Table(
    "operator_facilities",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("facility_pk", ForeignKey("facilities.id", ondelete="CASCADE"), primary_key=True, index=True),
)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (_one_of("role", ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(12), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Enterprise accounts: the company they book for.
    org_name: Mapped[str | None] = mapped_column(String(200))
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    phone: Mapped[str | None] = mapped_column(String(50))
    # Auditors: the district they audit; NULL means the whole city.
    district_code: Mapped[str | None] = mapped_column(ForeignKey("districts.code"))
    is_active: Mapped[bool] = mapped_column(default=True, server_default="1")
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Consent to the terms of use and privacy policy given at self-registration: when, and to which version.
    terms_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    terms_version: Mapped[str | None] = mapped_column(String(20))

    facilities: Mapped[list[Facility]] = relationship(secondary=operator_facilities, order_by=Facility.facility_id)

    def get_id(self) -> str:
        """Flask-Login keeps this in the session cookie: a revocable token, not the row id."""
        return self.session_token

    @property
    def facility_pks(self) -> set[int]:
        return {f.id for f in self.facilities}

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role} {self.email}>"


class SignInFailure(db.Model):
    """Failed sign-ins for one e-mail (an account's or not) from one client address, and the lock they
    earned: a stranger's guesses lock the stranger's address out, never the account's owner."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (UniqueConstraint("email", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(default=0, server_default="0")  # since the last lock or success
    locks: Mapped[int] = mapped_column(default=0, server_default="0")  # locks in a row: the next lasts 2^locks
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PendingRegistration(db.Model):
    """A sign-up waiting for its address to be confirmed: the account is made from it only when the link
    mailed to that address is opened, so nobody can hold an address they cannot read (and sign-up never
    has to say whether an address is taken). `nonce` is what the signed link names; rows expire."""

    __tablename__ = "pending_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(200))
    org_name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(255))
    terms_version: Mapped[str | None] = mapped_column(String(20))
    terms_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
