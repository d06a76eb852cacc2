"""Realistic capability items for benchmark data: `python -m seeds.generate --vocabulary realistic`.

The demo vocabulary (seeds/catalog.py) makes a few hundred distinct texts; a
real city's scopes hold tens of thousands. Here each testing facility draws
scope items (object, parameter, method) from the families of its domains in
seeds/scope_vocabulary.py, with Zipf-skewed popularity (a few tests that every
lab offers, a long tail that few do); metrology facilities draw calibration
and verification items with range segments and uncertainties. Prices belong
to the item (the test's base price times a factor fixed by the object) and
vary a little by facility; a few items are suspended (说明: 暂停) or limited
(限制范围). Items are `ScopeItem`s; `interchange_row` writes one as a v1 row
(object and parameter in `name`, the normalised standard numbers in
`standards`), so benchmarks can use the data now. Certification bodies and the
planted needs keep the demo generator's rows. Deterministic from the seed.
"""
from __future__ import annotations

import bisect
import datetime as dt
import itertools
import zlib
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from random import Random

from registry.services.records.scopes import Limitation, ScopeItem, cells, write_scope
from seeds import catalog as cat
from seeds import scope_vocabulary as vocab

ZIPF_S = 0.9  # popularity exponent within a family: rank r is drawn with weight 1 / r**s
SUSPENDED_SHARE = 0.01
LIMITED_SHARE = 0.04
ON_REQUEST_SHARE = 0.03  # 面议: no price in the v1 row
ATTEMPTS = 30  # draws before a facility widens to other families to avoid repeating an item


@lru_cache(maxsize=None)
def _cumulative(n: int) -> tuple[float, ...]:
    return tuple(itertools.accumulate(1 / (r + 1) ** ZIPF_S for r in range(n)))


def zipf_index(rng: Random, n: int) -> int:
    weights = _cumulative(n)
    return bisect.bisect_right(weights, rng.random() * weights[-1])


@lru_cache(maxsize=None)
def _methods(line: str):
    return cells.methods(line)[0]


def _object_factor(text: str) -> float:
    """0.8-1.6, fixed by the object: the same test costs more on some matrices than others."""
    return 0.8 + (zlib.crc32(text.encode("utf-8")) % 81) / 100


FAMILIES_BY_DOMAIN: dict[str, list[vocab.Family]] = {}
for _family in vocab.ALL_FAMILIES:
    FAMILIES_BY_DOMAIN.setdefault(_family.domain, []).append(_family)
TESTING_DOMAINS = tuple(FAMILIES_BY_DOMAIN)
METROLOGY_ALSO_TESTS = ("reliability", "emc", "appliance", "metal", "cable")


def _family_weights(families: list[vocab.Family]) -> list[float]:
    return [len(f.objects) ** 0.5 * len(f.tests) ** 0.5 for f in families]


def test_items(rng: Random, domains: tuple[str, ...], count: int,
               price_factor: float) -> Iterator[tuple[ScopeItem, str]]:
    """`count` distinct test items of these domains (widened to the others when a facility needs more)."""
    own = [f for d in domains for f in FAMILIES_BY_DOMAIN.get(d, ())] or list(vocab.ALL_FAMILIES)
    pools = [own, list(vocab.ALL_FAMILIES)]
    seen: set[tuple[str, str, str]] = set()
    for _ in range(count):
        for attempt in range(ATTEMPTS * 2):
            families = pools[attempt >= ATTEMPTS]
            family = rng.choices(families, weights=_family_weights(families))[0]
            obj = family.objects[zipf_index(rng, len(family.objects))]
            test = family.tests[zipf_index(rng, len(family.tests))]
            method = test.methods[zipf_index(rng, len(test.methods))]
            if (obj, test.parameter, method) not in seen:
                break
        seen.add((obj, test.parameter, method))
        yield _with_terms(rng, ScopeItem(
            layout="cma", object=obj, parameter=test.parameter, methods=_methods(method), service="testing",
            price=Decimal(max(10, round(test.price * _object_factor(obj) * price_factor, -1)))), family.category)


