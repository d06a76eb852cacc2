"""The facilities table of DATA_FORMAT.md, column by column, through the import service.

Each rule is exercised on a real database: a CSV is written with the factories,
imported, and the test looks at the report (file, row, column, value, message)
and at what was stored. Messages are rendered in English with
`force_locale("en")`: the default locale of the registry is Chinese.
"""
from functools import lru_cache

import pytest
from pyproj import Transformer
from sqlalchemy import select

from geo.coords import bd09_to_wgs84, gcj02_to_wgs84, wgs84_to_bd09, wgs84_to_gcj02
from geo.districts import load_districts
from registry.config import Config
from registry.models import Accreditation
from registry.services.districts import district_locator
from registry.services.records.canonical import load_facilities
from tests.factories import facility, nothing_written, point_in, problems, run, write_dataset
from tests.factories import in_english as english

# --- helpers -----------------------------------------------------------------






def import_facilities(session, tmp_path, *rows, **options):
    return run(session, write_dataset(tmp_path, list(rows)), **options)


def accepted(session, tmp_path, **overrides) -> dict:
    """Import facility(1, **overrides): it must be accepted; its stored record."""
    report = import_facilities(session, tmp_path, facility(1, **overrides))
    assert not report.errors, problems(report)
    assert report.committed and report.counts["facilities"]["created"] == 1
    return load_facilities(session)["F0001"][2]


def rejected(session, tmp_path, column, **overrides):
    """Import facility(1, **overrides): one error, on row 2 in `column`, nothing written."""
    report = import_facilities(session, tmp_path, facility(1, **overrides))
    assert not report.committed
    assert nothing_written(session)
    assert len(report.errors) == 1, problems(report)
    issue = report.errors[0]
    assert (issue.file, issue.row, issue.column) == ("facilities.csv", 2, column), problems(report)
    return issue


# An independent implementation of GB 32100-2015 / GB 11714-1997, to build test codes.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def final_check(first17: str) -> str:
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, weights))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_check(body8: str) -> str:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c, 36) * w for c, w in zip(body8, weights)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def build_uscc(prefix8: str, body8: str, org: str | None = None) -> str:
    first17 = prefix8 + body8 + (org or org_check(body8))
    return first17 + final_check(first17)


REAL_USCC = "91310115MA1K3BTP2B"  # published code (tests/data/uscc_valid.txt), letters inside


# Points near district edges, computed from the boundaries so that they stay right if
# the boundary file is refined.
@lru_cache
def _metric_districts():
    return load_districts(Config.DISTRICTS_GEOJSON).set_index("code").to_crs("EPSG:4549").geometry


def point_beyond(declared: str, located: str, metres: float) -> tuple[float, float]:
    """A WGS-84 point inside `located` (300 m clear of its edges), `metres` from `declared`."""
    districts = _metric_districts()
    ring = districts[declared].buffer(metres + 100).difference(districts[declared].buffer(metres - 100))
    spot = districts[located].buffer(-300).intersection(ring).representative_point()
    back = Transformer.from_crs("EPSG:4549", "EPSG:4326", always_xy=True)
    lon, lat = back.transform(spot.x, spot.y)
    return round(lon, 6), round(lat, 6)


def located_distance(lon, lat, code):
    from flask import current_app

    locator = district_locator(current_app.config["DISTRICTS_GEOJSON"])
    return locator.locate(lon, lat), locator.distance_m(lon, lat, code)


# --- facility_id ---------------------------------------------------------------


@pytest.mark.parametrize("fid", ["F1", "hz-jl_001.a", "0", "A" * 64])
def test_facility_id_matching_the_pattern_is_accepted(session, tmp_path, fid):
    report = import_facilities(session, tmp_path, facility(1, facility_id=fid))
    assert not report.errors and report.committed
    assert list(load_facilities(session)) == [fid]


@pytest.mark.parametrize("fid", ["A" * 65, "F 1", "机构1", "F/1", "F#1", "F,1"])
def test_facility_id_outside_the_pattern_is_rejected(session, tmp_path, fid):
    issue = rejected(session, tmp_path, "facility_id", facility_id=fid)
    assert issue.value == fid
    assert "1 to 64 characters" in english(issue.message)


