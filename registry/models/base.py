"""Pieces shared by the registry's tables."""
from datetime import datetime

from sqlalchemy import DateTime, Integer
from sqlalchemy.orm import Mapped, mapped_column

from registry.clock import as_utc, utcnow  # noqa: F401  (re-exported: the tables' defaults and readers)


class Versioned:
    """Creation, update and tombstone times, and a version for optimistic locking.

    A deleted record keeps its row with `deleted_at` set, so that the change
    feed can report the deletion and a later import can bring it back.
    """

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Demonstration records are marked so the UI can say so wherever it shows them.
    demo: Mapped[bool] = mapped_column(default=False, server_default="0")
