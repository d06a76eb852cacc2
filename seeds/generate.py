"""Generate a deterministic data set in the interchange format (DATA_FORMAT.md v1).

One generator serves the committed demonstration data (seeds/demo/) and the
benchmarks:

    python -m seeds.generate                       # regenerate seeds/demo/
    python -m seeds.generate --facilities 1500 --capabilities 300000 \\
        --seed 7 --out /tmp/bench [--format xlsx] [--as-of 2026-11-01]

The same arguments give byte-identical files: all randomness comes from
`random.Random` instances seeded from --seed (one for the layout of the data
set, one per facility for its details and one per facility for its
capabilities, so a change in one place does not reshuffle everything after
it), and all dates are relative to --as-of, never to today. Facilities are
held in memory; capability rows are written as they are made.

Every name is fictional and carries the （演示）/(Demo) marker. Three needs
from DESIGN.md are planted on purpose, each bookable: a pressure standard
covering 50 MPa in 萧山, cable conductor resistance to GB/T 3048.4-2007, and
an ISO 9001 certification body.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

import shapely
from openpyxl import Workbook
from shapely.geometry import shape

from geo.coords import wgs84_to_gcj02
from registry.identifiers import make_uscc
from registry.vocabulary import DISCIPLINES, DISTRICTS
from seeds import catalog as cat
from seeds import realistic

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "demo"
DEFAULT_DISTRICTS = HERE / "districts.geojson"
DEMO_FACILITIES, DEMO_CAPABILITIES, DEMO_SEED = 300, 5200, 2021
DEFAULT_AS_OF = dt.date(2026, 11, 1)
MARGIN_M = 1600.0  # points stay this far inside their district (1.5 km, plus projection slack)

FACILITY_COLUMNS = (
    "facility_id", "name", "name_en", "kind", "ownership", "level", "uscc", "org_name",
    "district_code", "address", "lon", "lat", "crs", "phone", "email", "website", "shared",
    "fields", "cma_no", "cma_valid_until", "cnas_no", "cnas_valid_until", "cnca_no", "status",
)
CAPABILITY_COLUMNS = (
    "facility_id", "capability_id", "kind", "name", "discipline", "category", "standards",
    "quantity", "range_min", "range_max", "unit", "uncertainty", "certificate_no", "valid_until",
    "price_cny", "lead_time_days", "bookable", "daily_capacity",
)
_XLSX_NUMBERS = {"lon", "lat", "range_min", "range_max", "price_cny", "lead_time_days", "daily_capacity"}
_XLSX_DATES = {"cma_valid_until", "cnas_valid_until", "valid_until"}


# --- small deterministic helpers ---------------------------------------------

def spread(rng: Random, n: int, shares: dict[str, float]) -> list[str]:
    """Exactly-proportioned labels for n items (largest remainder), shuffled."""
    total = sum(shares.values())
    quotas = {k: n * w / total for k, w in shares.items()}
    counts = {k: math.floor(q) for k, q in quotas.items()}
    by_remainder = sorted(shares, key=lambda k: counts[k] - quotas[k])  # stable: ties keep order
    for k in by_remainder[: n - sum(counts.values())]:
        counts[k] += 1
    labels = [k for k in shares for _ in range(counts[k])]
    rng.shuffle(labels)
    return labels


def allocate(total: int, weights: list[float], base: list[int]) -> list[int]:
    """Integers >= base summing to total, the part above base proportional to weights."""
    rest = total - sum(base)
    quotas = [rest * w / sum(weights) for w in weights]
    counts = [b + math.floor(q) for b, q in zip(base, quotas)]
    order = sorted(range(len(weights)), key=lambda i: (math.floor(quotas[i]) - quotas[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def validity(rng: Random, as_of: dt.date, years: int, expired: bool) -> tuple[dt.date, dt.date]:
    """(issue date, valid-until date) of a certificate valid for `years`, lapsed before as_of if expired."""
    days = round(years * 365.25)
    until = as_of - dt.timedelta(rng.randint(1, 540)) if expired else as_of + dt.timedelta(rng.randint(30, days - 1))
    return until - dt.timedelta(days - 1), until


class Cycle:
    """Draws from a list in shuffled rounds, so small counts have no repeats; `first` comes first."""

    def __init__(self, rng: Random, items, first=None):
        self.rng, self.items = rng, list(items)
        self.queue = [item for item in self.items if item != first]
        rng.shuffle(self.queue)
        if first is not None:
            self.queue.append(first)  # popped next

    def next(self):
        if not self.queue:
            self.queue = self.items[:]
            self.rng.shuffle(self.queue)
        return self.queue.pop()


# --- where facilities are ----------------------------------------------------

class DistrictSampler:
    """Random WGS-84 points at least MARGIN_M inside a district.

    Distances are measured in a local equirectangular projection centred on
    Hangzhou (pure arithmetic, so results do not depend on the PROJ version);
    its scale error over the city is under 1 %, covered by the margin.
    """

    LON0, LAT0, R = 120.0, 29.9, 6371008.8

    def __init__(self, path: Path = DEFAULT_DISTRICTS):
        self.kx = self.R * math.cos(math.radians(self.LAT0)) * math.pi / 180
        self.ky = self.R * math.pi / 180
        with open(path, encoding="utf-8") as f:
            features = json.load(f)["features"]
        self.geoms = {}
        for feat in features:
            geom = shapely.transform(shape(feat["geometry"]), self._project_array)
            shapely.prepare(geom)
            self.geoms[str(feat["properties"]["code"])] = (geom, geom.boundary)
        missing = set(DISTRICTS) - set(self.geoms)
        if missing:
            raise ValueError(f"{path} lacks districts {sorted(missing)}")

    def _project_array(self, lonlat):
        return (lonlat - (self.LON0, self.LAT0)) * (self.kx, self.ky)

    def sample(self, rng: Random, code: str) -> tuple[float, float]:
        geom, boundary = self.geoms[code]
        profile = cat.DISTRICT_PROFILES[code]
        cx, cy = (profile.centre[0] - self.LON0) * self.kx, (profile.centre[1] - self.LAT0) * self.ky
        xmin, ymin, xmax, ymax = geom.bounds
        for attempt in range(20000):
            if attempt < 200 and rng.random() < 0.75:  # most near the built-up centre
                x, y = rng.gauss(cx, profile.spread_km * 1000), rng.gauss(cy, profile.spread_km * 1000)
            else:
                x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
            lon, lat = round(self.LON0 + x / self.kx, 6), round(self.LAT0 + y / self.ky, 6)
            px, py = (lon - self.LON0) * self.kx, (lat - self.LAT0) * self.ky
            if shapely.contains_xy(geom, px, py) and boundary.distance(shapely.Point(px, py)) >= MARGIN_M:
                return lon, lat
        raise RuntimeError(f"no point {MARGIN_M} m inside district {code}")


# --- facilities --------------------------------------------------------------

@dataclass
class Facility:
    index: int
    row: dict
    kind: str
    level: str | None
    anchor: str | None = None  # 'pressure', 'cable' or 'iso9001'
    lead_discipline: str | None = None
    disciplines: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    schemes: tuple[str, ...] = ()
    holds_standards: bool = False
    auth: str = "杭"  # 计量标准 certificate issuer part


@dataclass
class Layout:
    """Data-set-wide decisions, made with the master generator before any details."""
    district: list[str]
    kind: list[str]
    status: list[str]
    location: list[str]
    ownership: list[str] = field(default_factory=list)
    level: list[str | None] = field(default_factory=list)
    shared: list[bool] = field(default_factory=list)
    anchors: dict[int, str] = field(default_factory=dict)


def plan_layout(rng: Random, n: int) -> Layout:
    layout = Layout(
        district=spread(rng, n, {c: p.weight for c, p in cat.DISTRICT_PROFILES.items()}),
        kind=spread(rng, n, cat.KIND_SHARES),
        status=spread(rng, n, cat.STATUS_SHARES),
        location=spread(rng, n, {"wgs84": 0.90, "derived": 0.02, "none": cat.NO_COORDINATES_SHARE,
                                 "gcj02": cat.GCJ02_SHARE}),
    )
    layout.ownership = [""] * n
    for kind, share in cat.STATE_SHARE_BY_KIND.items():
        members = [i for i in range(n) if layout.kind[i] == kind]
        for i, owner in zip(members, spread(rng, len(members), {"state": share, "private": 1 - share})):
            layout.ownership[i] = owner
    layout.level, layout.shared = [None] * n, [False] * n
    for owner, shares in (("state", {"yes": 1 - cat.STATE_NOT_SHARED_SHARE, "no": cat.STATE_NOT_SHARED_SHARE}),
                          ("private", {"yes": cat.PRIVATE_SHARED_SHARE, "no": 1 - cat.PRIVATE_SHARED_SHARE})):
        members = [i for i in range(n) if layout.ownership[i] == owner]
        for i, shared in zip(members, spread(rng, len(members), shares)):
            layout.shared[i] = shared == "yes"
        if owner == "state":
            for i, level in zip(members, spread(rng, len(members), cat.STATE_LEVEL_SHARES)):
                layout.level[i] = level
            _keep_high_levels_urban(layout, members)
    _plant_anchors(rng, layout, n)
    return layout


def _keep_high_levels_urban(layout: Layout, members: list[int]) -> None:
    """Swap levels so that national and provincial facilities sit in urban districts."""
    def high(i):
        return layout.level[i] in ("national", "provincial")

    def urban(i):
        return layout.district[i] in cat.HIGH_LEVEL_DISTRICTS

    misplaced = [i for i in members if high(i) and not urban(i)]
    swappable = [i for i in members if not high(i) and urban(i)]
    for i, j in zip(misplaced, swappable):
        layout.level[i], layout.level[j] = layout.level[j], layout.level[i]


def _plant_anchors(rng: Random, layout: Layout, n: int) -> None:
    """Pick (or make) one facility for each planted need; they are active, located and shared."""
    wanted = (("pressure", "metrology", ("330109",)), ("cable", "testing", cat.ANCHOR_CABLE_DISTRICTS),
              ("iso9001", "certification", tuple(DISTRICTS)))
    tie_break = list(range(n))
    rng.shuffle(tie_break)
    for role, kind, districts in wanted:
        free = [i for i in range(n) if i not in layout.anchors]
        if not free:
            return
        ranked = sorted(free, key=lambda i: (layout.kind[i] != kind, layout.district[i] not in districts,
                                             layout.status[i] != "active", layout.location[i] != "wgs84",
                                             tie_break[i]))
        i = ranked[0]
        layout.anchors[i] = role
        layout.kind[i] = kind
        if layout.district[i] not in districts:
            layout.district[i] = districts[0]
        layout.status[i], layout.location[i], layout.shared[i] = "active", "wgs84", True


def build_facilities(n: int, seed: int, as_of: dt.date, sampler: DistrictSampler) -> list[Facility]:
    layout = plan_layout(Random(seed), n)
    width = max(4, len(str(n)))
    used = {"name": set(), "uscc": set(), "cma": set(), "cnas": set(), "cnca": set()}
    facilities = []
    metrology_seen = 0
    for i in range(n):
        rng = Random(f"{seed}/facility/{i}")
        fac = Facility(i, {}, layout.kind[i], layout.level[i], layout.anchors.get(i))
        if fac.kind == "metrology" and not fac.anchor:  # round robin: every discipline is someone's lead
            fac.lead_discipline = list(DISCIPLINES)[metrology_seen % len(DISCIPLINES)]
            metrology_seen += 1
        _choose_specialism(rng, fac)
        row = fac.row
        row["facility_id"] = f"DEMO-F{i + 1:0{width}d}"
        row.update(kind=fac.kind, ownership=layout.ownership[i], level=fac.level or "",
                   district_code=layout.district[i], status=layout.status[i],
                   shared="yes" if layout.shared[i] else "no")
        _name(rng, fac, used["name"])
        row["uscc"] = _uscc(rng, fac, used["uscc"])
        _place(rng, fac, layout.location[i], sampler)
        _contact_and_fields(rng, fac)
        _certificates(rng, fac, as_of, used)
        facilities.append(fac)
    return facilities


def _choose_specialism(rng: Random, fac: Facility) -> None:
    if fac.kind == "metrology":
        if fac.level in ("provincial", "city"):
            pool = list(DISCIPLINES)
        elif fac.level == "district":
            special = [d for d in DISCIPLINES if d not in cat.GENERAL_DISCIPLINES]
            pool = [*cat.GENERAL_DISCIPLINES, rng.choice(special)]
        else:
            pool = rng.sample(list(DISCIPLINES), rng.randint(1, 4))
        if fac.anchor == "pressure":
            fac.lead_discipline = "mechanics"
        fac.disciplines = tuple(dict.fromkeys([fac.lead_discipline, *pool]))
        fac.auth = {"national": "", "provincial": ""}.get(fac.level, "杭" if fac.level else "杭企")
    elif fac.kind == "testing":
        domains = [d for d in cat.TEST_DOMAINS if d != "metrology"]
        fac.domains = tuple(rng.sample(domains, rng.choice((1, 1, 2, 2, 3))))
        if fac.anchor == "cable" and "cable" not in fac.domains:
            fac.domains = ("cable", *fac.domains[:-1]) if len(fac.domains) > 1 else ("cable",)
        fac.holds_standards = rng.random() < 0.10
        fac.disciplines = ("thermal", "mechanics", "electromagnetism")
        fac.auth = "杭企"
    else:
        keys = [s.key for s in cat.SCHEMES if s.key != "iso9001"]
        picked = rng.sample(keys, rng.randint(1, 6))
        if fac.anchor == "iso9001" or rng.random() < 0.7:
            picked.insert(0, "iso9001")
        fac.schemes = tuple(picked)


def _name(rng: Random, fac: Facility, used: set) -> None:
    row, code = fac.row, fac.row["district_code"]
    profile = cat.DISTRICT_PROFILES[code]
    zh_district = DISTRICTS[code][0]
    brand, brand_en = rng.choice(cat.BRANDS)
    disc, disc_en = cat.DISCIPLINE_WORDS[fac.lead_discipline or "mechanics"]
    dom, dom_en, _ = cat.TEST_DOMAINS[fac.domains[0] if fac.domains else "cable"]
    urban = zh_district.endswith("区")
    values = {"brand": brand, "brand_en": brand_en, "disc": disc, "disc_en": disc_en, "dom": dom, "dom_en": dom_en,
              "dprefix": "杭州市" + zh_district if urban else zh_district,
              "den": "Hangzhou " + profile.pinyin if urban else profile.pinyin}
    zh, en, org = rng.choice(cat.NAME_TEMPLATES[(fac.kind, fac.level or "private")])
    zh, en = zh.format(**values), en.format(**values)
    org = org.format(**values) if org else None
    base_zh, base_en, number = zh, en, 1 if profile.short not in zh else 2
    branch = "分公司" if zh.endswith("公司") else "分部"
    while zh in used:  # same name twice: a branch, named by its district, else numbered
        zh, en = ((f"{base_zh}{profile.short}{branch}", f"{base_en}, {profile.pinyin} Branch") if number == 1
                  else (f"{base_zh}第{number}{branch}", f"{base_en}, Branch {number}"))
        number += 1
    used.add(zh)
    row["name"] = zh + cat.DEMO_MARKER
    row["name_en"] = f"{en} {cat.DEMO_MARKER_EN}"
    row["org_name"] = (org or zh) + cat.DEMO_MARKER


def _uscc(rng: Random, fac: Facility, used: set) -> str:
    code = fac.row["district_code"]
    enterprise = fac.row["ownership"] == "private" or fac.kind != "metrology" and rng.random() < 0.3
    if fac.level in ("national", "provincial") and not enterprise:
        division = "330000"
    elif fac.level == "city" or rng.random() < 0.3:
        division = "330100"
    elif code in cat.OLD_DIVISIONS and rng.random() < 0.3:
        division = rng.choice(cat.OLD_DIVISIONS[code])
    else:
        division = code
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    while True:
        if not enterprise:
            prefix, body = "12", "4" + "".join(rng.choice("0123456789") for _ in range(7))
        elif fac.row["ownership"] == "private" and rng.random() < 0.05:
            prefix, body = "52", "MJ" + "".join(rng.choice(alphabet) for _ in range(6))
        else:
            prefix, body = "91", "MA2" + "".join(rng.choice(alphabet) for _ in range(5))
        uscc = make_uscc(prefix + division, body)
        if uscc not in used:
            used.add(uscc)
            return uscc


def _place(rng: Random, fac: Facility, location: str, sampler: DistrictSampler) -> None:
    row, code = fac.row, fac.row["district_code"]
    profile = cat.DISTRICT_PROFILES[code]
    row["address"] = (f"浙江省杭州市{DISTRICTS[code][0]}{rng.choice(profile.towns)}{rng.choice(cat.ROADS)}"
                      f"{rng.randint(1, 999)}号" + (f"{rng.randint(1, 12)}幢" if rng.random() < 0.4 else ""))
    row["lon"] = row["lat"] = row["crs"] = ""
    if location == "none":
        return
    lon, lat = sampler.sample(rng, code)
    if location == "gcj02":
        lon, lat = (round(v, 6) for v in wgs84_to_gcj02(lon, lat))
    if location == "derived":  # coordinates only: the importer derives the district
        row["district_code"] = ""
    row["lon"], row["lat"] = f"{lon:.6f}", f"{lat:.6f}"
    row["crs"] = "gcj02" if location == "gcj02" else "wgs84"


def _contact_and_fields(rng: Random, fac: Facility) -> None:
    row, slug = fac.row, fac.row["facility_id"].lower()
    # 0571 numbers never start with 0 after the area code: these reach nobody.
    row["phone"] = f"0571-0{rng.randint(0, 9999999):07d}" if rng.random() < 0.85 else ""
    row["email"] = f"{slug}@demo.example.cn" if rng.random() < 0.7 else ""
    row["website"] = f"https://demo.example.cn/{slug}" if rng.random() < 0.5 else ""
    fields = [f for d in fac.domains for f in cat.TEST_DOMAINS[d][2]]
    fields += rng.sample(cat.KEY_FIELDS, rng.randint(0 if fields else 1, 2))
    row["fields"] = ";".join(dict.fromkeys(fields))


def _unique(rng: Random, used: set, make) -> str:
    while True:
        value = make()
        if value not in used:
            used.add(value)
            return value


def _certificates(rng: Random, fac: Facility, as_of: dt.date, used: dict) -> None:
    row, anchor = fac.row, fac.anchor is not None
    for key in ("cma_no", "cma_valid_until", "cnas_no", "cnas_valid_until", "cnca_no"):
        row[key] = ""

    def lapsed():
        return not anchor and rng.random() < cat.EXPIRED_SHARE

    if rng.random() < {"metrology": 0.4, "testing": 0.9, "certification": 0.0}[fac.kind]:
        issued, until = validity(rng, as_of, 6, lapsed())
        row["cma_no"] = _unique(rng, used["cma"], lambda: f"{issued.year % 100:02d}1112{rng.randint(0, 999999):06d}")
        row["cma_valid_until"] = until.isoformat()
    if rng.random() < {"metrology": 0.7, "testing": 0.55, "certification": 0.6}[fac.kind]:
        row["cnas_no"] = _unique(rng, used["cnas"], lambda: _cnas_number(rng, fac))
        row["cnas_valid_until"] = validity(rng, as_of, 6, lapsed())[1].isoformat()
    if fac.kind == "certification":
        row["cnca_no"] = _unique(rng, used["cnca"],
                                 lambda: f"CNCA-R-{rng.randint(2002, 2022)}-{rng.randint(1, 999):03d}")


def _cnas_number(rng: Random, fac: Facility) -> str:
    if fac.kind == "certification":
        product = any(s.product_scheme for s in cat.SCHEMES if s.key in fac.schemes)
        return f"CNAS C{rng.randint(1, 299):03d}-{'P' if product else 'M'}"
    if set(fac.domains) & set(cat.INSPECTION_DOMAINS):
        return f"CNAS IB{rng.randint(1, 999):04d}"
    return f"CNAS L{rng.randint(1000, 19999)}"


# --- capabilities ------------------------------------------------------------

def capability_counts(rng: Random, facilities: list[Facility], m: int) -> list[int]:
    """Exactly m capabilities over the facilities, heavy-tailed; anchors get at least one."""
    kind_factor = {"metrology": 1.3, "testing": 1.0, "certification": 0.5}
    level_factor = {"national": 2.0, "provincial": 1.6, "city": 1.3, "district": 1.0, None: 0.9}
    weights = [rng.lognormvariate(0, 1.0) * kind_factor[f.kind] * level_factor[f.level] for f in facilities]
    if m >= len(facilities):
        base = [1] * len(facilities)
    else:
        anchors = [f.index for f in facilities if f.anchor][:m]
        base = [1 if f.index in anchors else 0 for f in facilities]
    return allocate(m, weights, base) if facilities else []


def iter_capabilities(fac: Facility, count: int, seed: int, as_of: dt.date) -> Iterator[dict]:
    """The facility's `count` capability rows, its planted need (if any) first."""
    rng = Random(f"{seed}/capabilities/{fac.index}")
    standards, tests, scopes = _menus(rng, fac, count)
    for j in range(count):
        planted = j == 0 and fac.anchor is not None
        if fac.kind == "certification":
            row = _scope_row(*scopes.next())
        elif fac.kind == "metrology" and (j == 0 or rng.random() < 0.9) or (
                fac.holds_standards and j > 0 and rng.random() < 0.15):
            row = _standard_row(rng, fac, standards.next(), planted)
        else:
            row = _test_row(tests.next())
        _terms(rng, row, as_of, planted)
        row["facility_id"] = fac.row["facility_id"]
        row["capability_id"] = f"C{j + 1:04d}"
        yield row