def test_facility_id_must_be_unique_in_the_table(session, tmp_path):
    report = import_facilities(session, tmp_path, facility(1), facility(2),
                               facility(3, facility_id="F0001"))
    assert problems(report) == [("facilities.csv", 4, "facility_id", "F0001",
                                 "duplicate facility_id: also in row 2"),
                                ("facilities.csv", 2, "facility_id", "F0001",  # both rows (issue 13)
                                 "duplicate facility_id: also in row 4")]
    assert not report.committed and nothing_written(session)


# --- required values -------------------------------------------------------------


@pytest.mark.parametrize("column", ["facility_id", "name", "kind", "ownership", "uscc", "shared"])
def test_empty_required_cell_is_reported_in_its_column(session, tmp_path, column):
    issue = rejected(session, tmp_path, column, **{column: "  "})
    assert english(issue.message) == "this required value is missing"


# --- name, name_en and other free text -------------------------------------------


def test_name_is_trimmed_and_full_width_spaces_are_folded(session, tmp_path):
    record = accepted(session, tmp_path, name="\u3000 杭州市\u3000\u3000计量  检测中心 \u3000")
    assert record["name"] == "杭州市 计量 检测中心"


def test_name_of_200_characters_is_accepted(session, tmp_path):
    assert accepted(session, tmp_path, name="检" * 200)["name"] == "检" * 200


def test_name_longer_than_200_characters_is_rejected(session, tmp_path):
    issue = rejected(session, tmp_path, "name", name="检" * 201)
    assert english(issue.message) == "longer than 200 characters"


def test_optional_text_columns_are_stored_trimmed_or_left_empty(session, tmp_path):
    record = accepted(session, tmp_path, name_en=" Hangzhou Testing Centre ",
                      org_name="杭州市质量技术监督检测院", address="杭州市西湖区\u3000天目山路 1 号",
                      phone="0571-8888 0001")
    assert record["name_en"] == "Hangzhou Testing Centre"
    assert record["org_name"] == "杭州市质量技术监督检测院"
    assert record["address"] == "杭州市西湖区 天目山路 1 号"
    assert record["phone"] == "0571-8888 0001"


def test_absent_optional_columns_are_stored_empty(session, tmp_path):
    record = accepted(session, tmp_path)
    for column in ("name_en", "level", "org_name", "address", "phone", "email", "website",
                   "fields", "cma_no", "cma_valid_until", "cnas_no", "cnas_valid_until", "cnca_no"):
        assert record[column] is None, column


# --- kind, ownership, level, status ------------------------------------------------


@pytest.mark.parametrize("given, stored", [
    ("metrology", "metrology"), ("计量技术机构", "metrology"),
    ("testing", "testing"), ("检验检测机构", "testing"),
    ("certification", "certification"), ("认证机构", "certification"),
])
def test_kind_is_accepted_as_key_or_chinese_label(session, tmp_path, given, stored):
    assert accepted(session, tmp_path, kind=given)["kind"] == stored


def test_unknown_kind_is_rejected_listing_the_choices(session, tmp_path):
    issue = rejected(session, tmp_path, "kind", kind="laboratory")
    assert issue.value == "laboratory"
    assert english(issue.message) == "must be one of: metrology, testing, certification"


@pytest.mark.parametrize("given, stored", [
    ("state", "state"), ("国有", "state"),
    ("private", "private"), ("社会资金", "private"), ("民营", "private"),
])
def test_ownership_is_accepted_as_key_or_chinese_label(session, tmp_path, given, stored):
    assert accepted(session, tmp_path, ownership=given)["ownership"] == stored


def test_unknown_ownership_is_rejected(session, tmp_path):
    issue = rejected(session, tmp_path, "ownership", ownership="外资")
    assert english(issue.message) == "must be one of: state, private"


@pytest.mark.parametrize("given, stored", [
    ("national", "national"), ("国家级", "national"), ("provincial", "provincial"),
    ("省级", "provincial"), ("city", "city"), ("市级", "city"), ("district", "district"),
    ("区县级", "district"),
])
def test_level_is_accepted_as_key_or_chinese_label(session, tmp_path, given, stored):
    assert accepted(session, tmp_path, level=given)["level"] == stored


