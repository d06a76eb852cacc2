"""The CLI as a user runs it: exit status, messages in Chinese and English, files written."""
import csv
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import func

from registry.clock import today
from registry.config import PROJECT_ROOT
from registry.models import Booking
from registry.models.base import utcnow
from registry.services.booking.workflow import request_booking
from tests.factories import (
    bookable_dataset,
    booking_request,
    capability,
    capability_of,
    facility,
    row_counts,
    run,
    user,
    write_dataset,
)


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_import_reports_in_chinese_by_default_and_exits_non_zero(app, session, tmp_path):
    paths = write_dataset(tmp_path, [facility(1, kind="lab")])
    result = invoke(app, "import", *map(str, paths))
    assert result.exit_code == 1
    assert "facilities.csv 第 2 行 “kind”列 «lab»: 应为以下之一" in result.stderr
    assert "未写入任何数据" in result.stderr
    assert row_counts(session)["Facility"] == 0


def test_import_reports_in_english_on_request(app, session, tmp_path):
    paths = write_dataset(tmp_path, [facility(1, kind="lab")])
    result = invoke(app, "import", "--lang", "en", *map(str, paths))
    assert "facilities.csv row 2 column kind «lab»: must be one of" in result.stderr
    assert "1 errors: nothing was written." in result.stderr


def test_successful_import_prints_counts_and_exits_zero(app, session, tmp_path):
    paths = write_dataset(tmp_path, [facility(1)], [capability(1, 1)])
    result = invoke(app, "import", "--lang", "en", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert "facilities: created 1, updated 0, unchanged 0" in result.stdout
    assert "capabilities: created 1" in result.stdout
    again = invoke(app, "import", "--lang", "en", *map(str, paths))
    assert again.exit_code == 0 and "Nothing changed." in again.stdout


def test_skip_invalid_exits_3_and_report_file_lists_every_problem(app, session, tmp_path):
    write_dataset(tmp_path / "data", [facility(1), facility(2, shared="maybe")])
    report = tmp_path / "problems.csv"
    result = invoke(app, "import", "--skip-invalid", "--report", str(report), "--lang", "en",
                    str(tmp_path / "data"))
    assert result.exit_code == 3
    assert row_counts(session)["Facility"] == 1
    with report.open(encoding="utf-8-sig") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["row"], r["column"], r["value"]) for r in rows] == [("3", "shared", "maybe")]