def _menus(rng: Random, fac: Facility, count: int) -> tuple[Cycle, Cycle, Cycle]:
    """What the facility offers, widened until it can fill `count` rows without repeats where possible."""
    def widened(chosen, candidates, entries):
        keys, extra = list(chosen), [k for k in candidates if k not in chosen]
        rng.shuffle(extra)
        while extra and len(entries(keys)) < count:
            keys.append(extra.pop())
        return entries(keys)

    lead = None
    if fac.anchor == "pressure":
        lead = cat.ANCHOR_PRESSURE
    elif fac.lead_discipline:
        lead = rng.choice([e for e in cat.MEASUREMENT_STANDARDS if e.discipline == fac.lead_discipline])
    standards = Cycle(rng, widened(fac.disciplines, list(DISCIPLINES), lambda keys: [
        e for e in cat.MEASUREMENT_STANDARDS if e.discipline in keys]), first=lead)
    own_domains = ("metrology",) if fac.kind == "metrology" else fac.domains
    other_domains = ("reliability", "emc", "appliance") if fac.kind == "metrology" else [
        d for d in cat.TEST_DOMAINS if d != "metrology"]
    tests = Cycle(rng, widened(own_domains, other_domains, lambda keys: [
        e for e in cat.TEST_ITEMS if e.domain in keys]), first=cat.ANCHOR_CABLE if fac.anchor == "cable" else None)
    scopes = Cycle(rng, widened(fac.schemes, [s.key for s in cat.SCHEMES], lambda keys: [
        (s, subject) for s in cat.SCHEMES if s.key in keys for subject in (None, *s.subjects)]),
        first=(cat.ANCHOR_ISO9001, None) if fac.anchor == "iso9001" else None)
    return standards, tests, scopes