def test_level_is_optional(session, tmp_path):
    assert accepted(session, tmp_path, level=None)["level"] is None


def test_unknown_level_is_rejected(session, tmp_path):
    issue = rejected(session, tmp_path, "level", level="街道级")
    assert english(issue.message) == "must be one of: national, provincial, city, district"


@pytest.mark.parametrize("given, stored", [
    ("active", "active"), ("正常", "active"), ("suspended", "suspended"), ("暂停", "suspended"),
    ("revoked", "revoked"), ("撤销", "revoked"), ("closed", "closed"), ("注销", "closed"),
])
def test_status_is_accepted_as_key_or_chinese_label(session, tmp_path, given, stored):
    assert accepted(session, tmp_path, status=given)["status"] == stored


def test_status_defaults_to_active(session, tmp_path):
    assert accepted(session, tmp_path, status=None)["status"] == "active"


def test_unknown_status_is_rejected(session, tmp_path):
    issue = rejected(session, tmp_path, "status", status="deleted")
    assert english(issue.message) == "must be one of: active, suspended, revoked, closed"


# --- uscc ----------------------------------------------------------------------------


def test_valid_uscc_is_stored(session, tmp_path):
    assert accepted(session, tmp_path, uscc=REAL_USCC)["uscc"] == REAL_USCC


def test_lower_case_uscc_is_stored_upper_case(session, tmp_path):
    assert accepted(session, tmp_path, uscc=REAL_USCC.lower())["uscc"] == REAL_USCC


def test_uscc_with_an_old_division_code_is_valid(session, tmp_path):
    # 330103 was Xiacheng district until 2021: characters 3-8 are the registering authority.
    code = build_uscc("91330103", "MA2H0K1W")
    assert accepted(session, tmp_path, uscc=code, district_code="330105",
                    lon=None, lat=None)["uscc"] == code


def test_uscc_of_wrong_length_is_rejected(session, tmp_path):
    issue = rejected(session, tmp_path, "uscc", uscc=REAL_USCC[:-1])
    assert issue.value == REAL_USCC[:-1]
    assert english(issue.message) == "a Unified Social Credit Code has 18 characters"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_uscc_with_a_forbidden_letter_is_rejected(session, tmp_path, letter):
    code = REAL_USCC[:10] + letter + REAL_USCC[11:]
    issue = rejected(session, tmp_path, "uscc", uscc=code)
    assert english(issue.message) == (
        "a Unified Social Credit Code uses digits and capital letters except I, O, Z, S, V")


def test_uscc_with_a_wrong_final_check_character_is_rejected(session, tmp_path):
    wrong = "A" if REAL_USCC[-1] != "A" else "B"
    issue = rejected(session, tmp_path, "uscc", uscc=REAL_USCC[:-1] + wrong)
    assert english(issue.message) == "the final check character is wrong"


def test_uscc_with_a_wrong_organisation_code_check_is_rejected(session, tmp_path):
    body = "MA2H0K1W"
    wrong_org = "1" if org_check(body) != "1" else "2"
    code = build_uscc("91330106", body, org=wrong_org)  # final check right, GB 11714 one wrong
    issue = rejected(session, tmp_path, "uscc", uscc=code)
    assert english(issue.message) == (
        "the organisation-code check character (9th to 17th characters, GB 11714) is wrong")


# --- district_code -------------------------------------------------------------------

DISTRICTS = {
    "330102": "上城区", "330105": "拱墅区", "330106": "西湖区", "330108": "滨江区",
    "330109": "萧山区", "330110": "余杭区", "330111": "富阳区", "330112": "临安区",
    "330113": "临平区", "330114": "钱塘区", "330122": "桐庐县", "330127": "淳安县",
    "330182": "建德市",
}


@pytest.mark.parametrize("code", DISTRICTS)
def test_district_is_accepted_as_code_or_chinese_name(session, tmp_path, code):
    lon, lat = point_in(code)
    report = import_facilities(
        session, tmp_path,
        facility(1, district_code=code, lon=None, lat=None),
        facility(2, district_code=DISTRICTS[code], lon=str(lon), lat=str(lat)))
    assert not report.errors, problems(report)
    stored = load_facilities(session)
    assert stored["F0001"][2]["district_code"] == code
    assert stored["F0002"][2]["district_code"] == code


