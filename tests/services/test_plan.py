"""Who covers a test plan, worked out by hand on tests/services/plan_fixture.py."""
import pytest

from registry.services.search.plan import ITEM_MATCHES, plan_coverage
from tests.factories import point_in
from tests.services.plan_fixture import TODAY, UNKNOWN, A, B, C, D, load_plan_registry


@pytest.fixture
def plan_registry(session, tmp_path):
    ITEM_MATCHES.clear()
    return load_plan_registry(session, tmp_path / "data")


def ids(coverages):
    return [c.facility["facility_id"] for c in coverages]


def pair_ids(coverage):
    return [(p.first.facility["facility_id"], p.second.facility["facility_id"]) for p in coverage.pairs]


def test_facility_covering_every_item_comes_first_and_suspended_ones_never(plan_registry):
    coverage = plan_coverage(plan_registry, [A, B, C], TODAY)
    assert ids(coverage.complete) == ["F0001"]
    assert coverage.complete_total == 1
    assert coverage.complete[0].covered == [0, 1, 2] and coverage.complete[0].missed == []
    assert "F0004" not in ids(coverage.complete) + ids(coverage.partial)


def test_partial_facilities_ranked_by_coverage_with_what_each_covers_and_misses(plan_registry):
    coverage = plan_coverage(plan_registry, [A, B, C], TODAY)
    assert ids(coverage.partial) == ["F0002", "F0003", "F0006"]
    f2, f3, f6 = coverage.partial
    assert (f2.covered, f2.missed, f2.expired) == ([0, 1], [2], [])
    assert (f3.covered, f3.missed, f3.expired) == ([2], [0, 1], [])
    # an expired capability is shown, not counted
    assert (f6.covered, f6.missed, f6.expired) == ([], [1, 2], [0])
    assert coverage.partial_total == 3
    assert coverage.item_facilities == [2, 2, 2]


def test_two_facilities_that_cover_the_plan_together(plan_registry):
    coverage = plan_coverage(plan_registry, [A, B, C], TODAY)
    assert pair_ids(coverage) == [("F0002", "F0003")]  # F0001 alone covers it: not a pair


def test_no_single_facility_but_a_pair(plan_registry):
    coverage = plan_coverage(plan_registry, [A, B, C, D], TODAY)
    assert coverage.complete == []
    assert ids(coverage.partial)[:2] == ["F0001", "F0002"]
    assert coverage.partial[0].missed == [3]
    # F0003 has D expired: F0002 + F0003 is not a pair; F0001 + F0005 (D valid) is
    assert pair_ids(coverage) == [("F0001", "F0005")]
    assert coverage.uncovered == []


def test_item_nobody_covers_means_no_complete_facility_and_no_pair(plan_registry):
    coverage = plan_coverage(plan_registry, [A, UNKNOWN], TODAY)
    assert coverage.complete == [] and coverage.pairs == []
    assert coverage.uncovered == [1]
    assert set(ids(coverage.partial)[:2]) == {"F0001", "F0002"} and ids(coverage.partial)[2] == "F0006"
    assert all(c.missed[-1] == 1 for c in coverage.partial)


def test_accredited_facilities_rank_before_nearer_unaccredited_ones(plan_registry):
    coverage = plan_coverage(plan_registry, [C], TODAY, near=point_in("330106"))
    assert ids(coverage.complete) == ["F0001", "F0003"]
    assert [c.accredited for c in coverage.complete] == [True, False]
    assert coverage.complete[1].distance_km < coverage.complete[0].distance_km


@pytest.mark.parametrize("district, first", [("330108", "F0002"), ("330109", "F0001")])
def test_nearer_first_among_equals(plan_registry, district, first):
    coverage = plan_coverage(plan_registry, [A, B], TODAY, near=point_in(district))
    assert ids(coverage.complete)[0] == first
    assert coverage.complete[0].distance_km < 1


def test_standard_numbers_however_typed_and_keywords_as_substrings(plan_registry):
    for item in ("gb/t3048.5", "ＧＢ／Ｔ　３０４８．５", "GB/T 3048.5-2007", "绝缘电阻"):
        assert sorted(ids(plan_coverage(plan_registry, [item], TODAY).complete)) == ["F0001", "F0002"], item
    assert ids(plan_coverage(plan_registry, ["GB/T 3048.51"], TODAY).complete) == []


def test_limit_lists_the_first_but_counts_all(plan_registry):
    coverage = plan_coverage(plan_registry, [A, B, C, D], TODAY, limit=1)
    assert len(coverage.partial) == 1 and coverage.partial_total == 5


def test_item_matches_are_kept_until_the_data_changes(plan_registry, tmp_path):
    plan_coverage(plan_registry, [A], TODAY)
    assert len(ITEM_MATCHES) == 1
    plan_coverage(plan_registry, [A, B], TODAY)
    assert len(ITEM_MATCHES) == 2