def _standard_row(rng: Random, fac: Facility, entry, planted: bool) -> dict:
    range_ = cat.ANCHOR_PRESSURE_RANGE if planted else rng.choice(entry.ranges) if entry.ranges else None
    return _row("measurement_standard", entry.name, entry.discipline, "", entry.standards, entry.quantity,
                range_, entry.unit if range_ else "", entry.uncertainty, years=5,
                certificate=f"浙量标{fac.auth}证字第{rng.randint(1, 999)}号")


def _test_row(entry) -> dict:
    return _row("test_item", f"{entry.product} {entry.parameter}", "", entry.category, entry.standards,
                entry.quantity, entry.range, entry.unit if entry.range else "", "", years=6)


def _scope_row(scheme, subject: str | None) -> dict:
    if subject is None:
        name = scheme.name
    elif subject.startswith("IAF"):
        name = f"{scheme.name}（{subject}）"
    else:
        name = f"{scheme.name} {subject}"
    standards = ";".join(s for s in (scheme.standards, cat.SUBJECT_STANDARDS.get((scheme.key, subject), "")) if s)
    return _row("certification_scope", name, "", scheme.category, standards, "", None, "", "", years=6)


def _row(kind, name, discipline, category, standards, quantity, range_, unit, uncertainty, *,
         years: int, certificate: str | None = None) -> dict:
    """The descriptive cells of a capability; `_terms` turns range, years and certificate into cells."""
    return {"kind": kind, "name": name, "discipline": discipline, "category": category, "standards": standards,
            "quantity": quantity, "range": range_, "unit": unit, "uncertainty": uncertainty, "years": years,
            "certificate": certificate}