@pytest.mark.parametrize("code", ["330103", "330104", "330100", "330185", "西城区"])
def test_unknown_or_abolished_district_is_rejected(session, tmp_path, code):
    issue = rejected(session, tmp_path, "district_code", district_code=code, lon=None, lat=None)
    assert issue.value == code
    assert english(issue.message).startswith("must be one of: 330102, 330105,")


# --- location rules -------------------------------------------------------------------


def test_facility_without_coordinates_is_listed_at_its_district_without_a_location(
        session, tmp_path):
    record = accepted(session, tmp_path, district_code="330127", lon=None, lat=None)
    assert (record["district_code"], record["lon"], record["lat"]) == ("330127", None, None)


def test_no_coordinates_and_no_district_is_an_error(session, tmp_path):
    issue = rejected(session, tmp_path, "district_code", district_code=None, lon=None, lat=None)
    assert english(issue.message) == "required when the facility has no coordinates"


def test_district_is_derived_from_coordinates_when_not_given(session, tmp_path):
    lon, lat = point_in("330108")
    record = accepted(session, tmp_path, district_code=None, lon=str(lon), lat=str(lat))
    assert record["district_code"] == "330108"
    assert (record["lon"], record["lat"]) == (lon, lat)


def test_point_inside_the_declared_district_is_stored_as_given(session, tmp_path):
    lon, lat = point_in("330109")
    record = accepted(session, tmp_path, district_code="330109", lon=str(lon), lat=str(lat))
    assert (record["district_code"], record["lon"], record["lat"]) == ("330109", lon, lat)


@pytest.mark.parametrize("lon, lat", [("121.4737", "31.2304"), ("120.1551", "29.0"),
                                      ("116.4074", "39.9042")])
def test_point_outside_hangzhou_is_rejected(session, tmp_path, lon, lat):
    issue = rejected(session, tmp_path, "lon", district_code=None, lon=lon, lat=lat)
    assert issue.value == lon
    assert english(issue.message) == f"the point ({float(lon)}, {float(lat)}, wgs84) is outside Hangzhou"


def test_point_outside_hangzhou_is_rejected_even_with_a_district(session, tmp_path):
    issue = rejected(session, tmp_path, "lon", district_code="330106", lon="121.4737", lat="31.2304")
    assert "is outside Hangzhou" in english(issue.message)


def test_point_five_km_into_the_wrong_district_is_rejected_naming_both(session, tmp_path):
    lon, lat = point_beyond("330106", "330110", 5000)
    located, metres = located_distance(lon, lat, "330106")
    assert located == "330110" and 4500 < metres < 5500  # the test's own premise
    issue = rejected(session, tmp_path, "district_code", district_code="330106",
                     lon=str(lon), lat=str(lat))
    assert issue.value == "330106"
    message = english(issue.message)
    assert "余杭区 (330110)" in message and "西湖区 (330106)" in message
    assert f"{metres / 1000:.1f} km" in message and "at most 1 km" in message


def test_wrong_district_given_by_its_chinese_name_is_reported_with_the_name_as_written(
        session, tmp_path):
    lon, lat = point_beyond("330106", "330110", 5000)
    issue = rejected(session, tmp_path, "district_code", district_code="西湖区",
                     lon=str(lon), lat=str(lat))
    assert issue.value == "西湖区"
    assert "余杭区 (330110)" in english(issue.message)


def test_point_500_m_outside_its_declared_district_is_accepted_with_that_district(
        session, tmp_path):
    lon, lat = point_beyond("330106", "330110", 500)
    located, metres = located_distance(lon, lat, "330106")
    assert located == "330110" and 300 < metres < 700
    record = accepted(session, tmp_path, district_code="330106", lon=str(lon), lat=str(lat))
    assert (record["district_code"], record["lon"], record["lat"]) == ("330106", lon, lat)


def test_only_lon_is_an_error_on_lat(session, tmp_path):
    issue = rejected(session, tmp_path, "lat", lat=None)
    assert english(issue.message) == "give both lon and lat, or neither"