def test_export_writes_both_tables(app, session, tmp_path):
    write_dataset(tmp_path / "in", [facility(1)], [capability(1, 1)])
    invoke(app, "import", str(tmp_path / "in"))
    result = invoke(app, "export", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert "facilities: 1, capabilities: 1" in result.stdout
    assert (tmp_path / "out" / "capabilities.csv").read_text().count("\n") == 2


def test_export_speaks_chinese_by_default_and_english_on_request(app, session, tmp_path):
    write_dataset(tmp_path / "in", [facility(1)], [capability(1, 1, price_cny="面议")])
    invoke(app, "import", str(tmp_path / "in"))
    assert invoke(app, "export", str(tmp_path / "zh")).exit_code == 0
    assert invoke(app, "export", "--headers", "en", str(tmp_path / "en")).exit_code == 0
    assert invoke(app, "export", "--lang", "en", str(tmp_path / "lang-en")).exit_code == 0
    chinese = (tmp_path / "zh" / "capabilities.csv").read_text(encoding="utf-8-sig").splitlines()
    assert chinese[0].startswith("机构编号,能力编号,能力类型,名称") and ",检验检测项目," in chinese[1]
    assert ",面议," in chinese[1]
    for folder in ("en", "lang-en"):
        english = (tmp_path / folder / "capabilities.csv").read_text(encoding="utf-8-sig").splitlines()
        assert english[0].startswith("facility_id,capability_id,kind,name") and ",test_item," in english[1]
        assert ",on request," in english[1]
    for folder in ("zh", "en"):  # either file imports back to the same records
        result = invoke(app, "import", "--lang", "en", str(tmp_path / folder))
        assert result.exit_code == 0 and "Nothing changed." in result.stdout, result.output


@pytest.mark.slow
def test_import_killed_midway_leaves_the_database_as_it_was(app, session, tmp_path):
    """kill -9 in the middle of a long import: the transaction never commits."""
    write_dataset(tmp_path / "before", [facility(1)], [capability(1, 1)])
    assert invoke(app, "import", str(tmp_path / "before")).exit_code == 0
    before = row_counts(session)

    write_dataset(tmp_path / "big", [facility(n) for n in range(1, 41)],
                  [capability(f, c, name=f"能力 {f}-{c}") for f in range(1, 41)
                   for c in range(1, 1501)])
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "IMPORT_CHUNK_ROWS": "500"}
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "registry", "import", "--lang", "en",
         str(tmp_path / "big")], cwd=PROJECT_ROOT, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    for line in process.stderr:  # a line per tenth: rows are being written by now
        if line.startswith("progress:") and not line.startswith("progress: 0 "):
            break
        assert time.monotonic() < deadline, "no progress from the import"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL

    assert row_counts(session) == before
    # The database is usable afterwards: the same import then runs to the end.
    result = subprocess.run(process.args, cwd=PROJECT_ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert row_counts(session)["Capability"] == 40 * 1500


def test_dry_run_says_nothing_was_written(app, session, tmp_path):
    write_dataset(tmp_path, [facility(1)])
    result = invoke(app, "import", "--dry-run", "--lang", "en", str(tmp_path))
    assert result.exit_code == 0
    assert "facilities: created 1" in result.stdout and "Dry run" in result.stdout
    assert row_counts(session)["Facility"] == 0


def test_rejected_import_shows_no_counts_of_rolled_back_work(app, session, tmp_path):
    write_dataset(tmp_path, [facility(1), facility(2, kind="lab")])
    result = invoke(app, "import", "--lang", "en", str(tmp_path))
    assert result.exit_code == 1
    assert "facilities: rejected 1" in result.stdout and "created" not in result.stdout


def test_skip_invalid_with_nothing_new_still_exits_3_and_counts_rows(app, session, tmp_path):
    write_dataset(tmp_path / "a", [facility(1)])
    invoke(app, "import", str(tmp_path / "a"))
    write_dataset(tmp_path / "b", [facility(1), facility(2, kind="lab", shared="maybe")])
    result = invoke(app, "import", "--skip-invalid", "--lang", "en", str(tmp_path / "b"))
    assert result.exit_code == 3
    assert "1 rows rejected; the valid rows were applied." in result.stderr


def test_export_to_a_csv_file_name_is_a_usage_error(app, session, tmp_path):
    result = invoke(app, "export", "--lang", "en", str(tmp_path / "out.csv"))
    assert result.exit_code == 2 and "not out.csv" in result.output


def test_concurrent_imports_both_finish_and_commit_in_change_id_order(app, session, tmp_path):
    """Two imports started together: the second waits for the first instead of failing, and
    every change of the first-committed set has a lower id (the /changes feed relies on it)."""
    from registry.models import Change, ChangeSet

    for name, first in (("a", 1), ("b", 11)):  # facilities 11-20 in both
        write_dataset(tmp_path / name, [facility(n) for n in range(first, first + 20)],
                      [capability(f, c, name=f"{name} {c}") for f in range(first, first + 20) for c in range(1, 301)])
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "IMPORT_CHUNK_ROWS": "500"}
    processes = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "registry", "import", "--lang", "en",
                                   str(tmp_path / name)], cwd=PROJECT_ROOT, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for name in ("a", "b")]
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr[-2000:]

    assert row_counts(session)["Facility"] == 30
    assert row_counts(session)["Capability"] == 30 * 300
    sets = session.query(ChangeSet).order_by(ChangeSet.id).all()
    assert len(sets) == 2
    first_max = session.query(func.max(Change.id)).filter(Change.change_set_id == sets[0].id).scalar()
    second_min = session.query(func.min(Change.id)).filter(Change.change_set_id == sets[1].id).scalar()
    assert first_max < second_min


def test_user_create_makes_the_first_admin(app, session):
    result = invoke(app, "user", "create", "--email", "Admin@Example.cn", "--password", "a long password",
                    "--role", "admin")
    assert result.exit_code == 0, result.stderr
    listed = invoke(app, "user", "list")
    assert "admin@example.cn\tadmin" in listed.stdout


def test_user_create_refuses_bad_values_and_writes_nothing(app, session):
    result = invoke(app, "user", "create", "--email", "a@example.cn", "--password", "a long password",
                    "--role", "auditor", "--district", "999999", "--lang", "en")
    assert result.exit_code == 1
    assert "Unknown district code 999999." in result.stderr
    assert invoke(app, "user", "list").stdout == ""


def test_bookings_expire_expires_old_requests(app, session, tmp_path):
    run(session, bookable_dataset(tmp_path))
    booking = request_booking(session, user(session, "enterprise"),
                              booking_request(capability_of(session), today() + timedelta(days=20)), today=today())
    assert invoke(app, "bookings", "expire").stdout == "expired: 0\n"
    session.execute(Booking.__table__.update().values(created_at=utcnow() - timedelta(days=8)))
    session.commit()
    assert invoke(app, "bookings", "expire").stdout == "expired: 1\n"
    session.expire_all()
    assert session.get(Booking, booking.id).state == "expired"