def calibration_items(rng: Random, disciplines: tuple[str, ...], count: int,
                      price_factor: float) -> Iterator[tuple[ScopeItem, str]]:
    """Distinct (instrument, method, range) items, own disciplines first; then what institutes also test."""
    own = [i for i in vocab.INSTRUMENTS if i.discipline in disciplines] or list(vocab.INSTRUMENTS)
    seen: set[tuple[str, str, tuple[str, str]]] = set()
    made = 0
    while made < count:
        for attempt in range(ATTEMPTS * 2):
            pool = own if attempt < ATTEMPTS else vocab.INSTRUMENTS
            instrument = pool[zipf_index(rng, len(pool))]
            method = instrument.methods[zipf_index(rng, len(instrument.methods))]
            bounds = rng.choice(instrument.ranges)
            if (instrument.name, method, bounds) not in seen:
                break
        else:  # every instrument item taken: a metrology institute also tests products
            yield from test_items(rng, METROLOGY_ALSO_TESTS, count - made, price_factor)
            return
        seen.add((instrument.name, method, bounds))
        made += 1
        uncertainty, _ = cells.uncertainty(rng.choice(instrument.uncertainties), Decimal(2))
        segment, _ = cells.range_segment(f"({bounds[0]}～{bounds[1]}) {instrument.unit}")
        methods = _methods(method)
        verification = all(m.standard.startswith("JJG") for m in methods)
        yield _with_terms(rng, ScopeItem(
            layout="cnas-calibration", object=instrument.name, parameter=instrument.quantity, methods=methods,
            service="verification" if verification else "calibration",
            ranges=(replace(segment, uncertainty=uncertainty),),
            price=Decimal(max(10, round(instrument.price * price_factor, -1))),
        ), instrument.discipline)


def _with_terms(rng: Random, item: ScopeItem, group: str) -> tuple[ScopeItem, str]:
    changes = {}
    draw = rng.random()
    if draw < SUSPENDED_SHARE:
        changes.update(status="suspended", remarks="暂停")
    elif draw < SUSPENDED_SHARE + LIMITED_SHARE:
        changes["limitation"] = rng.choice((
            Limitation("only", f"只测：{item.parameter}"), Limitation("except", "不测：现场检测"),
            Limitation("only", "只用于委托检测"), Limitation("other", "仅限实验室内")))
    if rng.random() < ON_REQUEST_SHARE:
        changes.update(price=None, price_on_request=True)
    return (replace(item, **changes) if changes else item), group


def facility_items(fac, count: int, seed: int) -> Iterator[tuple[ScopeItem, str]]:
    """The realistic scope items of a testing or metrology facility (not its planted need), with their group."""
    rng = Random(f"{seed}/realistic/{fac.index}")
    price_factor = rng.uniform(0.85, 1.25)
    if fac.kind == "metrology":
        return calibration_items(rng, fac.disciplines, count, price_factor)
    return test_items(rng, fac.domains, count, price_factor)


def capability_rows(fac, count: int, seed: int, as_of: dt.date, demo_rows) -> Iterator[dict]:
    """The facility's v1 rows: its planted need first (from the demo generator), then realistic items."""
    if fac.kind == "certification":
        yield from demo_rows(fac, count, seed, as_of)
        return
    first = _planted(fac, count)
    if first:
        yield from demo_rows(fac, 1, seed, as_of)
    terms = Random(f"{seed}/realistic-terms/{fac.index}")  # apart, so that facility_items alone gives the same
    for j, (item, group) in enumerate(facility_items(fac, count - first, seed), start=first + 1):
        row = interchange_row(terms, item, group, as_of, fac)
        row["facility_id"], row["capability_id"] = fac.row["facility_id"], f"C{j:04d}"
        yield row


def _planted(fac, count: int) -> int:
    """1 when the facility's first row is its planted need (a demo row, not a realistic item)."""
    return 1 if fac.anchor and count else 0


def data_set_items(facilities, counts, seed: int) -> Iterator[ScopeItem]:
    """Every realistic item of a data set (seeds.generate.plan), in the order `capability_rows` writes them."""
    for fac, count in zip(facilities, counts):
        if fac.kind != "certification":
            yield from (item for item, _ in facility_items(fac, count - _planted(fac, count), seed))