def test_only_lat_is_an_error_on_lon(session, tmp_path):
    issue = rejected(session, tmp_path, "lon", lon=None)
    assert english(issue.message) == "give both lon and lat, or neither"


@pytest.mark.parametrize("column, value", [("lon", "120°9'"), ("lat", "北纬30"), ("lon", "nan")])
def test_coordinate_that_is_not_a_number_is_rejected(session, tmp_path, column, value):
    issue = rejected(session, tmp_path, column, **{column: value})
    assert english(issue.message) == "not a number"


@pytest.mark.parametrize("column, value, message", [
    ("lon", "200", "must be at most 180"), ("lat", "-91", "must be at least -90")])
def test_coordinate_out_of_range_is_rejected(session, tmp_path, column, value, message):
    issue = rejected(session, tmp_path, column, **{column: value})
    assert english(issue.message) == message


# --- crs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("crs", [None, "wgs84", "WGS-84", "CGCS2000", "天地图"])
def test_wgs84_and_its_aliases_are_stored_unchanged(session, tmp_path, crs):
    lon, lat = point_in("330106")
    record = accepted(session, tmp_path, crs=crs)
    assert (record["lon"], record["lat"]) == (lon, lat)


@pytest.mark.parametrize("crs", ["gcj02", "GCJ-02", "高德"])
def test_gcj02_coordinates_are_stored_as_wgs84(session, tmp_path, crs):
    lon, lat = point_in("330106")
    glon, glat = wgs84_to_gcj02(lon, lat)
    record = accepted(session, tmp_path, crs=crs, lon=repr(glon), lat=repr(glat))
    expected = tuple(round(v, 7) for v in gcj02_to_wgs84(glon, glat))
    assert (record["lon"], record["lat"]) == expected
    assert record["lon"] == pytest.approx(lon, abs=1e-6) and record["lat"] == pytest.approx(lat, abs=1e-6)
    assert abs(glon - lon) + abs(glat - lat) > 0.002  # the shift (~500 m) was really removed


@pytest.mark.parametrize("crs", ["bd09", "BD-09", "百度"])
def test_bd09_coordinates_are_stored_as_wgs84(session, tmp_path, crs):
    lon, lat = point_in("330106")
    blon, blat = wgs84_to_bd09(lon, lat)
    record = accepted(session, tmp_path, crs=crs, lon=repr(blon), lat=repr(blat))
    expected = tuple(round(v, 7) for v in bd09_to_wgs84(blon, blat))
    assert (record["lon"], record["lat"]) == expected
    assert record["lon"] == pytest.approx(lon, abs=1e-6) and record["lat"] == pytest.approx(lat, abs=1e-6)


def test_gcj02_point_is_checked_against_districts_after_conversion(session, tmp_path):
    # 700 m outside Xihu in WGS-84, declared Xihu: fine. Given in GCJ-02 the raw numbers
    # are ~500 m away from the true place, so a check on them would differ.
    lon, lat = point_beyond("330106", "330110", 700)
    glon, glat = wgs84_to_gcj02(lon, lat)
    record = accepted(session, tmp_path, crs="gcj02", lon=repr(glon), lat=repr(glat),
                      district_code=None)
    assert record["district_code"] == "330110"


def test_unknown_crs_is_rejected(session, tmp_path):
    issue = rejected(session, tmp_path, "crs", crs="utm50n")
    assert english(issue.message) == "must be one of: wgs84, gcj02, bd09"


# --- phone, email, website ----------------------------------------------------------------


@pytest.mark.parametrize("email", ["lab@hzjl.org.cn", "zhang.san+booking@example.com"])
def test_valid_email_is_stored(session, tmp_path, email):
    assert accepted(session, tmp_path, email=email)["email"] == email


@pytest.mark.parametrize("email", ["lab@", "lab.hzjl.org.cn", "lab@hzjl", "zhang san@hzjl.cn",
                                   "a@@hzjl.cn"])
def test_invalid_email_is_rejected(session, tmp_path, email):
    issue = rejected(session, tmp_path, "email", email=email)
    assert issue.value == email and english(issue.message) == "not an e-mail address"


