"""Unmet demand recorded from the registry's own traffic: which searches and bookings count, under which
month, district, discipline and terms, what is never kept, and that a failed count fails nothing."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from registry.clock import today
from registry.models import UnmetDemand
from registry.services.audit import unmet_figures
from registry.services.audit.unmet import add, flush, normalised_terms, record_search
from registry.services.booking.workflow import FullyBooked, request_booking, transition
from registry.services.search import SearchQuery, search_facilities
from tests.factories import bookable_dataset, booking_request, capability_of, point_in, run, user

TODAY = date(2026, 12, 1)


def rows(session):
    flush()
    session.expire_all()
    return [(r.month, r.district_code, r.discipline, r.term, r.no_result, r.far_only, r.declined, r.fully_booked)
            for r in session.scalars(select(UnmetDemand).order_by(UnmetDemand.id))]


def searched(session, app, **query):
    query = SearchQuery(**query)
    result = search_facilities(session, query, TODAY)
    record_search(session, query, result.total, result.nearest_km, TODAY, app.config)
    return result


def test_a_search_that_finds_nothing_counts_under_its_district_and_terms(app, registry):
    searched(registry, app, q="超声波探伤 GB/T 11345", districts=("330106",))
    searched(registry, app, q="gb/t 11345 超声波探伤", districts=("330106",))  # the same terms, read the same
    assert rows(registry) == [("2026-12", "330106", "", "GB/T 11345 超声波探伤", 2, 0, 0, 0)]


def test_a_search_near_a_point_that_finds_only_far_facilities_counts_as_far(app, registry):
    lon, lat = point_in("330127")  # 淳安: the only cable lab is in 萧山, far beyond 30 km
    result = searched(registry, app, q="电缆", near=(lon, lat))
    assert result.total >= 1 and result.nearest_km > 30
    assert rows(registry) == [("2026-12", "330127", "", "电缆", 0, 1, 0, 0)]


def test_searches_that_find_something_near_or_later_pages_count_nothing(app, registry):
    lon, lat = point_in("330109")
    searched(registry, app, q="电缆", near=(lon, lat))  # the lab is in the same district
    searched(registry, app, q="电缆")  # no point: anything found meets the demand
    searched(registry, app, q="没有这种检测", page=2)  # a later page repeats the first page's search
    assert rows(registry) == []


def test_far_distance_is_configurable(app, registry):
    lon, lat = point_in("330127")
    query = SearchQuery(q="电缆", near=(lon, lat))
    result = search_facilities(registry, query, TODAY)
    record_search(registry, query, result.total, result.nearest_km, TODAY,
                  {**app.config, "UNMET_FAR_KM": str(result.nearest_km + 1)})  # as read from the environment
    assert rows(registry) == []


def test_discipline_and_a_point_outside_hangzhou_are_kept_as_given(app, registry):
    searched(registry, app, q="不存在的项目", disciplines=("thermal",), near=(121.47, 31.23))  # Shanghai
    assert rows(registry) == [("2026-12", "", "thermal", "不存在的项目", 1, 0, 0, 0)]


def test_words_that_could_identify_a_person_are_never_kept():
    assert normalised_terms("压力表 13812345678 zhang@example.cn 110101199003077777 0571-876-54321") == "压力表"
    assert normalised_terms("JJG 52-2013  压力表  压力表") == "JJG 52-2013 压力表"
    assert len(normalised_terms(" ".join(f"词{i}" * 12 for i in range(8)))) <= 120


def test_a_count_that_cannot_be_written_is_logged_and_the_search_still_answers(app, registry, caplog):
    lon, lat = point_in("330127")
    query = SearchQuery(q="电缆", near=(lon, lat))
    result = search_facilities(registry, query, TODAY)
    record_search(registry, query, result.total, result.nearest_km, TODAY,
                  {**app.config, "DISTRICTS_GEOJSON": "/nonexistent/districts.geojson"})
    assert "could not be counted" in caplog.text
    assert rows(registry) == []
    with pytest.raises(ValueError):
        add(registry, TODAY, "", "", "", "guessed")


@pytest.fixture
def booking_setup(session, tmp_path):
    run(session, bookable_dataset(tmp_path, facilities=1))
    cap = capability_of(session)
    return cap, user(session, "enterprise"), user(session, "enterprise"), user(session, "operator",
                                                                               facility_ids=["F0001"])


def test_declined_and_fully_booked_requests_count_under_the_capability(session, booking_setup):
    cap, ent, ent2, operator = booking_setup
    day = TODAY + timedelta(days=10)
    booking = request_booking(session, ent, booking_request(cap, day, cap.daily_capacity), today=TODAY)
    with pytest.raises(FullyBooked):
        request_booking(session, ent2, booking_request(cap, day, 1), today=TODAY)
    transition(session, booking, operator, "decline", reason="设备检修")
    cap = capability_of(session)
    recorded = rows(session)  # the refusal in the request's month (TODAY), the decline in this month
    assert {r[0] for r in recorded} == {TODAY.strftime("%Y-%m"), today().strftime("%Y-%m")}
    assert sum(r[6] for r in recorded) == 1 and sum(r[7] for r in recorded) == 1
    assert sum(r[4] + r[5] for r in recorded) == 0
    for r in recorded:
        assert r[1:4] == (cap.facility.district_code, cap.discipline or "", cap.name.casefold())


def test_figures_sum_the_months_of_a_period_and_keep_to_the_scope(session):
    add(session, date(2026, 1, 5), "330106", "thermal", "温度计", "no_result")
    add(session, date(2026, 11, 5), "330106", "thermal", "温度计", "no_result")
    add(session, date(2026, 12, 1), "330106", "thermal", "温度计", "far_only")
    add(session, date(2026, 12, 2), "330109", "", "电缆", "declined")
    flush()
    since = unmet_figures.first_month(TODAY, 3)
    assert since == "2026-10"
    table = unmet_figures.unmet_rows(session, None, since)
    assert [(r.district_code, r.term, r.no_result, r.far_only, r.declined, r.total) for r in table] == [
        ("330106", "温度计", 1, 1, 0, 2), ("330109", "电缆", 0, 0, 1, 1)]
    assert unmet_figures.unmet_rows(session, None, None)[0].total == 3
    assert [r.district_code for r in unmet_figures.unmet_rows(session, "330109", since)] == ["330109"]
    assert unmet_figures.by_district(session, None, since) == {"330106": 2, "330109": 1}
    assert [(m["month"], m["total"]) for m in unmet_figures.by_month(session, None, None)] == [
        ("2026-01", 1), ("2026-11", 1), ("2026-12", 2)]
    assert unmet_figures.by_district(session, None, since, "thermal") == {"330106": 2}
    assert unmet_figures.first_month(date(2026, 2, 3), 12) == "2025-03"


def test_a_batch_that_cannot_be_written_is_logged_and_the_writer_goes_on(session, tmp_path, caplog):
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    elsewhere = Session(bind=create_engine(f"sqlite:///{tmp_path / 'no-tables.sqlite3'}"))  # no unmet_demand
    add(elsewhere, TODAY, "", "", "lost", "no_result")
    flush()
    assert "could not be written" in caplog.text
    add(session, TODAY, "330106", "", "kept", "no_result")
    assert rows(session) == [("2026-12", "330106", "", "kept", 1, 0, 0, 0)]
