"""Stored facilities and capabilities as canonical records: the typed values of
the interchange format, which import compares against and export writes."""
import hashlib
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from sqlalchemy import func, select

from registry import identifiers, units
from registry.database import database_key
from registry.models import Accreditation, ChangeSet, Facility
from registry.schemas import fields, interchange, rules
from registry.schemas.interchange import CAPABILITY_FIELDS, FACILITY_COLUMNS

FACILITY_FIELDS = [c for c in FACILITY_COLUMNS if c != "crs"]
FACILITY_ATTRS = [c for c in FACILITY_FIELDS if hasattr(Facility, c)]  # the rest: accreditations
CAPABILITY_ATTRS = [c for c in CAPABILITY_FIELDS if c != "facility_id"]
ACCREDITATION_FIELDS = {"cma": ("cma_no", "cma_valid_until"),
                        "cnas": ("cnas_no", "cnas_valid_until"),
                        "cnca": ("cnca_no", None)}
CENT = Decimal("0.01")


def facility_record(row, accreditations: dict[str, tuple]) -> dict:
    """`row` has the Facility columns; `accreditations` maps scheme -> (number, valid_until)."""
    record = {attr: getattr(row, attr) for attr in FACILITY_ATTRS}
    for scheme, (number_field, date_field) in ACCREDITATION_FIELDS.items():
        number, valid_until = accreditations.get(scheme, (None, None))
        record[number_field] = number
        if date_field:
            record[date_field] = valid_until
    return {field: record[field] for field in FACILITY_FIELDS}


def capability_record(row, facility_id: str) -> dict:
    return capability_record_of(facility_id, [getattr(row, attr) for attr in CAPABILITY_ATTRS])


def capability_record_of(facility_id: str, values) -> dict:
    """The record of a capability's stored values, in CAPABILITY_ATTRS order (a query's row, sliced: an
    import reads 2,000,000 of them, and a row's attributes by name cost twice as much)."""
    record = {"facility_id": facility_id, **dict(zip(CAPABILITY_ATTRS, values))}
    if record["price_cny"] is not None:
        record["price_cny"] = Decimal(record["price_cny"]).quantize(CENT)
    return record


def accreditation_rows(record: dict, facility_pk: int) -> list[dict]:
    rows = []
    for scheme, (number_field, date_field) in ACCREDITATION_FIELDS.items():
        if record.get(number_field):
            rows.append({"facility_pk": facility_pk, "scheme": scheme,
                         "number": record[number_field],
                         "valid_until": record.get(date_field) if date_field else None})
    return rows


def load_facilities(session, include_deleted: bool = True) -> dict[str, tuple]:
    """facility_id -> (pk, deleted, record), for every facility (1,500 fit in memory)."""
    accreditations: dict[int, dict] = {}
    for acc in session.execute(select(Accreditation.facility_pk, Accreditation.scheme,
                                      Accreditation.number, Accreditation.valid_until)):
        accreditations.setdefault(acc.facility_pk, {})[acc.scheme] = (acc.number, acc.valid_until)
    query = select(Facility.id, Facility.deleted_at, *[getattr(Facility, a) for a in FACILITY_ATTRS])
    if not include_deleted:
        query = query.where(Facility.deleted_at.is_(None))
    return {
        row.facility_id: (row.id, row.deleted_at is not None,
                          facility_record(row, accreditations.get(row.id, {})))
        for row in session.execute(query.order_by(Facility.facility_id))
    }


def jsonable(record: dict) -> dict:
    """A record as JSON values, for the change log."""
    out = {}
    for key, value in record.items():
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        out[key] = value
    return out


def difference(before: dict, after: dict) -> tuple[dict, dict]:
    """The fields that differ, as (before, after) JSON values; empty when unchanged."""
    keys = [k for k in after if before.get(k) != after[k]]
    return (jsonable({k: before.get(k) for k in keys}), jsonable({k: after[k] for k in keys}))


@cache
def validation_version() -> bytes:
    """A fingerprint of the code that validates rows: a rule changed, every digest changes."""
    digest = hashlib.blake2b(digest_size=16)
    for module in (fields, interchange, rules, identifiers, units):
        digest.update(Path(module.__file__).read_bytes())
    return digest.digest()


def import_digest(raw: dict, record: dict, columns: frozenset[str]) -> str:
    """Ties a stored capability to the raw row it was imported from.

    The digest covers the raw cells, the columns the file gives (an absent column
    and an empty cell mean different things), the record they produced and the
    validation code. A later import of the very same cells, while the stored record still
    equals that record, can skip validation: the outcome would be the same. Any
    edit by another path, or a change of the rules, breaks the match. Every import computes it for
    every row (2,000,000 in a province), so the key and the columns are prepared once; the bytes hashed
    are what they always were, so that stored digests stay valid.
    """
    digest = _keyed(validation_version()).copy()
    digest.update(repr(sorted(raw.items())).encode())
    digest.update(_columns_text(columns))
    digest.update(repr([record[field] for field in CAPABILITY_FIELDS]).encode())
    return digest.hexdigest()


@cache
def _keyed(version: bytes):
    return hashlib.blake2b(version, digest_size=16)


@cache
def _columns_text(columns: frozenset[str]) -> bytes:
    return repr(sorted(columns)).encode()


def data_version(session) -> tuple:
    """Changes whenever a facility or capability is written: the newest change set (every import
    and edit records one) and the newest facility update. Caches of derived figures (and the API's
    kept answers, on every request) key on it: one round trip, and each max() one index probe."""
    return seen_version(session, tuple(session.connection().execute(_DATA_VERSION).one()))


def seen_version(session, version: tuple) -> tuple:
    """Note `version` as the newest this process has read of the session's database, and return it."""
    _SEEN[database_key(session)] = version
    return version


def last_seen_version(session) -> tuple | None:
    """The version this process read last of the session's database (None: none yet). A guess, to be
    confirmed: a statement that selects DATA_VERSION_COLUMNS beside its rows tells whether the data it
    read is still at that version (search/api_lists.py saves its own round trip for the version so)."""
    return _SEEN.get(database_key(session))


_SEEN: dict[str, tuple] = {}
# Built once: every search asks it, and building the statement cost as much as running it.
DATA_VERSION_COLUMNS = (select(func.max(ChangeSet.id)).scalar_subquery().label("version_change_set"),
                        select(func.max(Facility.updated_at)).scalar_subquery().label("version_facility"))
_DATA_VERSION = select(*DATA_VERSION_COLUMNS)
