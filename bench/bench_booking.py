"""Benchmark of the booking service (issue 5), on a database it empties and fills itself.

    python bench/bench_booking.py --database-url postgresql+psycopg://postgres@127.0.0.1/registry_acc_bench

WARNING: every table of that database is dropped first. Prints:
1. booking requests per second through `request_booking` with 1 client and with 8 concurrent
   clients (threads, each with its own connection), spread over many capabilities and days,
   and with all 8 clients on one capability and day (one hot counter row); the 1-client run is
   the baseline the others are read against;
2. the time to render an operator's load view (366 days) of a capability with a year of
   bookings, against the same view of a capability with none.
"""
import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
from sqlalchemy import insert, inspect, text  # noqa: E402

from registry import create_app  # noqa: E402
from registry.extensions import db  # noqa: E402
from registry.identifiers import make_uscc  # noqa: E402
from registry.models import Booking, BookingEvent, Capability, CapacityDay, User  # noqa: E402
from registry.services.accounts.users import create_user, hash_password  # noqa: E402
from registry.services.booking.workflow import BookingRequest, FullyBooked, request_booking  # noqa: E402
from registry.services.districts import district_locator, sync_districts  # noqa: E402
from registry.services.records.importing import import_dataset  # noqa: E402
from tests.factories import capability, facility, write_dataset  # noqa: E402

TODAY = date(2026, 12, 1)
FACILITIES, CAPABILITIES_EACH = 20, 10
PASSWORD_HASH = hash_password("bench password")


def reset(app) -> None:
    with app.app_context():
        with db.engine.begin() as connection:
            for name in inspect(connection).get_table_names():
                connection.execute(text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))
        flask_migrate.upgrade()
        sync_districts(db.session, app.config["DISTRICTS_GEOJSON"], app.config["DISTRICTS_CSV"])
        folder = Path(tempfile.mkdtemp())
        rows = [facility(n) for n in range(1, FACILITIES + 2)]
        caps = [capability(f, c, bookable="yes", daily_capacity="1000", price_cny="100", lead_time_days="0")
                for f in range(1, FACILITIES + 2) for c in range(1, CAPABILITIES_EACH + 1)]
        import_dataset(db.session, write_dataset(folder, rows, caps),
                       locator=district_locator(app.config["DISTRICTS_GEOJSON"]), actor="bench")
        for n in range(8):
            create_user(db.session, email=f"ent{n}@bench.cn", password=None, password_hash=PASSWORD_HASH,
                        role="enterprise", org_name=f"企业{n}", uscc=make_uscc("91330109", f"B{n:07d}"))
        create_user(db.session, email="op@bench.cn", password=None, password_hash=PASSWORD_HASH, role="operator",
                    facility_ids=[f"F{FACILITIES + 1:04d}"])
        db.session.commit()


def capability_pks(app, facility_ids) -> list[int]:
    with app.app_context():
        return [c.id for c in db.session.query(Capability).join(Capability.facility)
                if c.facility.facility_id in facility_ids]


def run_clients(app, clients: int, per_client: int, targets) -> tuple[float, int, int]:
    """(requests per second, booked, fully booked) for `clients` threads of `per_client` requests."""
    counts, lock = {"booked": 0, "full": 0}, threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(n):
        rng = random.Random(n)
        with app.app_context():
            enterprise_id = db.session.query(User.id).filter_by(email=f"ent{n}@bench.cn").scalar()
            db.session.rollback()
            start.wait()
            for _ in range(per_client):
                capability_pk, day = targets(rng)
                enterprise = db.session.get(User, enterprise_id)
                req = BookingRequest(capability_pk, day, 1, "bench", "张三", "0571-1")
                try:
                    request_booking(db.session, enterprise, req, today=TODAY)
                    outcome = "booked"
                except FullyBooked:
                    db.session.rollback()
                    outcome = "full"
                with lock:
                    counts[outcome] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    return clients * per_client / elapsed, counts["booked"], counts["full"]


def fill_year(app, capability_pk: int) -> int:
    """A year of bookings on one capability: 20 a day, every day (bulk-inserted, as the service writes them)."""
    with app.app_context():
        enterprise = db.session.query(User).filter_by(email="ent0@bench.cn").one()
        cap = db.session.get(Capability, capability_pk)
        rows, days = [], [TODAY + timedelta(days=i) for i in range(366)]
        for day in days:
            for _ in range(20):
                rows.append({"capability_pk": cap.id, "facility_pk": cap.facility_pk, "enterprise_id": enterprise.id,
                             "org_name": enterprise.org_name, "uscc": enterprise.uscc, "service_date": day,
                             "quantity": 1, "description": "bench", "contact_name": "张三",
                             "contact_phone": "0571-1", "state": "accepted", "source": "bench", "version": 2})
        db.session.execute(insert(Booking), rows)
        db.session.execute(insert(CapacityDay), [{"capability_pk": cap.id, "day": d, "booked": 20} for d in days])
        db.session.commit()
        return len(rows)


def render_times(app, capability_pk: int, runs: int) -> list[float]:
    client = app.test_client()
    with app.app_context():
        operator = db.session.query(User).filter_by(email="op@bench.cn").one()
        token = operator.session_token
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
        session["signed_in_at"] = int(time.time())  # a sign-in's absolute lifetime starts here (web/security.py)
    url = f"/workspace/capabilities/{capability_pk}/load?start={TODAY.isoformat()}&days=366"
    assert client.get(url).status_code == 200
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=200, help="requests per client")
    parser.add_argument("--runs", type=int, default=30, help="renders of the load view")
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": 10}})
    reset(app)
    spread_pks = capability_pks(app, {f"F{n:04d}" for n in range(1, FACILITIES + 1)})
    busy_pk = capability_pks(app, {f"F{FACILITIES + 1:04d}"})

    def spread(rng):
        return rng.choice(spread_pks), TODAY + timedelta(days=rng.randrange(1, 300))

    def hot(rng):
        return spread_pks[0], TODAY + timedelta(days=400 - 60)

    print(f"database {args.database_url.split('@')[-1]}; {args.requests} requests per client")
    one, _, _ = run_clients(app, 1, args.requests, spread)
    eight, booked, _ = run_clients(app, 8, args.requests, spread)
    hot_rate, hot_booked, hot_full = run_clients(app, 8, args.requests, hot)
    print(f"{'booking requests':<34} {'req/s':>8} {'× 1 client':>11}")
    print(f"{'1 client, spread':<34} {one:>8.1f} {1:>11.2f}")
    print(f"{'8 clients, spread':<34} {eight:>8.1f} {eight / one:>11.2f}")
    print(f"{'8 clients, one capability and day':<34} {hot_rate:>8.1f} {hot_rate / one:>11.2f}"
          f"   (booked {hot_booked}, fully booked {hot_full}, capacity 1000)")

    year = fill_year(app, busy_pk[0])
    full = render_times(app, busy_pk[0], args.runs)
    empty = render_times(app, busy_pk[1], args.runs)
    print(f"load view, 366 days: a year of bookings ({year}) median {statistics.median(full):.1f} ms, "
          f"p95 {sorted(full)[int(0.95 * len(full)) - 1]:.1f} ms; no bookings median {statistics.median(empty):.1f} ms "
          f"(ratio {statistics.median(full) / statistics.median(empty):.2f})")
    with app.app_context():
        events = db.session.query(BookingEvent).count()
    print(f"booking events recorded: {events}")


if __name__ == "__main__":
    main()
