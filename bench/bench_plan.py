"""Benchmark of plan_coverage (issue 16 item 6): 30-item test plans over the benchmark data, server-side.

Needs a loaded database (1,500 facilities / 300,000 capabilities; realistic vocabulary where the
generator has it):

    python -m seeds.generate --facilities 1500 --capabilities 300000 [--vocabulary realistic] --out /tmp/bench
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 flask --app registry db upgrade
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 flask --app registry import /tmp/bench
    python bench/bench_plan.py --database-url sqlite:////tmp/bench.sqlite3 [--plans 40] [--items 30]

Each plan is what a product family's test plan looks like: `--items` distinct items drawn from the
test items of one category (a third standard numbers without their year, a third test names, a third
product + test), with a point to rank by distance. Every plan is distinct and asked twice: first with
the item cache empty (what a new plan costs), then again (items already matched). Prints median and
p95 of each, what the plans found, a digest of every answer (equal on both databases) and the load
average. Target: p95 under 300 ms uncached.

--baseline also asks each plan, cache empty, matching its items one at a time as before the batching
(each item a TermMatch and its own statement), in the same run, printed beside the batched figures;
the answers must be the same, and the script stops if they are not.
"""
import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import case, func, or_, select  # noqa: E402

from registry import create_app  # noqa: E402
from registry.extensions import db  # noqa: E402
from registry.models import Capability, Facility  # noqa: E402
from registry.services.search import plan as plan_module  # noqa: E402
from registry.services.search.plan import ITEM_MATCHES, plan_coverage  # noqa: E402
from registry.services.search.plan_input import PlanSchema  # noqa: E402
from registry.services.search.terms import TermMatch, parse_terms  # noqa: E402

NEAR = [(120.26, 30.18), (120.16, 30.27), (119.95, 30.05), None]


def plans(session, n_plans: int, n_items: int, seed: int) -> list[list[str]]:
    """`n_plans` distinct plans of `n_items` items, each from one category's test items."""
    # In the records' own order (facility and capability ids), so that every database draws the same plans.
    rows = session.execute(select(Capability.category, Capability.name, Capability.standards)
                           .join(Facility, Facility.id == Capability.facility_pk)
                           .where(Capability.kind == "test_item", Capability.deleted_at.is_(None))
                           .order_by(Facility.facility_id, Capability.capability_id)).all()
    by_category: dict[str, list] = {}
    for row in rows:
        by_category.setdefault(row.category or "", []).append(row)
    categories = sorted(c for c, caps in by_category.items() if len(caps) >= n_items * 3)
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < n_plans:
        caps = by_category[rng.choice(categories)]
        items: list[str] = []
        for cap in rng.sample(caps, len(caps)):
            kind = len(items) % 3
            if kind == 0 and cap.standards:
                item = cap.standards.split(";")[0].rsplit("-", 1)[0]
            elif kind == 1:
                item = cap.name.rsplit(" ", 1)[-1]
            else:
                item = cap.name
            if item and item not in items:
                items.append(item)
            if len(items) == n_items:
                break
        key = tuple(items)
        if len(items) == n_items and key not in seen:
            seen.add(key)
            out.append(PlanSchema().load({"items": items})["items"])
    return out


def answer(items, near, result) -> dict:
    """What a plan's answer says, by facility id: to compare runs and databases."""
    def fid(c):
        return c.facility["facility_id"]
    return {"items": items, "near": near, "item_facilities": result.item_facilities,
            "complete": [fid(c) for c in result.complete], "complete_total": result.complete_total,
            "partial": [(fid(c), c.covered, c.expired) for c in result.partial],
            "partial_total": result.partial_total, "pairs": [(fid(p.first), fid(p.second)) for p in result.pairs]}


def one_at_a_time(session, items: list[str], today: date, _version=None) -> list[dict[int, bool]]:
    """The baseline: each item matched alone, as plan.py did before plan_match.py (two to four statements
    an item)."""
    valid = case((or_(Capability.valid_until.is_(None), Capability.valid_until >= today), 1), else_=0)
    out = []
    for item in items:
        match = TermMatch(session, parse_terms(item), facility_text=False)
        if not match.active or match.impossible:
            out.append({})
            continue
        stmt = (select(Capability.facility_pk, func.max(valid))
                .where(Capability.deleted_at.is_(None), match.condition()).group_by(Capability.facility_pk))
        out.append({pk: bool(v) for pk, v in session.connection().execute(stmt)})
    return out


def cold_asking(session, items, today, near, *, baseline: bool):
    """(ms, answer) of a plan asked with the item cache empty, batched or (baseline) item by item."""
    ITEM_MATCHES.clear()
    batched = plan_module.match_items
    if baseline:
        plan_module.match_items = one_at_a_time
    try:
        start = time.perf_counter()
        result = plan_coverage(session, items, today, near=near)
        elapsed = (time.perf_counter() - start) * 1000
    finally:
        plan_module.match_items = batched
        session.rollback()
    return elapsed, result


def p95(times: list[float]) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--plans", type=int, default=40)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--answers", type=Path, help="write every plan's answer here (JSON), to compare databases")
    parser.add_argument("--baseline", action="store_true", help="also time each plan matched item by item")
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    today = date(2026, 11, 25)
    with app.app_context():
        session = db.session
        asked = plans(session, args.plans, args.items, args.seed)
        plan_coverage(session, asked[0][:3], today)  # warm up (connections, pint, plans)
        session.rollback()
        cold, base, warm, found, answers = [], [], [], [], []
        for n, items in enumerate(asked):
            near = NEAR[n % len(NEAR)]
            if args.baseline:  # first, so that the batched asking finds no warmer database than it did
                elapsed, before = cold_asking(session, items, today, near, baseline=True)
                base.append(elapsed)
            elapsed, result = cold_asking(session, items, today, near, baseline=False)
            cold.append(elapsed)
            if args.baseline and answer(items, near, before) != answer(items, near, result):
                sys.exit(f"plan {n}: item by item and batched answers differ")
            start = time.perf_counter()
            plan_coverage(session, items, today, near=near)
            warm.append((time.perf_counter() - start) * 1000)
            session.rollback()
            found.append((result.complete_total, result.partial_total, len(result.pairs), len(result.uncovered)))
            answers.append(answer(items, near, result))
        load = os.getloadavg()
        print(f"database {args.database_url.split('@')[-1]}; {len(asked)} distinct plans of {args.items} items")
        print(f"{'':<28} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
        rows = [("first asking (cache empty)", cold), ("asked again (items kept)", warm)]
        if args.baseline:
            rows.insert(0, ("baseline: item by item, cold", base))
        for label, times in rows:
            print(f"{label:<28} {statistics.median(times):>10.1f} {p95(times):>8.1f} {max(times):>8.1f}")
        print("found per plan (median): complete {:.0f}, partial {:.0f}, pairs {:.0f}, items nobody covers {:.0f}"
              .format(*(statistics.median(f[i] for f in found) for i in range(4))))
        print(f"plans with a complete facility: {sum(1 for f in found if f[0])}/{len(found)}; with a pair: "
              f"{sum(1 for f in found if f[2])}/{len(found)}")
        digest = hashlib.sha256(json.dumps(answers, ensure_ascii=False).encode()).hexdigest()[:16]
        print(f"answers digest {digest} (equal digests: the same answers on both databases)")
        if args.answers:
            args.answers.write_text(json.dumps(answers, ensure_ascii=False, indent=1), encoding="utf-8")
        print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}; {} CPUs".format(*load, os.cpu_count()))


if __name__ == "__main__":
    main()