def _terms(rng: Random, row: dict, as_of: dt.date, planted: bool) -> None:
    """Validity, certificate number, price, lead time and booking terms, in place."""
    kind, range_, certificate = row.pop("kind"), row.pop("range"), row.pop("certificate")
    row["kind"] = kind
    row["range_min"], row["range_max"] = range_ or ("", "")
    expired = not planted and rng.random() < cat.EXPIRED_SHARE
    issued, until = validity(rng, as_of, row.pop("years"), expired)
    if planted:
        until = max(until, as_of + dt.timedelta(400))
    dated = expired or planted or kind == "measurement_standard" or rng.random() < 0.6
    row["valid_until"] = until.isoformat() if dated else ""
    row["certificate_no"] = f"[{issued.year}]{certificate}" if certificate else ""
    low, high, step = {"measurement_standard": (80, 2000, 10), "test_item": (50, 3000, 10),
                       "certification_scope": (8000, 60000, 500)}[kind]
    row["price_cny"] = str(rng.randrange(low, high, step)) if planted or rng.random() < 0.85 else ""
    days = {"measurement_standard": (2, 15), "test_item": (3, 20), "certification_scope": (15, 60)}[kind]
    row["lead_time_days"] = str(rng.randint(*days)) if planted or rng.random() < 0.9 else ""
    bookable = planted or rng.random() < cat.BOOKABLE_SHARE
    row["bookable"] = "yes" if bookable else "no"
    row["daily_capacity"] = str(rng.randint(1, 20)) if bookable else ""


