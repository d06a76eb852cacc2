"""Searches counted in each worker's memory (search/postings.py) answer exactly as the database does:
the same totals, facets, pages and facility hits for random questions over random data, and the
database answers alone when the registry is larger than a worker may hold. The worker's copy of the
n-gram index (search/doc_postings.py) finds exactly the documents the database's index finds (index.py),
and a facility's own text is matched as a substring of it."""
import random

import pytest
from flask import current_app
from sqlalchemy import event

from registry.extensions import db
from registry.models import Facility
from registry.search_text import keyword_grams, standard_grams
from registry.services.records.canonical import data_version
from registry.services.search import api_capability_page, parse_search_args, search_facilities
from registry.services.search import postings as memory
from registry.services.search.index import document_ids_each
from registry.services.search.matching import match_capabilities
from registry.services.search.terms import facility_texts, parse_terms, term_documents
from registry.vocabulary import CAPABILITY_KINDS, DISCIPLINES
from tests.factories import capability, facility, point_in, run, write_dataset
from tests.services.test_search import TODAY

WORDS = ["电线", "电缆", "导体", "电阻", "绝缘", "食品", "铅含量", "压力", "温度计", "检测", "计量", "噪声", "钢筋"]
DISTRICTS = ["330102", "330106", "330108", "330109", "330110"]
STANDARDS = ["GB/T 3048.4-2007", "GB 5009.12-2017", "JJG 59-2007", "JJG 160-2007", "GB/T 228.1-2021", ""]


@pytest.fixture
def random_registry(session, tmp_path):
    rng = random.Random(16)
    facilities = []
    for n in range(1, 16):
        district = rng.choice(DISTRICTS)
        lon, lat = point_in(district)
        facilities.append(facility(n, name=f"{rng.choice(['杭州', '西湖', '滨江'])}{rng.choice(WORDS)}{n}中心",
                                   kind=rng.choice(["metrology", "testing", "certification"]),
                                   ownership=rng.choice(["state", "private"]), district_code=district,
                                   lon=str(lon), lat=str(lat), status=rng.choice(["active"] * 5 + ["suspended"])))
    capabilities = []
    for n in range(1, 301):
        kind = rng.choice(list(CAPABILITY_KINDS))
        discipline = rng.choice(list(DISCIPLINES)) if kind == "measurement_standard" else rng.choice(
            [*DISCIPLINES, None])  # a measurement standard needs its discipline
        capabilities.append(capability(rng.randint(1, 15), n, name=" ".join(rng.sample(WORDS, rng.randint(1, 3))),
                                       kind=kind, standards=rng.choice(STANDARDS), discipline=discipline))
    report = run(session, write_dataset(tmp_path, facilities, capabilities))
    assert report.committed, report.issues
    return session


def questions(count: int):
    rng = random.Random(7)
    for _ in range(count):
        words = [w[:rng.randint(1, len(w))] if rng.random() < .3 else w for w in rng.sample(WORDS, rng.randint(1, 2))]
        if rng.random() < .2:
            words.append(rng.choice(["GB/T 3048", "jjg59", "GB 5009.12"]))
        args = {"q": " ".join(words)}
        if rng.random() < .3:
            args["district"] = rng.sample(DISTRICTS, 2)
        if rng.random() < .3:
            args["kind"] = rng.choice(["metrology", "testing"])
        if rng.random() < .2:
            args["ownership"] = "state"
        if rng.random() < .3:
            args["discipline"] = rng.sample(list(DISCIPLINES), 3)
        if rng.random() < .15:
            args["q"] = ""  # no terms: counted from the per-facility aggregates
        yield args


