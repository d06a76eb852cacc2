"""Supply outside Hangzhou (德清, 柯桥, 海宁 …): facilities just across the border that residents near it use.

Imported from a CSV (`lon,lat,kind,weight`, optional `name`, `discipline`; WGS-84), kept in their own
table, never in `facilities`: they are never listed as Hangzhou's and never counted in a district
table. They count in accessibility only (E2SFCA supply), with `weight` in the unit of the supply
weight chosen (one facility, items, standards or daily capacity: the file says what it estimated).
A point inside the city is refused: a Hangzhou facility belongs in the registry. A kind and a discipline
are read as the interchange format reads them (registry/vocabulary.py): the key, or any label a bureau
writes (检验检测机构, 检测, 计量标准 …; 热学, 04 …).
"""
from __future__ import annotations

import csv
import io
import math
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import delete, func, select

from registry.errors import RegistryError
from registry.models import OutsideSupply
from registry.schemas.fields import Choice
from registry.services.audit.demand import _text
from registry.vocabulary import CAPABILITY_KINDS as CAPABILITY_KIND_LABELS
from registry.vocabulary import FACILITY_KINDS, discipline_aliases

if TYPE_CHECKING:  # numpy itself loads when a function here first needs it
    import numpy as np

# A facility kind in the file stands for its kind of capability.
KIND_OF_FACILITY = {"metrology": "measurement_standard", "testing": "test_item",
                    "certification": "certification_scope"}
CAPABILITY_KINDS = tuple(KIND_OF_FACILITY.values())
KIND = Choice({**FACILITY_KINDS, **CAPABILITY_KIND_LABELS})  # a facility's kind or a capability's, any label
DISCIPLINE = Choice(discipline_aliases())
MAX_ROWS = 10_000
REACH = (117.5, 28.5, 121.8, 31.5)  # lon/lat box: Hangzhou and the counties around it


def parse_outside_csv(data: bytes, locate) -> list[dict]:
    """Rows of an outside-supply CSV; `locate(lon, lat)` gives the district code of a point in the city."""
    reader = csv.reader(io.StringIO(_text(data)))
    header = [h.strip().lower() for h in next(reader, [])]
    if not {"lon", "lat", "kind", "weight"} <= set(header):
        raise RegistryError(_l("The outside-supply file needs the columns lon, lat, kind, weight."))
    at = {name: header.index(name) for name in header}
    rows = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(rows) >= MAX_ROWS:
            raise RegistryError(_l("The outside-supply file has more than %(n)s rows.", n=MAX_ROWS))
        cell = {name: (row[i].strip() if i < len(row) else "") for name, i in at.items()}
        try:
            lon, lat, weight = float(cell["lon"]), float(cell["lat"]), float(cell["weight"])
        except ValueError:
            raise RegistryError(_l("Row %(row)s of the outside-supply file: lon, lat and weight must be numbers.",
                                   row=number)) from None
        try:
            kind = KIND.parse(cell["kind"])
            kind = KIND_OF_FACILITY.get(kind, kind)
            discipline = DISCIPLINE.parse(cell["discipline"]) if cell.get("discipline") else None
        except ValidationError:
            raise RegistryError(_l("Row %(row)s of the outside-supply file: unknown kind or discipline.",
                                   row=number)) from None
        if not (REACH[0] <= lon <= REACH[2] and REACH[1] <= lat <= REACH[3]) or not math.isfinite(weight) \
                or weight < 0:
            raise RegistryError(_l("Row %(row)s of the outside-supply file: the point is not near Hangzhou "
                                   "(WGS-84) or the weight is negative.", row=number))
        if locate(lon, lat):
            raise RegistryError(_l("Row %(row)s of the outside-supply file lies inside Hangzhou: register it "
                                   "as a facility instead.", row=number))
        rows.append({"name": cell.get("name", "")[:300], "lon": lon, "lat": lat, "kind": kind,
                     "discipline": discipline, "weight": weight})
    if not rows:
        raise RegistryError(_l("The outside-supply file has no rows."))
    return rows


def import_outside_supply(session, data: bytes, locate, *, source: str, year=None, replace: bool = False) -> int:
    """Keep the file's facilities as outside supply (all or nothing); `replace` drops the earlier ones."""
    source = (source or "").strip()
    if not source:
        raise RegistryError(_l("Say where the outside supply comes from (its source)."))
    if year not in (None, ""):
        try:
            year = int(str(year).strip())
        except ValueError:
            year = 0
        if not 1950 <= year <= 2100:
            raise RegistryError(_l("The outside supply's year must be a year from 1950 to 2100."))
    rows = parse_outside_csv(data, locate)
    if replace:
        session.execute(delete(OutsideSupply))
    session.add_all(OutsideSupply(source=source, year=year or None, **row) for row in rows)
    session.commit()
    return len(rows)


def outside_supply(session, kind: str = "", discipline: str = "") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lon, lat, weight) of the outside facilities with the chosen kind and discipline (one without a
    discipline does not count when a discipline is chosen)."""
    import numpy as np

    query = select(OutsideSupply.lon, OutsideSupply.lat, OutsideSupply.weight).where(OutsideSupply.weight > 0)
    if kind:
        query = query.where(OutsideSupply.kind == kind)
    if discipline:
        query = query.where(OutsideSupply.discipline == discipline)
    rows = session.execute(query.order_by(OutsideSupply.id)).all()
    data = np.array(rows, float).reshape(-1, 3)
    return data[:, 0], data[:, 1], data[:, 2]


def outside_count(session) -> int:
    return session.scalar(select(func.count()).select_from(OutsideSupply)) or 0


def outside_by_source(session) -> list:
    """(source, year, facilities, total weight) of the outside supply, per import source."""
    return session.execute(select(OutsideSupply.source, OutsideSupply.year, func.count().label("n"),
                                  func.sum(OutsideSupply.weight).label("weight"))
                           .group_by(OutsideSupply.source, OutsideSupply.year)
                           .order_by(OutsideSupply.source)).all()
