"""One search query: the pages and the API read the same schema, with the same bounds and messages."""
import pytest
from werkzeug.datastructures import MultiDict

from registry.services.search import SearchQuery, parse_search_args
from registry.services.search.query import MAX_QUERY_CHARS, MAX_RADIUS_KM, SearchQuerySchema, query_from


@pytest.mark.parametrize("query, field", [
    ("value=5&unit=zzqq", "unit"), ("value=5", "unit"), ("radius_km=5", "near"), ("near=200,30", "near"),
    ("radius_km=-1&near=120,30", "radius_km"), (f"radius_km={MAX_RADIUS_KM + 1}&near=120,30", "radius_km"),
    ("sort=distance", "sort"), ("district=999999", "district"), ("bbox=1,2,3", "bbox"),
    ("q=" + "电" * (MAX_QUERY_CHARS + 1), "q"), ("value=nan&unit=MPa", "value"),
])
def test_the_page_leaves_out_what_the_api_refuses_with_the_same_message(client, registry, query, field):
    response = client.get(f"/api/v1/facilities?{query}")
    assert response.status_code == 422
    api_messages = response.get_json()["error"]["fields"][field]
    if isinstance(api_messages, dict):  # a list parameter: messages per item
        api_messages = next(iter(api_messages.values()))
    _query, problems = parse_search_args(MultiDict([tuple(part.split("=", 1)) for part in query.split("&")]))
    assert [(p.field, p.message) for p in problems] == [(field, api_messages[0])]


def test_a_refused_value_is_left_out_and_the_rest_is_searched(registry):
    query, problems = parse_search_args({"q": "电阻", "value": "abc", "unit": "MPa", "kind": ["testing", "x"]})
    assert query.q == "电阻" and query.value is None and query.unit == "" and query.kinds == ("testing",)
    assert {p.field for p in problems} == {"value", "kind"}


def test_names_and_comma_lists_become_vocabulary_keys():
    query, problems = parse_search_args({"district": "萧山区,Xihu", "kind": "检测", "discipline": "热学"})
    assert not problems
    assert query.districts == ("330109", "330106") and query.kinds == ("testing",) and query.disciplines == ("thermal",)


def test_text_is_cleaned_once_for_every_caller():
    loaded = SearchQuerySchema().load({"q": " ＧＢ／Ｔ\x00３０４８ ", "standard": "JJG 59", "status": ["suspended"]})
    query = query_from(loaded)
    assert query.q == "GB/T3048 JJG 59"
    assert query.include_inactive and query.statuses == ("suspended",)


def test_a_query_is_a_cache_key():
    first, _ = parse_search_args(MultiDict([("kind", "testing"), ("district", "330109")]))
    again, _ = parse_search_args({"district": "330109", "kind": "testing"})
    assert first == again and hash(first) == hash(again)
    assert parse_search_args({})[0] == SearchQuery()
