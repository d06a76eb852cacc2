"""A whole test plan matched at once (plan_match.py): in a few statements however many items it has,
with exactly the answer of matching each item alone as a search's text (TermMatch) is matched."""
import random

import pytest
from sqlalchemy import case, event, func, or_, select, update

from registry.extensions import db
from registry.models import Capability, Facility
from registry.services.records.canonical import data_version
from registry.services.search import postings as memory
from registry.services.search.plan import ITEM_MATCHES, plan_coverage
from registry.services.search.plan_match import match_items
from registry.services.search.terms import TermMatch, parse_terms
from seeds.generate import generate
from tests.factories import run
from tests.services.plan_fixture import TODAY, UNKNOWN, A, B, C, D, load_plan_registry


def one_item(session, item: str) -> dict[int, bool]:
    """The reference: one item matched alone, as the capability search matches its text."""
    match = TermMatch(session, parse_terms(item), facility_text=False)
    if not match.active or match.impossible:
        return {}
    valid = case((or_(Capability.valid_until.is_(None), Capability.valid_until >= TODAY), 1), else_=0)
    stmt = (select(Capability.facility_pk, func.max(valid))
            .where(Capability.deleted_at.is_(None), match.condition()).group_by(Capability.facility_pk))
    return {pk: bool(v) for pk, v in session.execute(stmt)}


class Statements:
    """Counts the statements sent to the database while in the `with` block."""

    def __enter__(self):
        self.count = 0
        event.listen(db.engine, "before_cursor_execute", self._seen)
        return self

    def _seen(self, *args):
        self.count += 1

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self._seen)


@pytest.fixture(scope="module")
def realistic(tmp_path_factory):
    return tmp_path_factory.mktemp("plan-batch")


def load_realistic(session, folder) -> None:
    """A registry of the realistic generator's vocabulary: 30 facilities, 2,000 capabilities."""
    report = run(session, generate(folder, 30, 2_000, seed=7, vocabulary="realistic"))
    assert report.committed, report.issues


def realistic_plan(session, folder, n_items: int, seed: int) -> list[str]:
    """The realistic registry, and a plan drawn from it as bench_plan.py draws one: standard numbers
    without their year, test names, product + test; plus items nobody has."""
    if folder is not None:
        load_realistic(session, folder)
    rows = session.execute(select(Capability.name, Capability.standards).order_by(Capability.id)).all()
    rng = random.Random(seed)
    items: list[str] = []
    for row in rng.sample(rows, len(rows)):
        kind = len(items) % 3
        if kind == 0 and row.standards:
            item = row.standards.split(";")[0].rsplit("-", 1)[0]
        elif kind == 1:
            item = row.name.rsplit(" ", 1)[-1]
        else:
            item = row.name
        if item not in items:
            items.append(item)
        if len(items) == n_items - 2:
            break
    return items + [UNKNOWN, "GB/T 99999.9"]


@pytest.mark.parametrize("seed", [1, 2])
def test_a_realistic_30_item_plan_matches_as_each_item_alone(session, realistic, seed):
    items = realistic_plan(session, realistic / str(seed), 30, seed)
    assert len(items) == 30
    expected = [one_item(session, item) for item in items]
    assert sum(1 for e in expected if e) >= 20  # a plan most of whose items someone has
    assert any(not all(e.values()) for e in expected if e)  # and expired capabilities in it
    assert match_items(session, items, TODAY) == expected
    version = data_version(session)  # the same from the worker's arrays of the capabilities (postings.py)
    assert memory.postings(session, version) is not None
    assert match_items(session, items, TODAY, version) == expected


def test_a_plan_costs_a_few_statements_however_many_items(session, realistic):
    items = realistic_plan(session, realistic / "count", 30, 3)
    plan_coverage(session, items[:1], TODAY)  # the worker's arrays of the capabilities built, as in a served worker
    counts = {}
    for n in (3, 30):  # the last 3 hold a standard no document's key matches (the typed-text fallback)
        ITEM_MATCHES.clear()
        session.rollback()
        with Statements() as seen:
            coverage = plan_coverage(session, items[-n:], TODAY)
        counts[n] = seen.count
        assert coverage.partial_total + coverage.complete_total > 0
    assert counts[30] == counts[3] <= 7
    with Statements() as seen:
        match_items(session, items, TODAY)
    assert seen.count <= 3  # the terms' documents, the typed-text fallback of standards, the capabilities


def test_kept_items_are_not_matched_again(session, realistic):
    items = realistic_plan(session, realistic / "kept", 30, 4)
    ITEM_MATCHES.clear()
    first = plan_coverage(session, items, TODAY)
    session.rollback()
    with Statements() as seen:
        again = plan_coverage(session, items[::-1], TODAY)
    assert seen.count <= 3  # the data version, and nothing item by item
    assert sorted(c.facility["facility_id"] for c in again.partial) == sorted(
        c.facility["facility_id"] for c in first.partial)


def test_every_kind_of_item_on_the_plan_fixture(session, tmp_path):
    ITEM_MATCHES.clear()
    load_plan_registry(session, tmp_path / "data")
    # 线电阻: a document with both its pairs (电线电缆 导体直流电阻) but not the word
    items = [A, B, C, D, UNKNOWN, "电阻", "阻", "电线电缆 绝缘电阻", "gb/t3048.5", "GB/T 3048", "GB 5009.12-2017",
             "家用电器 GB 4706.1", "GB/T 3048.51", "通用要求", "铅含量 导体", "线电阻"]
    assert match_items(session, items, TODAY) == [one_item(session, item) for item in items]
    assert match_items(session, items, TODAY, data_version(session)) == [one_item(session, item) for item in items]
    # the same lookups shared by items, and an empty plan
    assert match_items(session, [A, A], TODAY) == [one_item(session, A)] * 2
    assert match_items(session, [], TODAY) == []


def test_valid_until_today_is_still_valid(session, tmp_path):
    load_plan_registry(session, tmp_path / "data")
    expired_only = session.scalar(select(Facility.id).where(Facility.facility_id == "F0006"))
    assert match_items(session, [A], TODAY)[0][expired_only] is False
    session.execute(update(Capability).where(Capability.facility_pk == expired_only).values(valid_until=TODAY))
    assert match_items(session, [A], TODAY)[0][expired_only] is True
    assert match_items(session, [A], TODAY) == [one_item(session, A)]