@pytest.mark.parametrize("url", ["https://www.hzjl.org.cn", "http://hzjl.cn/about?lang=zh"])
def test_valid_website_is_stored(session, tmp_path, url):
    assert accepted(session, tmp_path, website=url)["website"] == url


@pytest.mark.parametrize("url", ["www.hzjl.org.cn", "ftp://hzjl.cn", "https://", "https://hzjl cn"])
def test_invalid_website_is_rejected(session, tmp_path, url):
    issue = rejected(session, tmp_path, "website", website=url)
    assert english(issue.message) == "not a web address starting with http:// or https://"


# --- shared -------------------------------------------------------------------------------


@pytest.mark.parametrize("given, stored", [
    ("yes", True), ("no", False), ("true", True), ("false", False), ("1", True), ("0", False),
    ("是", True), ("否", False), ("YES", True),
])
def test_shared_accepts_yes_no_in_both_languages(session, tmp_path, given, stored):
    assert accepted(session, tmp_path, shared=given)["shared"] is stored


def test_shared_that_is_not_yes_or_no_is_rejected(session, tmp_path):
    issue = rejected(session, tmp_path, "shared", shared="部分")
    assert english(issue.message) == "must be yes or no (also true/false, 1/0, 是/否)"


# --- fields -------------------------------------------------------------------------------


def test_fields_are_split_on_half_and_full_width_semicolons(session, tmp_path):
    record = accepted(session, tmp_path, fields=" 新能源；集成电路 ; 生物医药；；新能源 ")
    assert record["fields"] == "新能源;集成电路;生物医药"


# --- accreditations -------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["201923000123", " 2019 2300 0123 ", "２０１９２３０００１２３"])
def test_cma_number_of_12_digits_is_stored_normalised(session, tmp_path, given):
    assert accepted(session, tmp_path, cma_no=given)["cma_no"] == "201923000123"


@pytest.mark.parametrize("given", ["20192300012", "2019230001234", "CMA201923000123", "20192300012X"])
def test_cma_number_that_is_not_12_digits_is_rejected(session, tmp_path, given):
    issue = rejected(session, tmp_path, "cma_no", cma_no=given)
    assert issue.value == given.strip()
    assert english(issue.message) == "a CMA certificate number has 12 digits"


@pytest.mark.parametrize("given, stored", [
    ("CNAS L1234", "CNAS L1234"), ("cnas l1234", "CNAS L1234"), ("CNASL12345", "CNAS L12345"),
    ("L1234", "CNAS L1234"), ("CNAS  IB0123", "CNAS IB0123"), ("CNAS-IB0123", "CNAS IB0123"),
    ("CNAS C012-M", "CNAS C012-M"), ("cnas c012 m", "CNAS C012-M"), ("CNAS C012M", "CNAS C012-M"),
    ("ＣＮＡＳ　Ｌ１２３４", "CNAS L1234"),
])
def test_cnas_number_spacing_and_case_are_normalised(session, tmp_path, given, stored):
    assert accepted(session, tmp_path, cnas_no=given)["cnas_no"] == stored


@pytest.mark.parametrize("given", ["CNAS X1234", "CNAS L12", "CNAS C12-M", "1234"])
def test_malformed_cnas_number_is_rejected(session, tmp_path, given):
    issue = rejected(session, tmp_path, "cnas_no", cnas_no=given)
    assert english(issue.message) == "not a CNAS number such as CNAS L1234, CNAS IB0123 or CNAS C012-M"


@pytest.mark.parametrize("given, stored", [
    ("CNCA-R-2002-001", "CNCA-R-2002-001"), ("cnca r 2002 001", "CNCA-R-2002-001"),
    ("CNCA\u2013RF\u20132018\u201305", "CNCA-RF-2018-05"), ("CNCA_R_2015_112", "CNCA-R-2015-112"),
])
def test_cnca_number_is_normalised(session, tmp_path, given, stored):
    assert accepted(session, tmp_path, cnca_no=given)["cnca_no"] == stored