# --- writing -----------------------------------------------------------------

VOCABULARIES = ("demo", "realistic")


def generate(out: Path, n_facilities: int, n_capabilities: int, seed: int,
             as_of: dt.date = DEFAULT_AS_OF, fmt: str = "csv",
             districts: Path = DEFAULT_DISTRICTS, vocabulary: str = "demo", scope_files: int = 0) -> list[Path]:
    """Write the data set into `out` and return the paths written.

    vocabulary 'demo' is the committed demonstration data's; 'realistic' draws capabilities from
    seeds/realistic.py (tens of thousands of distinct items, for benchmarks) and sets the CMA numbers'
    field code from each facility's domain; facilities are otherwise the same. `scope_files` writes the
    realistic items of the first N testing and metrology facilities also as published scopes (XLSX).
    """
    facilities = build_facilities(n_facilities, seed, as_of, DistrictSampler(districts))
    counts = capability_counts(Random(f"{seed}/counts"), facilities, n_capabilities)
    if vocabulary == "realistic":
        _realistic_cma_numbers(facilities)

    def capability_rows():
        for fac, count in zip(facilities, counts):
            if vocabulary == "realistic":
                yield from realistic.capability_rows(fac, count, seed, as_of, iter_capabilities)
            else:
                yield from iter_capabilities(fac, count, seed, as_of)

    out.mkdir(parents=True, exist_ok=True)
    scopes = realistic.write_scope_files(out / "scopes", facilities, counts, seed, scope_files) if scope_files else []
    facility_rows = [f.row for f in facilities]
    if fmt == "xlsx":
        path = out / "registry.xlsx"
        _write_xlsx(path, facility_rows, capability_rows(), as_of)
        return [path, *scopes]
    paths = [out / "facilities.csv", out / "capabilities.csv"]
    _write_csv(paths[0], FACILITY_COLUMNS, facility_rows)
    _write_csv(paths[1], CAPABILITY_COLUMNS, capability_rows())
    return paths + scopes


