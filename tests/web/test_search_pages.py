"""The results page, the facility page and what hostile query strings get (never a 500)."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.factories import capability, facility, point_in, run, write_dataset

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def two_labs(session, tmp_path):
    lon, lat = point_in("330109")
    facilities = [facility(1), facility(2, kind="metrology", name="萧山计量测试所", district_code="330109",
                                           lon=str(lon), lat=str(lat))]
    capabilities = [capability(1, 1), capability(2, 1, kind="measurement_standard", name="活塞式压力计标准装置",
                                                  standards="JJG 59-2022", quantity="压力", range_min="100",
                                                  range_max="60000", unit="kPa", discipline="mechanics",
                                                  valid_until="2020-01-01")]
    run(session, write_dataset(tmp_path, facilities, capabilities))


def test_results_list_the_matching_facilities_with_a_map_of_the_same_query(client, two_labs):
    page = client.get("/search?q=导体直流电阻").get_data(as_text=True)
    assert "测试检测中心1" in page and "萧山计量测试所" not in page
    assert 'src="/map?q=' in page  # the map shows the same query


def test_range_search_finds_the_pressure_standard_and_marks_it_expired(client, two_labs):
    response = client.get("/search", query_string={"quantity": "压力", "value": "50", "unit": "MPa"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "萧山计量测试所" in page and "测试检测中心1" not in page
    assert "已过期" in page or "Expired" in page


def test_facets_are_links_that_add_and_remove_a_filter(client, two_labs):
    page = client.get("/search").get_data(as_text=True)
    assert "/search?kind=metrology" in page
    narrowed = client.get("/search?kind=metrology").get_data(as_text=True)
    assert "萧山计量测试所" in narrowed and "测试检测中心1" not in narrowed
    # The selected facet and its chip link back to no filter (not merely the page's "clear all").
    assert '<a href="/search" class="selected" aria-current="true">' in narrowed
    assert re.search(r'<div class="chips"><a href="/search" title="[^"]+">[^<]+ ×</a></div>', narrowed)


def test_pages_keep_the_query_in_their_links(client, session, tmp_path):
    run(session, write_dataset(tmp_path, [facility(n) for n in range(1, 26)]))
    page = client.get("/search?kind=testing").get_data(as_text=True)
    assert "/search?kind=testing&amp;page=2" in page


def test_choosing_a_district_as_near_sorts_by_distance(client, two_labs):
    home = client.get("/").get_data(as_text=True)
    assert 'name="near"' in home and "萧山区" in home
    first = client.get("/search?sort=distance&near=120.308225,30.109234").get_data(as_text=True)
    assert first.index("萧山计量测试所") < first.index("测试检测中心1")
    assert "公里" in first or "km" in first


def test_facility_page_shows_certificates_capabilities_map_and_a_booking_placeholder(client, two_labs):
    response = client.get("/facilities/F0002")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "萧山计量测试所" in page and "活塞式压力计标准装置" in page
    assert 'src="/facilities/F0002/map"' in page
    assert "disabled" in page and "<form" in page  # the booking button is disabled; the only form searches
    assert page.count("<form") == 1
    assert client.get("/facilities/F0002/map").status_code == 200


def test_facility_capabilities_are_searchable(client, two_labs):
    found = client.get("/facilities/F0002?q=活塞")
    assert found.status_code == 200 and "活塞式压力计标准装置" in found.get_data(as_text=True)
    missed = client.get("/facilities/F0002?q=不存在的项目")
    assert missed.status_code == 200 and "活塞式压力计标准装置" not in missed.get_data(as_text=True)


def test_unknown_facility_is_a_404_page(client, session):
    response = client.get("/facilities/NO-SUCH-ID")
    assert response.status_code == 404 and "<h1>404</h1>" in response.get_data(as_text=True)
    assert client.get("/facilities/NO-SUCH-ID/map").status_code == 404
    assert client.get("/facilities/F%00").status_code == 404  # a NUL byte: PostgreSQL refuses to compare it
    assert client.get("/facilities/F%00/map").status_code == 404


def test_demo_records_carry_a_badge(client, session, tmp_path):
    run(session, write_dataset(tmp_path / "real", [facility(1)]))
    assert 'class="badge demo"' not in client.get("/search").get_data(as_text=True)
    run(session, write_dataset(tmp_path / "demo", [facility(2)]), demo=True)
    page = client.get("/search").get_data(as_text=True)
    assert page.count('class="badge demo"') == 1
    assert 'class="badge demo"' in client.get("/facilities/F0002").get_data(as_text=True)


def test_names_are_escaped_in_the_list_and_the_page(client, session, tmp_path):
    run(session, write_dataset(tmp_path, [facility(1, name=HOSTILE)]))
    for url in ("/search", "/facilities/F0001"):
        page = client.get(url).get_data(as_text=True)
        assert HOSTILE not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize("query", [
    "", "q=" + "压" * 10_000, 'q="', "q=*", "q=NEAR(", "q=OR", "q=a OR b AND NOT", "q=%F0%9F%94%A5%F0%9F%A7%AA",
    "q=' OR 1=1 --", "q=%E2%80%8B%C2%A0", "radius_km=-1&near=120.2,30.2", "radius_km=1e9&near=120.2,30.2",
    "bbox=121,31,120,30", "bbox=a,b,c", "value=abc&unit=MPa", "value=50&unit=furlongs&quantity=压力",
    "near=999,999", "near=nope", "sort=nope", "sort=distance", "page=-5", "page=99999999999999999999",
    "per_page=100000", "kind=spaceship", "district=" + HOSTILE, "accreditation=xyz&shared=maybe",
    "q=<script>alert(1)</script>", "lang=xx", "value=nan&unit=MPa", "value=inf&unit=MPa",
    "q=" + "abcdefgh" * 6, "q=GB/T/T/T/T/T/T/T/T/T/T/T/T/T",  # long latin runs (regex backtracking)
])
def test_hostile_query_strings_get_a_page_never_a_500(client, two_labs, query):
    response = client.get("/search?" + query)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and HOSTILE not in page


def test_ignored_input_is_explained(client, two_labs):
    page = client.get("/search?value=abc&unit=MPa&kind=spaceship").get_data(as_text=True)
    assert 'id="search-messages"' in page


def test_facility_page_tolerates_hostile_arguments(client, two_labs):
    for query in ("page=-1", "page=abc", "q=" + "x" * 5000, 'q="NEAR(', "page=9999999"):
        assert client.get("/facilities/F0002?" + query).status_code == 200


def test_language_switch_keeps_the_query(client, two_labs):
    page = client.get("/search?q=压力&kind=metrology").get_data(as_text=True)
    link = next(part for part in page.split('"') if part.startswith("/lang/en"))
    target = parse_qs(urlsplit(link.replace("&amp;", "&")).query)["next"][0]
    assert target.startswith("/search?") and "kind=metrology" in target



def test_only_filters_become_chips_not_language_sort_or_page(client, two_labs):
    page = client.get("/search?q=压力&lang=en&page=1&sort=fee").get_data(as_text=True)
    chips = re.search(r'<div class="chips">(.*?)</div>', page).group(1)
    assert re.findall(r">([^<]*) ×</a>", chips) == ["压力"]


def test_a_refused_value_is_explained_beside_its_field_and_the_rest_is_searched(client, two_labs):
    page = client.get("/search?q=导体直流电阻&value=5&unit=blorbs").get_data(as_text=True)
    assert "测试检测中心1" in page  # searched without the range
    beside = re.search(r'<span class="field-error" role="alert" data-field="unit">([^<]+)</span>', page)
    assert beside and "无法识别的单位" in beside.group(1)
    assert 'value="blorbs"' in page  # the value as typed stays in the form


def test_parameters_the_form_does_not_show_ride_along_hidden(client, two_labs):
    page = client.get("/search?q=压力&level=city&discipline=thermal&lang=en").get_data(as_text=True)
    assert '<input type="hidden" name="level" value="city">' in page
    assert '<input type="hidden" name="discipline" value="thermal">' in page
    assert 'type="hidden" name="lang"' not in page


def test_results_show_certificate_marks_with_validity_and_the_issuers_query_page(client, session, two_labs):
    from datetime import date

    from registry.models import Accreditation, Facility

    lab = session.query(Facility).filter_by(name="萧山计量测试所").one()
    session.query(Accreditation).filter_by(facility_pk=lab.id).delete()
    session.add_all([
        Accreditation(facility_pk=lab.id, scheme="cnas", number="CNAS L99999", valid_until=date(2099, 1, 1)),
        Accreditation(facility_pk=lab.id, scheme="cma", number="991100339999", valid_until=date(2020, 1, 1))])
    session.commit()
    page = client.get("/search?q=压力").get_data(as_text=True)
    hit = page[page.index(f'data-facility-id="{lab.facility_id}"'):]
    hit = hit[:hit.index("</li>")]
    assert "<b>CNAS</b> L99999" in hit and "有效期至" in hit and 'class="mark mark-cnas"' in hit
    assert "991100339999" in hit and 'class="mark mark-cma mark-expired"' in hit and "已过期" in hit
    facility_page = client.get(f"/facilities/{lab.facility_id}").get_data(as_text=True)
    assert 'href="https://www.cnas.org.cn/"' in facility_page and 'href="https://cx.cnca.cn/' in facility_page
