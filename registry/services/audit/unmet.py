"""Recording unmet demand as the registry is used (issue 15, item 6): evidence for Art. 10's layout.

Four events count: a search (its first page, on the search pages) that found nothing; one that found
only facilities farther than `UNMET_FAR_KM` from the searcher's point; a booking request declined by the
facility; a booking request refused as fully booked. Each adds 1 to one counter of one aggregate row
(month, district, discipline, normalised terms). The request only queues it: a writer thread upserts
what is queued, in batches on a connection of its own, so a search pays microseconds, not a commit
(counts still queued when the process is killed are lost: a statistic, not a record).
Recording never makes the search or booking fail: any error is logged and dropped.

Nothing personal is kept: no user, no IP address, no time finer than the month, no text but the search's
keywords and standard numbers as the matcher reads them (folded, sorted, deduplicated; words that look
like a phone number, an identity number or an e-mail address dropped), or the booked capability's name.
"""
from __future__ import annotations

import logging
import queue
import re
import threading
from collections.abc import Mapping
from datetime import date

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite

from registry.database import primary_bind
from registry.models import UNMET_REASONS, UnmetDemand
from registry.search_text import fold
from registry.services.districts import district_locator
from registry.services.search.terms import parse_terms

log = logging.getLogger(__name__)

FAR_KM = 30.0  # the default of UNMET_FAR_KM
MAX_TERM_CHARS = 120
MAX_WORD_CHARS = 40
_PERSONAL = re.compile(r"@|\d{7,}")  # e-mail addresses, phone and identity numbers
_DIALLED = re.compile(r"[-+()\d]+")  # 0571-8765-4321: ten digits or more with separators


def personal(word: str) -> bool:
    """Whether a typed word may identify a person: kept out of the counts."""
    return bool(_PERSONAL.search(word)) or (bool(_DIALLED.fullmatch(word)) and sum(c.isdigit() for c in word) >= 10)


def normalised_terms(q: str) -> str:
    """The search's keywords and standard numbers as matched: folded, deduplicated, sorted, at most
    120 characters; a word that may identify a person is left out."""
    kept = " ".join(word for word in (q or "").split() if not personal(word))
    terms = parse_terms(kept)
    words = sorted({w[:MAX_WORD_CHARS] for w in terms.keywords if not personal(w)})
    standards = sorted({typed.upper()[:MAX_WORD_CHARS] for _key, typed in terms.standards})
    text = ""
    for word in standards + words:
        if len(text) + len(word) + 1 > MAX_TERM_CHARS:
            break
        text = f"{text} {word}" if text else word
    return text


def search_district(query, locate) -> str:
    """Where the searcher looks from: the district of the chosen point, or the one district chosen; ''
    when neither (or the point lies outside Hangzhou, or several districts were chosen)."""
    if query.near is not None:
        return locate(*query.near) or ""
    return query.districts[0] if len(query.districts) == 1 else ""


def search_discipline(disciplines) -> str:
    joined = "+".join(sorted(disciplines))
    return joined if len(joined) <= 40 else ""


def unmet_search_reason(query, found: int, nearest_km: float | None, far_km: float) -> str | None:
    """'no_result', 'far_only', or None when the search met its demand (or is a later page of one)."""
    if query.page != 1:
        return None
    if found == 0:
        return "no_result"
    if query.near is not None and (nearest_km is None or nearest_km > far_km):
        return "far_only"
    return None


def record_search(session, query, found: int, nearest_km: float | None, day: date, settings: Mapping) -> None:
    """Count this search if it left its demand unmet; never raises. `settings`: the app's config
    (UNMET_FAR_KM, DISTRICTS_GEOJSON)."""
    try:
        reason = unmet_search_reason(query, found, nearest_km, float(settings.get("UNMET_FAR_KM", FAR_KM)))
        if reason is None:
            return
        locate = district_locator(settings["DISTRICTS_GEOJSON"]).locate
        add(session, day, search_district(query, locate), search_discipline(query.disciplines),
            normalised_terms(query.q), reason)
    except Exception:  # noqa: BLE001 — a failed count must never fail the search
        log.exception("unmet demand: a search could not be counted")


def record_booking(session, capability, reason: str, day: date) -> None:
    """Count a booking request declined or refused as fully booked, under the capability's discipline
    and name and its facility's district; never raises."""
    try:
        add(session, day, capability.facility.district_code or "", capability.discipline or "",
            fold(capability.name)[:MAX_TERM_CHARS], reason)
    except Exception:  # noqa: BLE001 — a failed count must never fail the booking
        log.exception("unmet demand: a booking could not be counted")


def add(session, day: date, district: str, discipline: str, term: str, reason: str) -> None:
    """Queue 1 more for `reason` of the row (month, district, discipline, term): the request only puts it
    in a queue; a writer thread upserts what is queued, on a connection of its own."""
    if reason not in UNMET_REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    key = (day.strftime("%Y-%m"), district[:6], discipline[:40], term[:MAX_TERM_CHARS])
    try:
        _QUEUE.put_nowait((primary_bind(session), key, reason))  # never the replica
    except queue.Full:
        log.warning("unmet demand: the queue is full; a count was dropped")
    _start_writer()


def flush() -> None:
    """Wait until every queued count is written (the audit pages read after it; tests too)."""
    _start_writer()
    _QUEUE.join()


_QUEUE: queue.Queue = queue.Queue(maxsize=10_000)
_WRITER: list[threading.Thread] = []
_WRITER_LOCK = threading.Lock()
BATCH = 500


def _start_writer() -> None:
    with _WRITER_LOCK:
        if not _WRITER or not _WRITER[0].is_alive():  # started lazily: after a server forks its workers
            _WRITER[:] = [threading.Thread(target=_write_forever, name="unmet-demand-writer", daemon=True)]
            _WRITER[0].start()


def _write_forever() -> None:
    while True:
        batch = [_QUEUE.get()]
        while len(batch) < BATCH:
            try:
                batch.append(_QUEUE.get_nowait())
            except queue.Empty:
                break
        try:
            _write(batch)
        except Exception:  # noqa: BLE001 — a lost count must not stop the writer
            log.exception("unmet demand: %d counts could not be written", len(batch))
        finally:
            for _ in batch:
                _QUEUE.task_done()


def _write(batch: list) -> None:
    """One transaction per database: one upsert per row, adding what the batch counted for it."""
    counts: dict = {}
    for engine, key, reason in batch:
        row = counts.setdefault(engine, {}).setdefault(key, dict.fromkeys(UNMET_REASONS, 0))
        row[reason] += 1
    table = UnmetDemand.__table__
    for engine, rows in counts.items():
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":  # a count lost in a crash is no loss; a flush per batch is
                connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
            for (month, district, discipline, term), added in rows.items():
                statement = insert(table).values(month=month, district_code=district, discipline=discipline,
                                                 term=term, **added)
                connection.execute(statement.on_conflict_do_update(
                    index_elements=["month", "district_code", "discipline", "term"],
                    set_={reason: table.c[reason] + statement.excluded[reason] for reason in UNMET_REASONS}))