def scope_file_items(fac, count: int, seed: int) -> list[ScopeItem]:
    """The facility's items as its published scope lists them: grouped by object, numbered 1, 1.1, 1.2 …"""
    layout = "cnas-calibration" if fac.kind == "metrology" else (
        "cnas-testing" if fac.row.get("cnas_no") else "cma")
    items = [item for item, _ in facility_items(fac, count, seed)]
    order = {obj: n for n, obj in enumerate(dict.fromkeys(i.object for i in items), start=1)}
    items.sort(key=lambda i: order[i.object])
    numbered, within = [], {}
    for item in items:
        n = order[item.object]
        within[n] = within.get(n, 0) + 1
        seq = str(n) if layout == "cnas-calibration" else f"{n}.{within[n]}"
        numbered.append(replace(item, layout=layout, seq=seq, sheet="能力范围"))
    return numbered


def write_scope_files(folder: Path, facilities, counts, seed: int, limit: int) -> list[Path]:
    """The first `limit` testing and metrology facilities' scopes, one XLSX each, in their published layout."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fac, count in zip(facilities, counts):
        if len(written) == limit:
            break
        if fac.kind == "certification" or count <= (1 if fac.anchor else 0):
            continue
        items = scope_file_items(fac, count - (1 if fac.anchor else 0), seed)
        title = f"{fac.row['name']} 能力范围"
        written.append(write_scope(folder / f"{fac.row['facility_id']}.xlsx", items, title=title))
    return written


def interchange_row(rng: Random, item: ScopeItem, group: str, as_of: dt.date, fac) -> dict:
    """A v1 capability row (DATA_FORMAT.md) for a scope item."""
    standards = ";".join(dict.fromkeys(m.standard for m in item.methods if m.standard))
    segment = item.ranges[0] if item.ranges else None
    standard_kind = item.layout == "cnas-calibration"
    until = as_of + dt.timedelta(rng.randint(-200, 5 * 365))
    issued = until - dt.timedelta(5 * 365)
    bookable = item.status == "active" and rng.random() < cat.BOOKABLE_SHARE
    return {
        "kind": "measurement_standard" if standard_kind else "test_item",
        "name": f"{item.object} {item.parameter}",
        "discipline": group if standard_kind else "",
        "category": "" if standard_kind else group,
        "standards": standards,
        "quantity": item.parameter if standard_kind else "",
        "range_min": cells.number_text(segment.min) if segment and segment.min is not None else "",
        "range_max": cells.number_text(segment.max) if segment and segment.max is not None else "",
        "unit": segment.unit if segment else "",
        "uncertainty": cells.uncertainty_text(segment.uncertainty) if segment and segment.uncertainty else "",
        "certificate_no": f"[{issued.year}]浙量标{fac.auth}证字第{rng.randint(1, 999):03d}号" if standard_kind else "",
        "valid_until": until.isoformat() if standard_kind or rng.random() < 0.5 else "",
        "price_cny": "" if item.price is None else cells.number_text(item.price),
        "lead_time_days": str(rng.randint(2, 20)),
        "bookable": "yes" if bookable else "no",
        "daily_capacity": str(rng.randint(1, 20)) if bookable else "",
    }


def cma_with_field_code(cma_no: str, fac) -> str:
    """The facility's CMA number with positions 5-6 set to the field code of its main domain (00-21)."""
    if not cma_no:
        return cma_no
    domain = "metrology" if fac.kind == "metrology" else (fac.domains[0] if fac.domains else "metrology")
    return cma_no[:4] + vocab.CMA_FIELD_CODES.get(domain, "00") + cma_no[6:]


def distinct_texts(rows) -> tuple[int, int]:
    """(distinct (name, standards) pairs, rows): what a search over the v1 data sees as different items."""
    seen, total = set(), 0
    for row in rows:
        seen.add((row["name"], row["standards"]))
        total += 1
    return len(seen), total


def distinct_items(items) -> int:
    """Distinct (object, parameter, method line) texts among scope items (a method's clause counts)."""
    return len({(i.object, i.parameter, cells.method_text(m)) for i in items for m in i.methods})