@pytest.mark.parametrize("given", ["CNCA-2002-001", "CNCA-X-2002-001", "CNCA-R-1802-001", "R-2002-001"])
def test_malformed_cnca_number_is_rejected(session, tmp_path, given):
    issue = rejected(session, tmp_path, "cnca_no", cnca_no=given)
    assert english(issue.message) == "not a CNCA approval number such as CNCA-R-2002-001"


@pytest.mark.parametrize("given", ["2027-06-30", "2027/6/30", "2027.06.30", "2027年6月30日", "20270630"])
def test_validity_dates_are_read_in_the_usual_spellings(session, tmp_path, given):
    from datetime import date

    record = accepted(session, tmp_path, cma_no="201923000123", cma_valid_until=given,
                      cnas_no="CNAS L1234", cnas_valid_until=given)
    assert record["cma_valid_until"] == record["cnas_valid_until"] == date(2027, 6, 30)


def test_expired_accreditation_is_accepted(session, tmp_path):
    from datetime import date

    record = accepted(session, tmp_path, cma_no="201923000123", cma_valid_until="2019-01-01")
    assert record["cma_valid_until"] == date(2019, 1, 1)


@pytest.mark.parametrize("column", ["cma_valid_until", "cnas_valid_until"])
@pytest.mark.parametrize("given", ["30/06/2027", "2027-02-30", "明年"])
def test_validity_that_is_not_a_date_is_rejected(session, tmp_path, column, given):
    number = {"cma_valid_until": {"cma_no": "201923000123"},
              "cnas_valid_until": {"cnas_no": "CNAS L1234"}}[column]
    issue = rejected(session, tmp_path, column, **number, **{column: given})
    assert english(issue.message) == "not a date (write it as 2025-06-30)"


@pytest.mark.parametrize("scheme", ["cma", "cnas"])
def test_validity_date_without_the_certificate_number_is_rejected(session, tmp_path, scheme):
    issue = rejected(session, tmp_path, f"{scheme}_valid_until",
                     **{f"{scheme}_valid_until": "2027-06-30"})
    assert issue.value == "2027-06-30"
    assert english(issue.message) == (
        f"a validity date needs the certificate number in {scheme}_no")


@pytest.mark.parametrize("scheme, bad", [("cma", "12345"), ("cnas", "CNAS X1")])
def test_bad_certificate_number_with_a_date_is_one_error_not_also_a_missing_number(
        session, tmp_path, scheme, bad):
    issue = rejected(session, tmp_path, f"{scheme}_no",
                     **{f"{scheme}_no": bad, f"{scheme}_valid_until": "2027-06-30"})
    assert issue.value == bad


def test_accreditations_are_stored_one_per_scheme(session, tmp_path):
    accepted(session, tmp_path, cma_no="201923000123", cma_valid_until="2027-06-30",
             cnas_no="CNAS L1234", cnca_no="CNCA-R-2002-001")
    rows = session.execute(select(Accreditation.scheme, Accreditation.number)
                           .order_by(Accreditation.scheme)).all()
    assert [tuple(r) for r in rows] == [("cma", "201923000123"), ("cnas", "CNAS L1234"),
                                        ("cnca", "CNCA-R-2002-001")]


# --- every error, as a spreadsheet shows it ---------------------------------------------------


def test_every_error_of_every_row_is_reported_with_its_spreadsheet_row(session, tmp_path):
    report = import_facilities(
        session, tmp_path,
        facility(1),
        facility(2, kind="lab", uscc="123", email="nobody"),
        facility(3),
        facility(4, shared="maybe", lon="121.4737", lat="31.2304", district_code=None))
    found = {(i.row, i.column, i.value) for i in report.errors}
    assert found == {(3, "kind", "lab"), (3, "uscc", "123"), (3, "email", "nobody"),
                     (5, "shared", "maybe"), (5, "lon", "121.4737")}
    assert all(i.file == "facilities.csv" for i in report.errors)
    assert report.counts["facilities"]["rejected"] == 2
    assert not report.committed and nothing_written(session)


def test_skip_invalid_stores_the_valid_facilities_only(session, tmp_path):
    report = import_facilities(session, tmp_path, facility(1), facility(2, ownership="外资"),
                               skip_invalid=True)
    assert report.committed and [i.row for i in report.errors] == [3]
    assert list(load_facilities(session)) == ["F0001"]