def answers(session, args: dict, held: bool):
    current_app.config["SEARCH_MEMORY_INDEX_ROWS"] = 5_000_000 if held else 0
    query, _ = parse_search_args(args)
    first = api_capability_page(session, query, TODAY, limit=7)
    after = first.rows[-1]["id"] if first.rows else None
    second = api_capability_page(session, query, TODAY, after_id=after, limit=7)
    within = api_capability_page(session, query, TODAY, limit=50, facility_text=False)
    hits = search_facilities(session, query, TODAY)
    return ((first.total, first.facets, [r["id"] for r in first.rows], first.more),
            [r["id"] for r in second.rows], (within.total, [r["id"] for r in within.rows]),
            ([(h.facility["facility_id"], h.matched) for h in hits.hits], hits.total, hits.facets))


def test_memory_and_database_give_the_same_answers(random_registry):
    found_some = 0
    try:
        for args in questions(120):
            in_memory = answers(random_registry, args, held=True)
            assert in_memory == answers(random_registry, args, held=False), args
            found_some += bool(in_memory[0][0])
    finally:
        current_app.config["SEARCH_MEMORY_INDEX_ROWS"] = 5_000_000
    assert found_some > 60  # the questions find something most of the time: the comparison means something


def test_terms_are_matched_in_memory(random_registry):
    query, _ = parse_search_args({"q": "电阻", "district": DISTRICTS[:2], "discipline": ["thermal"]})
    assert match_capabilities(random_registry, query, TODAY).held is not None


def test_conditions_the_memory_does_not_hold_are_counted_by_the_database(random_registry):
    query, _ = parse_search_args({"q": "电阻", "bookable": "true"})
    assert match_capabilities(random_registry, query, TODAY).held is None


def test_a_registry_larger_than_a_worker_holds_is_counted_by_the_database(random_registry):
    query, _ = parse_search_args({"q": "电阻"})
    held = match_capabilities(random_registry, query, TODAY)
    current_app.config["SEARCH_MEMORY_INDEX_ROWS"] = 299  # one fewer than the live capabilities
    memory.POSTINGS.clear()
    try:
        database = match_capabilities(random_registry, query, TODAY)
    finally:
        current_app.config["SEARCH_MEMORY_INDEX_ROWS"] = 5_000_000
    assert held.held is not None and database.held is None
    assert (held.total, held.facets) == (database.total, database.facets) and held.total > 0


def test_a_write_is_seen_by_the_next_search(random_registry, tmp_path):
    query, _ = parse_search_args({"q": "光纤衰减"})
    assert api_capability_page(random_registry, query, TODAY).total == 0
    report = run(random_registry, write_dataset(tmp_path / "more", [], [capability(1, 999, name="光纤衰减")]))
    assert report.committed, report.issues
    page = api_capability_page(random_registry, query, TODAY)
    assert page.total == 1 and page.rows[0]["capability_id"] == "C0999"


def test_a_large_registry_is_answered_by_the_database_while_its_arrays_are_built(random_registry, monkeypatch):
    """Beyond INLINE_ROWS the arrays are built in the background after a write: the search that finds them
    missing is counted by the database (the same answer), the next ones in memory."""
    monkeypatch.setattr(memory, "INLINE_ROWS", 10)
    memory.POSTINGS.clear()
    query, _ = parse_search_args({"q": "电阻"})
    first = match_capabilities(random_registry, query, TODAY)
    memory.wait_for_builds()
    then = match_capabilities(random_registry, query, TODAY)
    assert first.held is None and then.held is not None
    assert (first.total, first.facets) == (then.total, then.facets) and first.total > 0


def test_a_search_at_the_version_last_read_costs_one_statement(random_registry):
    """The page's statement reads the data's version beside its rows: no round trip of its own for it."""
    query, _ = parse_search_args({"q": "电阻 电"})
    api_capability_page(random_registry, query, TODAY)  # the version is read, the arrays built
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        page = api_capability_page(random_registry, parse_search_args({"q": "导体"})[0], TODAY)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert page.rows and len(statements) == 1, statements


