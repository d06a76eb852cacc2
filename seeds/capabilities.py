"""The demo vocabulary's capability rows (seeds/catalog.py) of generated facilities: measurement
standards, test items and certification scopes with their terms, one `random.Random` per facility."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from random import Random

from registry.vocabulary import DISCIPLINES
from seeds import catalog as cat
from seeds.draws import Cycle, allocate, validity
from seeds.facilities import Facility


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

