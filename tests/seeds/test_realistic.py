"""seeds.generate --vocabulary realistic: diverse, skewed, valid, deterministic; the default unchanged."""
import csv
import re
from collections import Counter, defaultdict
from random import Random

import pytest

from registry.identifiers import normalize_cma, split_standards
from registry.services.records.scopes import read_scope
from registry.services.records.scopes.cells import methods
from registry.units import parse_unit
from seeds import realistic, scope_vocabulary
from seeds.generate import DEFAULT_OUT, generate, plan


def read(directory, table):
    with open(directory / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    """The benchmark size of issue 16: 1,500 facilities, 300,000 capabilities."""
    out = tmp_path_factory.mktemp("realistic")
    generate(out, 1500, 300_000, seed=7, vocabulary="realistic")
    return read(out, "facilities"), read(out, "capabilities")


def test_300000_rows_hold_at_least_40000_distinct_items(bench):
    _, capabilities = bench
    distinct, rows = realistic.distinct_texts(capabilities)
    assert rows == 300_000 and distinct >= 40_000, distinct


@pytest.fixture(scope="module")
def bench_items(bench):
    """The scope items behind the bench data's rows (object, parameter and methods with their clauses,
    status, limitation), drawn as `generate` draws them."""
    facilities, counts = plan(1500, 300_000, seed=7, vocabulary="realistic")
    return list(realistic.data_set_items(facilities, counts, seed=7))


def test_the_items_are_the_rows_of_the_generated_data(bench, bench_items):
    facilities, capabilities = bench
    certification = {f["facility_id"] for f in facilities if f["kind"] == "certification"}
    rows = Counter(c["name"] for c in capabilities if c["facility_id"] not in certification)
    items = Counter(f"{i.object} {i.parameter}" for i in bench_items)
    assert items <= rows and sum(rows.values()) - sum(items.values()) == 2  # the two planted needs


def test_300000_rows_hold_at_least_40000_distinct_object_parameter_method_texts(bench_items):
    distinct = realistic.distinct_items(bench_items)
    assert distinct >= 40_000, distinct
    popularity = Counter((i.object, i.parameter, realistic.cells.method_text(m)) for i in bench_items
                         for m in i.methods)
    ranked = [n for _, n in popularity.most_common()]
    assert sum(ranked[: len(ranked) // 100]) / sum(ranked) > 0.10  # a few very common ...
    assert sum(n == 1 for n in ranked) / len(ranked) > 0.3  # ... and a long tail offered once


def test_a_few_of_the_300000_items_are_suspended_or_limited(bench_items):
    share = len(bench_items) / 100
    suspended = sum(i.status == "suspended" for i in bench_items) / share
    limited = sum(i.limitation is not None for i in bench_items) / share
    assert 0.5 < suspended < 2 and 2 < limited < 6, (suspended, limited)


def test_popularity_is_skewed_a_few_common_tests_and_a_long_tail(bench):
    _, capabilities = bench
    counts = Counter((c["name"], c["standards"]) for c in capabilities if c["kind"] == "test_item")
    ranked = [n for _, n in counts.most_common()]
    top = sum(ranked[: len(ranked) // 100])  # the most common 1 % of items ...
    assert top / sum(ranked) > 0.10  # ... are offered far more often than their share
    assert ranked[0] >= 50 * ranked[len(ranked) // 2]
    assert sum(1 for n in ranked if n == 1) / len(ranked) > 0.3  # a long tail offered by one lab


def test_a_facility_never_lists_the_same_item_twice(bench):
    _, capabilities = bench
    by_facility = defaultdict(Counter)
    for c in capabilities:
        if c["kind"] == "test_item":
            by_facility[c["facility_id"]][(c["name"], c["standards"])] += 1
    repeated = sum(n > 1 for counter in by_facility.values() for n in counter.values())
    assert repeated / len(capabilities) < 0.05  # only where a clause (第一法/第二法) distinguishes them


def test_prices_belong_to_the_item(bench):
    _, capabilities = bench
    prices = defaultdict(list)
    for c in capabilities:
        if c["kind"] == "test_item" and c["price_cny"]:
            prices[(c["name"], c["standards"])].append(float(c["price_cny"]))
    spreads = [max(p) / min(p) for p in prices.values() if len(p) >= 5]
    # the facility factor (0.85-1.25) and rounding to 10 yuan, never another item's price
    assert spreads and max(spreads) < 1.8 and sorted(spreads)[len(spreads) // 2] < 1.5
    pesticide = [p for (name, _), ps in prices.items() for p in ps if name.endswith(" 毒死蜱")]
    moisture = [p for (name, _), ps in prices.items() for p in ps if name.endswith(" 水分")]
    assert min(pesticide) > max(moisture) / 2 and sum(pesticide) / len(pesticide) > sum(moisture) / len(moisture)


def test_rows_follow_the_interchange_format(bench):
    facilities, capabilities = bench
    for c in capabilities[::37]:
        if c["standards"]:
            assert split_standards(c["standards"]) == c["standards"].split(";")
        if c["unit"]:
            assert parse_unit(c["unit"]) == c["unit"] and float(c["range_min"]) <= float(c["range_max"])
        assert c["bookable"] in ("yes", "no") and (c["bookable"] == "no" or int(c["daily_capacity"]) >= 1)
        assert not c["price_cny"] or float(c["price_cny"]) > 0
        assert c["name"].strip() and "  " not in c["name"]
        if c["kind"] == "measurement_standard":
            assert re.fullmatch(r"\[\d{4}\]浙量标\S*证字第\d{3}号", c["certificate_no"])


def test_cma_numbers_carry_a_valid_field_code(bench):
    facilities, _ = bench
    numbers = [f["cma_no"] for f in facilities if f["cma_no"]]
    assert numbers and len(set(numbers)) == len(numbers)
    for number in numbers:
        assert normalize_cma(number) == number and number[2:4] == "11" and 0 <= int(number[4:6]) <= 21
    assert len({n[4:6] for n in numbers}) >= 8


def test_items_have_a_few_suspended_and_limited_and_priced_on_request():
    rng = Random(3)
    items = [item for item, _ in realistic.test_items(rng, ("food", "environment"), 3000, 1.0)]
    assert len({(i.object, i.parameter, i.methods) for i in items}) == 3000
    suspended = sum(i.status == "suspended" for i in items)
    limited = sum(i.limitation is not None for i in items)
    on_request = sum(i.price_on_request for i in items)
    assert 5 <= suspended <= 80 and 40 <= limited <= 250 and 20 <= on_request <= 200
    assert all(i.remarks == "暂停" for i in items if i.status == "suspended")
    calibration = [item for item, _ in realistic.calibration_items(Random(4), ("mechanics",), 40, 1.0)]
    assert all(i.ranges and i.ranges[0].uncertainty for i in calibration)
    assert {i.service for i in calibration} == {"verification", "calibration"}


def test_vocabulary_methods_are_all_read_as_written():
    for family in scope_vocabulary.ALL_FAMILIES:
        for test in family.tests:
            for line in test.methods:
                assert methods(line)[1] == [], line


@pytest.mark.parametrize("vocabulary", ["realistic"])
def test_same_seed_same_bytes_and_default_unchanged(tmp_path, vocabulary):
    for run in ("a", "b"):
        generate(tmp_path / run, 30, 2000, seed=11, vocabulary=vocabulary)
    for name in ("facilities.csv", "capabilities.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    generate(tmp_path / "demo", 300, 5200, seed=2021)
    for name in ("facilities.csv", "capabilities.csv"):
        assert (tmp_path / "demo" / name).read_bytes() == (DEFAULT_OUT / name).read_bytes()


def test_scope_files_hold_the_same_items_as_the_interchange_rows(tmp_path):
    paths = generate(tmp_path, 40, 3000, seed=3, vocabulary="realistic", scope_files=4)
    scopes = [p for p in paths if p.parent.name == "scopes"]
    assert len(scopes) == 4
    capabilities = read(tmp_path, "capabilities")
    for path in scopes:
        scope = read_scope(path)
        assert scope.problems == [] and set(scope.layouts.values()) <= {"cnas-testing", "cma", "cnas-calibration"}
        rows = [c for c in capabilities if c["facility_id"] == path.stem]
        names = Counter(f"{i.object} {i.parameter}" for i in scope.items)
        assert sum(names.values()) in (len(rows), len(rows) - 1)  # the planted need is not a scope item
        assert names <= Counter(c["name"] for c in rows)
