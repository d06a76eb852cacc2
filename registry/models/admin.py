"""Registry administration on the web: upload jobs, and the log of admin actions on accounts and keys.

Admin actions on users and API keys are kept apart from the records' change log (`changes`),
which partners mirror through /api/v1/changes: they must never see e-mail addresses or keys.
"""
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models.base import utcnow
from registry.models.user import User

JOB_STATES = ("queued", "validating", "previewed", "rejected", "applying", "applied", "stale", "cancelled",
              "failed")


class UploadJob(db.Model):
    """One upload, from validation and preview to its confirmation (or not): a data set of the interchange
    format (kind `dataset`), or one facility's published scope (kind `scope`, with its facility and layout)."""

    __tablename__ = "upload_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    files: Mapped[list] = mapped_column(JSON)  # the names as uploaded
    prune: Mapped[bool] = mapped_column(default=False)
    kind: Mapped[str] = mapped_column(String(10), default="dataset", server_default="dataset")  # dataset | scope
    facility_id: Mapped[str | None] = mapped_column(String(64))  # a scope's facility (its public id)
    layout: Mapped[str | None] = mapped_column(String(20))  # a scope's layout as chosen; None: recognised
    lang: Mapped[str] = mapped_column(String(5), default="zh")  # of the messages in the preview and rejects
    data_version: Mapped[str | None] = mapped_column(String(100))  # the registry's state the preview saw
    preview: Mapped[dict | None] = mapped_column(JSON)  # counts, issues and a sample of the changes
    change_set_id: Mapped[int | None]
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


class AdminAction(db.Model):
    """Who did what to a user account or an API key, with the values before and after."""

    __tablename__ = "admin_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120), index=True)
    entity: Mapped[str] = mapped_column(String(20))  # user | api_key
    target: Mapped[str] = mapped_column(String(254))  # the user's e-mail, the key's prefix
    action: Mapped[str] = mapped_column(String(20))  # create | update | deactivate | reactivate | revoke
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
