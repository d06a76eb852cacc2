"""Valid interchange rows to start from, and writers for CSV and XLSX data sets."""
import csv
import io
import re
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from openpyxl import Workbook
from sqlalchemy import func, select

from geo.districts import load_districts
from registry.config import Config
from registry.identifiers import make_uscc
from registry.models import Accreditation, Capability, Change, ChangeSet, Facility, OutboxMessage, User
from registry.schemas.interchange import CAPABILITY_COLUMNS, FACILITY_COLUMNS
from registry.services.accounts.users import create_user, hash_password
from registry.services.booking.workflow import BookingRequest
from registry.services.districts import district_locator
from registry.services.records.importing import import_dataset


@lru_cache
def _districts():
    return load_districts(Config.DISTRICTS_GEOJSON).set_index("code")


def point_in(code: str) -> tuple[float, float]:
    """A WGS-84 point well inside a district."""
    point = _districts().loc[code, "geometry"].representative_point()
    return round(point.x, 6), round(point.y, 6)


def uscc(n: int = 1) -> str:
    return make_uscc("91330106", f"{n:08d}")


def facility(n: int = 1, **overrides) -> dict:
    lon, lat = point_in("330106")
    row = {
        "facility_id": f"F{n:04d}", "name": f"测试检测中心{n}", "kind": "testing",
        "ownership": "state", "uscc": uscc(n), "district_code": "330106",
        "lon": str(lon), "lat": str(lat), "shared": "yes",
    }
    row.update(overrides)
    return {k: v for k, v in row.items() if v is not None}


def capability(facility_n: int = 1, n: int = 1, **overrides) -> dict:
    row = {
        "facility_id": f"F{facility_n:04d}", "capability_id": f"C{n:04d}", "kind": "test_item",
        "name": "电线电缆 导体直流电阻", "standards": "GB/T 3048.4-2007",
    }
    row.update(overrides)
    return {k: v for k, v in row.items() if v is not None}


def write_csv(path: Path, rows: list[dict], columns=None, encoding="utf-8", chinese=False):
    aliases = CAPABILITY_COLUMNS if path.stem.startswith("capabilit") else FACILITY_COLUMNS
    columns = columns or list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([aliases[c] if chinese else c for c in columns])
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
    return path


def write_dataset(folder: Path, facilities=(), capabilities=(), **options) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    if facilities:
        paths.append(write_csv(folder / "facilities.csv", list(facilities), **options))
    if capabilities:
        paths.append(write_csv(folder / "capabilities.csv", list(capabilities), **options))
    return paths


def write_workbook(path: Path, sheets: dict[str, list[dict]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        columns = list(dict.fromkeys(k for row in rows for k in row))
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c) for c in columns])
    workbook.save(path)
    return path


def in_english(message) -> str:
    """A (lazy) message as an English reader sees it; Chinese is the default."""
    with force_locale("en"):
        return str(message)


def run(session, paths, **options):
    """Import through the service, with the app's district boundaries, as user "test"."""
    locator = district_locator(current_app.config["DISTRICTS_GEOJSON"])
    return import_dataset(session, paths, locator=locator, actor="test", **options)


def problems(report) -> list[tuple]:
    """Each error as (file, row, column, value, English message)."""
    return [(i.file, i.row, i.column, i.value, in_english(i.message)) for i in report.errors]


def row_counts(session) -> dict[str, int]:
    """Rows in every registry table (tombstones included), as committed: the session's own
    transaction is ended first, so that other processes' commits are seen."""
    session.rollback()
    return {model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Facility, Accreditation, Capability, Change, ChangeSet)}


def nothing_written(session) -> bool:
    return not any(row_counts(session).values())


# --- Accounts ---------------------------------------------------------------------------------

PASSWORD = "correct horse battery"  # every factory user's password


@lru_cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # scrypt is slow on purpose: hash the shared password once


def user(session, role: str = "enterprise", n: int | None = None, **overrides) -> User:
    """A committed user of `role` whose password is PASSWORD; enterprises get a valid USCC."""
    n = n if n is not None else session.scalar(select(func.count()).select_from(User)) + 1
    values = {"email": f"{role}{n}@example.cn", "name": f"{role} {n}", "role": role,
              "password_hash": _password_hash(), "password": None}
    if role == "enterprise":
        values.update(org_name=f"测试企业{n}有限公司", uscc=make_uscc("91330109", f"E{n:07d}"))
    values.update(overrides)
    created = create_user(session, **values)
    session.commit()
    return created


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page's form as a browser would."""
    match = CSRF_FIELD.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, account: User, password: str = PASSWORD):
    """Sign in through the real form (CSRF token included); returns the response."""
    response = client.post("/login", data={"email": account.email, "password": password,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def post_form(client, path: str, data: dict | None = None, token_from: str = "/", **kwargs):
    """POST a form as the signed-in user's browser would, with the session's CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, token_from)}, **kwargs)


MAILED_PATH = re.compile(r"https?://[^/\s]+(/\S+)")


def mails_to(session, address: str) -> list[OutboxMessage]:
    """The messages the outbox holds for `address`, oldest first (as committed)."""
    session.rollback()
    return session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address)
                           .order_by(OutboxMessage.id)).all()


def mailed_path(session, address: str, prefix: str) -> str | None:
    """The path of the newest link under `prefix` (e.g. /register/confirm/) mailed to `address`."""
    for mail in reversed(mails_to(session, address)):
        for path in MAILED_PATH.findall(mail.body):
            if path.startswith(prefix):
                return path
    return None


def register(client, session, data: dict, **kwargs):
    """Sign up through the form, then open the confirmation link mailed to the address and confirm, as a
    person would; returns the confirmation's answer (None when no link was mailed)."""
    answer = post_form(client, "/register", data, token_from="/register", **kwargs)
    assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
    path = mailed_path(session, data["email"].strip().lower(), "/register/confirm/")
    return post_form(client, path, token_from=path) if path else None


# --- Bookings ---------------------------------------------------------------------------------

def bookable_dataset(folder: Path, facilities: int = 1, facility_overrides: dict | None = None,
                     **capability_overrides) -> list[Path]:
    """Facilities F0001… each with one bookable test item C0001 (capacity 3, 120 CNY, 2 days' lead time)."""
    values = {"bookable": "yes", "daily_capacity": "3", "price_cny": "120", "lead_time_days": "2"}
    values.update(capability_overrides)
    return write_dataset(folder, [facility(n, **(facility_overrides or {})) for n in range(1, facilities + 1)],
                         [capability(n, 1, **values) for n in range(1, facilities + 1)])


def capability_of(session, facility_id: str = "F0001", capability_id: str = "C0001") -> Capability:
    return session.scalar(select(Capability).join(Facility).where(
        Facility.facility_id == facility_id, Capability.capability_id == capability_id))


def booking_request(capability: Capability, day, quantity: int = 1, **overrides) -> BookingRequest:
    values = {"capability_pk": capability.id, "service_date": day, "quantity": quantity,
              "description": "导体直流电阻 3 个样品", "contact_name": "李工", "contact_phone": "0571-88888888"}
    values.update(overrides)
    return BookingRequest(**values)


def xlsx_bytes(rows) -> bytes:
    """A one-sheet workbook of `rows`, as an upload carries it."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