def test_a_write_after_the_version_last_read_is_seen_by_the_next_page(random_registry, tmp_path):
    query, _ = parse_search_args({"q": "电阻"})
    before = api_capability_page(random_registry, query, TODAY, limit=500)
    assert before.rows  # the next search guesses this version, and finds it changed
    report = run(random_registry, write_dataset(tmp_path / "more", [], [capability(1, 998, name="电阻 新增")]))
    assert report.committed, report.issues
    after = api_capability_page(random_registry, query, TODAY, limit=500)
    assert after.total == before.total + 1 and "C0998" in {r["capability_id"] for r in after.rows}


# --- the documents' n-gram index in memory -----------------------------------------------------

def held_documents(session):
    held = memory.postings(session, data_version(session))
    assert held is not None
    return held.documents


def lookups(count: int):
    """Lookups as term_documents makes them: keywords whole or cut (1 character, 2, longer, across two
    words), typed standards with spaces, standard keys, and terms no document has."""
    rng = random.Random(5)
    text = " ".join(WORDS)
    for _ in range(count):
        kind = rng.random()
        if kind < .6:
            start = rng.randrange(len(text) - 1)
            word = text[start:start + rng.randint(1, 6)].strip() or "电"
            yield keyword_grams(word), word
        elif kind < .8:
            typed = rng.choice([s for s in STANDARDS if s]).lower()[:rng.randint(4, 12)]
            yield keyword_grams(typed), typed
        elif kind < .95:
            key = parse_terms(rng.choice([s for s in STANDARDS if s])).standards[0][0]
            yield standard_grams(key[:rng.randint(2, len(key))]), None
        else:
            yield keyword_grams("光纤衰减"), "光纤衰减"


def as_sets(found):
    return [{keys: set(ids) for keys, ids in groups.items()} for groups in found]


def test_memory_finds_the_documents_the_database_finds(random_registry):
    asked = list(lookups(300))
    in_memory = held_documents(random_registry).each(asked)
    assert as_sets(in_memory) == as_sets(document_ids_each(random_registry, asked))
    assert sum(bool(found) for found in in_memory) > 150  # most lookups find something: the comparison means something


def test_search_terms_match_the_same_documents_in_memory_and_in_the_database(random_registry):
    documents = held_documents(random_registry)
    many = [parse_terms(q) for q in ("电阻", "电 GB/T 3048", "导体电阻", "jjg59 温度", "GB5009", "钢筋 检测 噪声",
                                     "gb/t 228", "不存在")]
    assert term_documents(random_registry, many, documents) == term_documents(random_registry, many)


@pytest.mark.parametrize("keyword, found", [("电线电缆", False), ("线电缆", True), ("电缆", True), ("缆", True)])
def test_a_longer_word_is_confirmed_as_a_substring(session, tmp_path, keyword, found):
    """Every pair of 电线电缆 is in '电线 线电缆 …', the word is not: the pairs only select candidates."""
    report = run(session, write_dataset(tmp_path, [facility(1)], [capability(1, 1, name="电线 线电缆", standards="")]))
    assert report.committed, report.issues
    documents = held_documents(session)
    assert bool(documents.each([(keyword_grams(keyword), keyword)])[0]) is found
    assert bool(document_ids_each(session, [(keyword_grams(keyword), keyword)])[0]) is found


def test_facility_texts_are_matched_as_substrings(random_registry):
    texts = facility_texts(random_registry)
    stored = {pk: text for pk, text in random_registry.query(Facility.id, Facility.search_text)}
    rng = random.Random(3)
    words = [text[i:i + n] for text in stored.values() for n in (1, 2, 3, 5)
             for i in rng.sample(range(max(len(text) - n, 1)), 2)] + ["不存在的", "中心杭州"]
    for word in {w.strip() for w in words if w.strip() and " " not in w.strip()}:
        expected = {pk for pk, text in stored.items() if word in text}
        assert set(texts.each([(keyword_grams(word), word)])[0].get("", ())) == expected, word