def _realistic_cma_numbers(facilities: list[Facility]) -> None:
    used = set()
    for fac in facilities:
        number = realistic.cma_with_field_code(fac.row["cma_no"], fac)
        while number and number in used:  # the serial moves on when a field code makes two numbers equal
            number = number[:8] + f"{(int(number[8:]) + 1) % 10000:04d}"
        if number:
            used.add(number)
        fac.row["cma_no"] = number


def _write_csv(path: Path, columns, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row[c] for c in columns])


def _typed(column: str, value: str):
    """A spreadsheet cell as a bureau's Excel would hold it: numbers and dates typed."""
    if value == "":
        return None
    if column in _XLSX_NUMBERS:
        number = float(value)
        return int(number) if number.is_integer() and "." not in value else number
    if column in _XLSX_DATES:
        return dt.date.fromisoformat(value)
    return value


def _write_xlsx(path: Path, facility_rows, capability_rows, as_of: dt.date) -> None:
    workbook = Workbook(write_only=True)
    stamp = dt.datetime.combine(as_of, dt.time())
    workbook.properties.creator = "seeds.generate"
    for title, columns, rows in (("facilities", FACILITY_COLUMNS, facility_rows),
                                 ("capabilities", CAPABILITY_COLUMNS, capability_rows)):
        sheet = workbook.create_sheet(title)
        sheet.append(list(columns))
        for row in rows:
            sheet.append([_typed(c, row[c]) for c in columns])
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.xlsx"
        workbook.save(raw)
        _freeze_zip(raw, path, stamp)


