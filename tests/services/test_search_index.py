"""The n-gram index of search documents (issue 16 item 1): every substring is found through it,
and search goes through it rather than scanning every document's text."""
import random

import pytest
from flask import current_app
from sqlalchemy import text

from registry.search_text import doc_grams, fold, keyword_grams, standard_grams
from registry.services.search import api_capability_page, parse_search_args
from registry.services.search import postings as memory
from registry.services.search.index import document_ids_each
from tests.factories import capability, run, write_dataset
from tests.services.test_search import TODAY, ids, search

ALPHABET = "电线缆导体直流阻绝缘食品铅压力计温度 abcGB/T-0123.:;（）"


def test_every_word_of_a_text_has_its_terms_in_the_index():
    rng = random.Random(16)
    for _ in range(500):
        doc = fold("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 40))))
        terms = set(doc_grams(doc, "").split())
        for word in doc.split(" "):
            for i in range(len(word)):
                for j in range(i + 1, len(word) + 1):
                    assert set(keyword_grams(word[i:j])) <= terms, (doc, word[i:j])


def test_a_standard_key_prefix_has_its_terms_in_the_index():
    terms = set(doc_grams("x", ";GB/T3048.4-2007;JJG59-2007;").split())
    for prefix in ("GB", "GB/T3048", "GB/T3048.4", "JJG59", "JJG59-2007"):
        assert set(standard_grams(prefix)) <= terms


@pytest.mark.parametrize("word", ["电", "电阻", "导体直流电阻", "gb/t 3048"])
def test_documents_come_from_the_index(registry, word):
    ids = [i for group in document_ids_each(registry, [(keyword_grams(fold(word)), None)])[0].values() for i in group]
    found = registry.execute(text("SELECT text FROM search_docs WHERE id IN (%s)" % ",".join(map(str, ids)))).all()
    assert found and all(fold(word).replace(" ", "") in d.text.replace(" ", "") or
                         any(p in d.text for p in fold(word).split()) for d in found)


@pytest.mark.parametrize("memory_rows", [5_000_000, 0], ids=["worker's copy", "database's index"])
def test_search_finds_documents_through_the_index_only(registry, monkeypatch, memory_rows):
    """A document whose index terms are gone is no longer found, though its text still matches:
    no scan of the texts stands behind the index, the database's or the worker's copy of it."""
    monkeypatch.setitem(current_app.config, "SEARCH_MEMORY_INDEX_ROWS", memory_rows)
    assert "F0001" in ids(search(registry, q="导体直流电阻")[0])
    registry.execute(text("UPDATE search_docs SET grams = '' WHERE text LIKE '%导体直流电阻%'"))
    registry.commit()
    memory.POSTINGS.clear()  # written behind the registry's back, with no change set: read anew
    assert ids(search(registry, q="导体直流电阻")[0]) == []


def test_index_keeps_step_with_new_documents(registry, tmp_path):
    query, _ = parse_search_args({"q": "电阻"})
    before = api_capability_page(registry, query, TODAY).total
    report = run(registry, write_dataset(tmp_path, [], [
        capability(1, 3, name="光纤 衰减电阻新项目", standards="GB/T 15972.40-2008")]))
    assert report.committed, report.issues
    query, _ = parse_search_args({"q": "衰减电阻"})
    assert api_capability_page(registry, query, TODAY).total == 1
    query, _ = parse_search_args({"q": "电阻"})
    assert api_capability_page(registry, query, TODAY).total == before + 1
