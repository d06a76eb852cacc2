"""The facilities of a generated data set (seeds/generate.py): where they are, what they are, their
names, identifiers, addresses and certificates. One `random.Random` for the data set's layout, one
per facility for its details, so that a change in one place does not reshuffle everything after it."""
from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

import shapely
from shapely.geometry import shape

from geo.coords import wgs84_to_gcj02
from registry.identifiers import make_uscc
from registry.vocabulary import DISCIPLINES, DISTRICTS
from seeds import catalog as cat
from seeds.draws import spread, validity

DEFAULT_DISTRICTS = Path(__file__).resolve().parent / "districts.geojson"
MAX_DRAWS = 10_000  # random draws for an unused identifier before giving up
MARGIN_M = 1600.0  # points stay this far inside their district (1.5 km, plus projection slack)


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


@dataclass
class Issued:
    """What a data set has handed out so far: names and identifiers are unique in it.

    `branches` keeps, per base name, the next branch number to try, so that the k-th facility of a
    common name costs one look-up, not k (10,000 facilities share a few hundred base names). The
    identifier ranges are the demo's (C001-C299, IB0001-IB0999, L1000-L19999, CNCA serials to 999) up to
    a few thousand facilities and widen with larger data sets, so that drawing an unused one stays a
    few draws; certification bodies beyond 900 of one programme letter go without a CNAS number.
    """

    cnas_bodies: int = 299
    cnas_inspection: int = 999
    cnas_labs: int = 19999
    cnca_serials: int = 999
    names: set = field(default_factory=set)
    branches: dict = field(default_factory=dict)
    uscc: set = field(default_factory=set)
    cma: set = field(default_factory=set)
    cnas: set = field(default_factory=set)
    cnas_letters: dict = field(default_factory=dict)
    cnca: set = field(default_factory=set)

    @classmethod
    def for_size(cls, n: int) -> Issued:
        return cls(cnas_bodies=min(999, max(299, n // 10)), cnas_inspection=max(999, n // 10),
                   cnas_labs=max(19999, 1000 + 2 * n), cnca_serials=max(999, n // 10))


def build_facilities(n: int, seed: int, as_of: dt.date, sampler: DistrictSampler) -> list[Facility]:
    layout = plan_layout(Random(seed), n)
    width = max(4, len(str(n)))
    used = Issued.for_size(n)
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
        _name(rng, fac, used)
        row["uscc"] = _uscc(rng, fac, used.uscc)
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


def _name(rng: Random, fac: Facility, used: Issued) -> None:
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
    if zh in used.names:  # same name twice: a branch, named by its district, else numbered
        zh, en = _branch_name(zh, en, profile, used)
    used.names.add(zh)
    row["name"] = zh + cat.DEMO_MARKER
    row["name_en"] = f"{en} {cat.DEMO_MARKER_EN}"
    row["org_name"] = (org or zh) + cat.DEMO_MARKER


def _branch_name(base_zh: str, base_en: str, profile, used: Issued) -> tuple[str, str]:
    """The district's branch of a name already taken, else its first free numbered branch (第2分部 …).
    Numbers below `used.branches[base]` were taken when it was set, and names are never given back."""
    branch = "分公司" if base_zh.endswith("公司") else "分部"
    if profile.short not in base_zh and f"{base_zh}{profile.short}{branch}" not in used.names:
        return f"{base_zh}{profile.short}{branch}", f"{base_en}, {profile.pinyin} Branch"
    number = used.branches.get(base_zh, 2)
    while f"{base_zh}第{number}{branch}" in used.names:
        number += 1
    used.branches[base_zh] = number + 1
    return f"{base_zh}第{number}{branch}", f"{base_en}, Branch {number}"


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


def _unique(used: set, make) -> str:
    """A value `make()` has not made before; a range too small for the data set is an error, not a hang."""
    for _ in range(MAX_DRAWS):
        value = make()
        if value not in used:
            used.add(value)
            return value
    raise RuntimeError(f"no unused value in {MAX_DRAWS} draws (last {value}): too many facilities for this "
                       "identifier's range")


def _certificates(rng: Random, fac: Facility, as_of: dt.date, used: Issued) -> None:
    row, anchor = fac.row, fac.anchor is not None
    for key in ("cma_no", "cma_valid_until", "cnas_no", "cnas_valid_until", "cnca_no"):
        row[key] = ""

    def lapsed():
        return not anchor and rng.random() < cat.EXPIRED_SHARE

    if rng.random() < {"metrology": 0.4, "testing": 0.9, "certification": 0.0}[fac.kind]:
        issued, until = validity(rng, as_of, 6, lapsed())
        row["cma_no"] = _unique(used.cma, lambda: f"{issued.year % 100:02d}1112{rng.randint(0, 999999):06d}")
        row["cma_valid_until"] = until.isoformat()
    if rng.random() < {"metrology": 0.7, "testing": 0.55, "certification": 0.6}[fac.kind]:
        row["cnas_no"] = _cnas_number(rng, fac, used)
        if row["cnas_no"]:
            row["cnas_valid_until"] = validity(rng, as_of, 6, lapsed())[1].isoformat()
    if fac.kind == "certification":
        row["cnca_no"] = _unique(used.cnca, lambda: f"CNCA-R-{rng.randint(2002, 2022)}-"
                                                    f"{rng.randint(1, used.cnca_serials):03d}")


def _cnas_number(rng: Random, fac: Facility, used: Issued) -> str:
    if fac.kind == "certification":
        product = any(s.product_scheme for s in cat.SCHEMES if s.key in fac.schemes)
        letter = "P" if product else "M"
        if used.cnas_letters.get(letter, 0) >= used.cnas_bodies * 9 // 10:
            return ""  # (almost) every C-number of the programme taken: not accredited by CNAS
        used.cnas_letters[letter] = used.cnas_letters.get(letter, 0) + 1
        return _unique(used.cnas, lambda: f"CNAS C{rng.randint(1, used.cnas_bodies):03d}-{letter}")
    if set(fac.domains) & set(cat.INSPECTION_DOMAINS):
        return _unique(used.cnas, lambda: f"CNAS IB{rng.randint(1, used.cnas_inspection):04d}")
    return _unique(used.cnas, lambda: f"CNAS L{rng.randint(1000, used.cnas_labs)}")