def _freeze_zip(src: Path, dst: Path, stamp: dt.datetime) -> None:
    """Copy an xlsx with fixed timestamps (zip entries and document properties)."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            if info.filename == "docProps/core.xml":
                text = zin.read(info).decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*", rf"\g<1>{iso}", text)
                zout.writestr(fixed, text.encode("utf-8"))
                continue
            with zin.open(info) as fin, zout.open(fixed, "w") as fout:
                shutil.copyfileobj(fin, fout, 1 << 20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m seeds.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--facilities", type=int, default=DEMO_FACILITIES, help="facility rows (%(default)s)")
    parser.add_argument("--capabilities", type=int, default=DEMO_CAPABILITIES,
                        help="capability rows, exactly (%(default)s)")
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help="random seed (%(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (seeds/demo)")
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv",
                        help="facilities.csv + capabilities.csv, or registry.xlsx with both sheets")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF,
                        help="reference date for validity (default %(default)s)")
    parser.add_argument("--districts", type=Path, default=DEFAULT_DISTRICTS, help="district GeoJSON")
    parser.add_argument("--scope-files", type=int, default=0, metavar="N",
                        help="with --vocabulary realistic: also write the scopes of the first N testing and "
                             "metrology facilities as published (OUT/scopes/<facility_id>.xlsx)")
    parser.add_argument("--vocabulary", choices=VOCABULARIES, default="demo",
                        help="demo (the committed demo's few hundred items) or realistic (tens of thousands of "
                             "distinct items with skewed popularity, for benchmarks)")
    args = parser.parse_args(argv)
    if args.facilities < 0 or args.capabilities < 0:
        parser.error("counts must be >= 0")
    if args.capabilities and not args.facilities:
        parser.error("capabilities need at least one facility")
    if args.scope_files and args.vocabulary != "realistic":
        parser.error("--scope-files needs --vocabulary realistic")
    paths = generate(args.out, args.facilities, args.capabilities, args.seed, args.as_of, args.format,
                     args.districts, args.vocabulary, args.scope_files)
    print(f"wrote {args.facilities} facilities and {args.capabilities} capabilities: "
          + ", ".join(str(p) for p in paths), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
