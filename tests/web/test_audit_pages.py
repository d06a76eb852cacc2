"""The audit pages over HTTP: figures and definitions shown, bad parameters 4xx, exports, maps offline,
the access hook in front of every view, the district scope, and the cache following the data."""
import csv
import io
from datetime import datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from geo.maps import page_links
from registry.services.audit.cache import cache
from registry.services.audit.figures import BOOKING_FIGURES, FIGURES
from tests.factories import csrf_token, facility, in_english, login, point_in, run, user, write_dataset
from tests.services.audit_fixture import load_audit_fixture

HOSTILE = "=HYPERLINK(\"http://x\")</script><script>alert(1)</script>"
PAGES = ["/audit/", "/audit/map", "/audit/gaps", "/audit/access", "/audit/access/map", "/audit/report",
         "/audit/export/districts.csv", "/audit/export/art6.xlsx"]


def hangzhou_today():
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def client(client, session):
    """The audit pages are for auditors: every test here is signed in as a city-wide one."""
    login(client, user(session, "auditor"))
    return client


@pytest.fixture
def loaded(session, tmp_path):
    load_audit_fixture(session, tmp_path / "data", hangzhou_today())
    lon, lat = point_in("330110")
    report = run(session, write_dataset(tmp_path / "hostile", [
        facility(7, name=HOSTILE, name_en=HOSTILE, ownership="state", shared="no", district_code="330110",
                 lon=str(lon), lat=str(lat))]))
    assert not report.errors
    session.commit()
    cache().clear()
    return session


def test_dashboard_shows_every_figure_with_its_definition(client, loaded):
    html = unescape(client.get("/audit/?lang=en").get_data(as_text=True))
    for figure in FIGURES + BOOKING_FIGURES:
        assert in_english(figure.label) in html
        assert in_english(figure.definition) in html
    assert 'data-code="330106"' in html and 'data-code="total"' in html


@pytest.mark.parametrize("url", ["/audit/?figure=nope", "/audit/map?scheme=jenks", "/audit/map?k=99",
                                 "/audit/map?k=abc", "/audit/access?catchment_km=0", "/audit/access?decay=cubic",
                                 "/audit/access/map?kind=x", "/audit/access?discipline=magic", "/audit/gaps?window=7",
                                 "/audit/export/certificates.csv?window=abc"])
def test_bad_parameters_are_a_clear_400(client, loaded, url):
    response = client.get(url + ("&" if "?" in url else "?") + "lang=en")
    assert response.status_code == 400
    assert "must be" in response.get_data(as_text=True) or "Unknown" in response.get_data(as_text=True)


def test_standards_of_one_quantity(client, loaded):
    html = client.get("/audit/gaps?quantity=压力").get_data(as_text=True)
    assert "· 压力" in html
    rows = list(csv.reader(io.StringIO(client.get("/audit/export/disciplines.csv?quantity=量块&lang=en")
                                       .get_data().decode("utf-8-sig"))))
    chunan = dict(zip(rows[0], next(r for r in rows if r[0] == "330127")))
    xihu = dict(zip(rows[0], next(r for r in rows if r[0] == "330106")))
    assert chunan["Length: standards"] == "1" and xihu["Mechanics: standards"] == "0"


def test_unknown_export_is_404(client, loaded):
    assert client.get("/audit/export/everything.csv").status_code == 404
    assert client.get("/audit/export/districts.pdf").status_code == 404


def test_maps_load_only_local_assets_and_escape_names(client, loaded):
    for url in ("/audit/map?markers=1&figure=facilities", "/audit/access/map"):
        html = client.get(url).get_data(as_text=True)
        assert all(link.startswith("/static/") for link in page_links(html)), page_links(html)
        assert "<script>alert(1)" not in html
    standalone = client.get("/audit/map?markers=1&download=1")
    assert standalone.headers["Content-Disposition"].startswith("attachment")
    html = standalone.get_data(as_text=True)
    assert not [link for link in page_links(html) if link.startswith("/")]  # everything inlined
    assert "L.map(" in html and "leafletjs.com" in html


def test_the_choropleth_says_of_which_years_its_figure_is(client, loaded):
    density = unescape(client.get("/audit/map?figure=capabilities_per_100k&lang=en").get_data(as_text=True))
    assert "census 2020 (years mixed)" in density and '"subtitle": "registry as of ' in density
    count = unescape(client.get("/audit/map?figure=facilities&lang=en&download=1").get_data(as_text=True))
    assert '"subtitle": "registry as of ' in count and "census 2020" not in count
    assert "2020" in unescape(client.get("/audit/map?figure=population&lang=en").get_data(as_text=True))


def test_access_parameters_change_the_map(client, loaded):
    near = client.get("/audit/access/map?catchment_km=5&decay=step").get_data(as_text=True)
    far = client.get("/audit/access/map?catchment_km=60").get_data(as_text=True)
    assert near != far


def test_district_table_exports_as_csv_and_xlsx(client, loaded):
    response = client.get("/audit/export/districts.csv?lang=en")
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf") and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 1 + 13 + 1
    xihu = dict(zip(rows[0], next(r for r in rows if r[0] == "330106")))
    assert xihu["Facilities"] == "2" and xihu["Certificates expiring ≤ 90 days"] == "2"
    sheet = load_workbook(io.BytesIO(client.get("/audit/export/districts.xlsx?lang=en").data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0].startswith("Data as of")
    assert values[1][:3] == ("Code", "District", "Residents")
    assert len(values) == 1 + 1 + 13 + 1


def test_certificate_tables_export_as_shown(client, loaded):
    def rows(url):
        return list(csv.reader(io.StringIO(client.get(url).get_data().decode("utf-8-sig"))))

    summary = rows("/audit/export/certificate_summary.csv?lang=en")
    assert summary[0] == ["District", "Expired", "≤ 30 days", "≤ 90 days", "≤ 180 days"]
    assert ["Xihu", "2", "1", "2", "2"] in summary and len(summary) == 14
    facilities = rows("/audit/export/certificate_facilities.csv?window=180&lang=en")
    assert [r[1] for r in facilities[1:]] == ["F0001", "F0003"]
    assert facilities[1][3] == "2" and facilities[2][3] == "1"


def test_formula_like_text_is_neutralised_in_exports(client, loaded):
    rows = list(csv.reader(io.StringIO(client.get("/audit/export/art6.csv").get_data().decode("utf-8-sig"))))
    assert any(cell == "'" + HOSTILE for row in rows for cell in row)
    sheet = load_workbook(io.BytesIO(client.get("/audit/export/art6.xlsx").data)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == HOSTILE]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


@pytest.mark.parametrize("role", [None, "enterprise", "operator"])
def test_only_auditors_and_admins_reach_the_audit_views(app, session, loaded, role):
    visitor = app.test_client()
    if role:
        login(visitor, user(session, role))
    for url in PAGES:
        response = visitor.get(url)
        if role is None:
            assert response.status_code == 302 and response.headers["Location"].startswith("/login?next="), url
        else:
            assert response.status_code == 403, url
    assert visitor.post("/audit/access").status_code in (302, 400, 403)
    admin = app.test_client()
    login(admin, user(session, "admin"))
    assert all(admin.get(url).status_code == 200 for url in PAGES)


def test_a_district_auditor_sees_only_its_district(app, session, loaded):
    client = app.test_client()
    login(client, user(session, "auditor", district_code="330109"))
    html = client.get("/audit/").get_data(as_text=True)
    assert 'data-code="330109"' in html and 'data-code="330106"' not in html
    art6 = client.get("/audit/export/art6.csv?lang=en").get_data().decode("utf-8-sig")
    assert "F0003" in art6 and "F0007" not in art6
    means = list(csv.reader(io.StringIO(client.get("/audit/export/access.csv").get_data().decode("utf-8-sig"))))
    assert [r[0] for r in means[1:]] == ["330109"]


def test_cached_figures_change_when_the_data_changes(client, loaded, tmp_path):
    def xihu_facilities():
        rows = list(csv.reader(io.StringIO(client.get("/audit/export/districts.csv?lang=en")
                                           .get_data().decode("utf-8-sig"))))
        return dict(zip(rows[0], next(r for r in rows if r[0] == "330106")))["Facilities"]

    assert xihu_facilities() == "2"
    hits = cache().hits
    assert xihu_facilities() == "2" and cache().hits > hits  # served from the cache
    report = run(loaded, write_dataset(tmp_path / "more", [facility(8)]))
    assert not report.errors
    loaded.commit()
    assert xihu_facilities() == "3"


def test_demand_file_upload(client, loaded):
    lon, lat = point_in("330106")
    data = f"lon,lat,weight\n{lon},{lat},10\n{lon + 0.01},{lat},5\n".encode()
    token = csrf_token(client, "/audit/access")
    response = client.post("/audit/access?lang=en", data={"demand": (io.BytesIO(data), "demand.csv"),
                                                          "csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Imported demand (2 points)" in response.get_data(as_text=True)
    assert "Demand: Uploaded file demand.csv (not kept)" in unescape(response.get_data(as_text=True))
    bad = client.post("/audit/access?lang=en", data={"demand": (io.BytesIO(b"lon,lat,weight\n1,2,x\n"), "d.csv"),
                                                     "csrf_token": token},
                      content_type="multipart/form-data")
    assert bad.status_code == 400 and "Row 2" in bad.get_data(as_text=True)
    none = client.post("/audit/access?lang=en", data={"csrf_token": token}, content_type="multipart/form-data")
    assert none.status_code == 400


def test_printable_report_has_date_as_of_and_print_css(client, loaded):
    html = client.get("/audit/report?lang=en").get_data(as_text=True)
    assert "@page { size: A4" in html and "@media print" in html
    assert hangzhou_today().isoformat() in html and "data as of" in html
    for table in ("district-table", "discipline-matrix", "art6-list", "certificate-summary", "access-means",
                  "spread-table"):
        assert f'id="{table}"' in html


def test_every_page_works_on_an_empty_registry_and_with_no_supply(client, session):
    cache().clear()
    for url in PAGES + ["/audit/map?markers=1&figure=shared_pct", "/audit/access/map?kind=certification_scope&"
                        "discipline=acoustics", "/audit/export/spread.xlsx", "/audit/export/certificates.csv",
                        "/audit/export/access.xlsx", "/audit/export/disciplines.xlsx", "/audit/map?download=1"]:
        assert client.get(url).status_code == 200, url


def test_cached_booking_figures_follow_the_bookings(client, loaded, session):
    """A booking touches no facility or capability: the cache must still see it."""
    from sqlalchemy import select

    from registry.models import Booking, BookingEvent, Capability, Facility

    def xihu_requested():
        rows = list(csv.reader(io.StringIO(client.get("/audit/export/districts.csv?lang=en")
                                           .get_data().decode("utf-8-sig"))))
        return dict(zip(rows[0], next(r for r in rows if r[0] == "330106")))["Bookings requested"]

    assert xihu_requested() == "0"
    facility_pk, capability_pk = session.execute(
        select(Facility.id, Capability.id).join(Capability, Capability.facility_pk == Facility.id)
        .where(Facility.facility_id == "F0001").limit(1)).one()
    enterprise = user(session, "enterprise")
    booking = Booking(capability_pk=capability_pk, facility_pk=facility_pk, enterprise_id=enterprise.id,
                      org_name=enterprise.org_name, uscc=enterprise.uscc, service_date=hangzhou_today(), quantity=1,
                      description="-", contact_name="-", contact_phone="-", state="requested")
    session.add(booking)
    session.flush()
    session.add(BookingEvent(booking_id=booking.id, actor_role="enterprise", to_state="requested"))
    session.commit()
    assert xihu_requested() == "1"


def test_definitions_page_and_report_carry_formula_inputs_year_and_source(client, loaded):
    html = unescape(client.get("/audit/definitions?lang=en").get_data(as_text=True))
    assert 'id="definitions-table"' in html
    for key in ("population", "capabilities_per_100k", "e2sfca", "weighted_gini", "theil", "range", "demand"):
        assert f'data-key="{key}"' in html
    assert "× 100,000 / P_d" in html and "years mixed" in html and "23,763" in html
    assert "第七次全国人口普查公报" in html
    assert "urban core (Shangcheng, Gongshu, Xihu, Binjiang: the four central districts, including Xihu's " \
           "Zhuantang and Shuangpu outside the ring expressway)" in html
    assert "主城区（上城区、拱墅区、西湖区、滨江区：四个中心城区，含位于绕城高速以外的西湖区转塘、双浦）" in \
        unescape(client.get("/audit/definitions").get_data(as_text=True))
    report = unescape(client.get("/audit/report?lang=en").get_data(as_text=True))
    assert 'id="report-definitions"' in report and 'data-key="e2sfca"' in report
    assert "Resident population by district · residents · 2020" in report  # the demand the report used


def test_weighted_spread_is_shown_beside_the_unweighted(client, loaded):
    html = client.get("/audit/?lang=en").get_data(as_text=True)
    assert 'id="spread-table"' in html and 'id="weighted-spread-table"' in html
    assert "Weighted Gini without one district" in html


def test_sensitivity_table_and_difference_map(client, loaded):
    html = client.get("/audit/access/sensitivity?lang=en").get_data(as_text=True)
    assert 'id="sensitivity-table"' in html
    for decay in ("gaussian", "step", "linear"):
        for km in (10, 20, 30, 45):
            assert f'data-decay="{decay}" data-km="{km}"' in html
    page = client.get("/audit/access?lang=en&vs_catchment_km=10&vs_decay=step").get_data(as_text=True)
    assert "The map shows this setting minus 10 km" in page and "vs_catchment_km=10" in page
    diff = client.get("/audit/access/map?lang=en&vs_catchment_km=10&vs_decay=step").get_data(as_text=True)
    same = client.get("/audit/access/map?lang=en").get_data(as_text=True)
    assert "Difference in accessibility" in diff and "Difference in accessibility" not in same
    assert "demand: Resident population by district" in same
    assert client.get("/audit/access/map?vs_decay=cubic").status_code == 400
    assert client.get("/audit/access?core_km=500").status_code == 400


def test_demand_layer_upload_choose_and_remove(client, loaded, session):
    lon, lat = point_in("330109")
    assert 'id="import-layer-link"' in client.get("/audit/access").get_data(as_text=True)
    assert 'id="layer-form"' in client.get("/audit/access/layers").get_data(as_text=True)
    token = csrf_token(client, "/audit/access/layers")
    response = client.post("/audit/access/layers?lang=en", data={
        "layer": (io.BytesIO(f"lon,lat,weight\n{lon},{lat},40\n".encode()), "firms.csv"), "name": "萧山规上企业",
        "kind": "enterprises", "year": "2024", "source": "区统计局", "csrf_token": token},
        content_type="multipart/form-data")
    assert response.status_code == 302
    from registry.models import DemandLayer
    layer = session.query(DemandLayer).one()
    html = client.get(f"/audit/access?lang=en&demand={layer.id}").get_data(as_text=True)
    assert "Demand: 萧山规上企业 · enterprises · 2024 (区统计局)" in html and f"demand={layer.id}" in html
    means = client.get(f"/audit/export/access.csv?demand={layer.id}").get_data().decode("utf-8-sig")
    assert means
    bad = client.post("/audit/access/layers?lang=en", data={
        "layer": (io.BytesIO(b"lon,lat,weight\n120.1,30.2,1\n"), "firms.csv"), "name": "x", "kind": "tourists",
        "year": "2024", "source": "s", "csrf_token": token}, content_type="multipart/form-data")
    assert bad.status_code == 400 and "kind of demand" in bad.get_data(as_text=True)
    assert client.get("/audit/access?demand=999&lang=en").status_code == 400
    assert client.post(f"/audit/access/layers/{layer.id}/delete", data={"csrf_token": token}).status_code == 302
    assert session.query(DemandLayer).count() == 0


def test_a_district_auditor_may_not_import_demand_layers(app, session, loaded):
    client = app.test_client()
    login(client, user(session, "auditor", district_code="330109"))
    token = csrf_token(client, "/audit/access")
    assert client.get("/audit/access/layers").status_code == 403
    assert 'id="import-layer-link"' not in client.get("/audit/access").get_data(as_text=True)
    response = client.post("/audit/access/layers", data={
        "layer": (io.BytesIO(b"lon,lat,weight\n120.1,30.2,1\n"), "firms.csv"), "name": "x", "kind": "other",
        "year": "2024", "source": "s", "csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 403


def test_new_audit_pages_are_chinese_first(client, loaded):
    html = client.get("/audit/definitions").get_data(as_text=True)
    assert "监管指标定义" in html and "可达性（E2SFCA）" in html and "Definitions of the audit figures" not in html
    html = client.get("/audit/access").get_data(as_text=True)
    assert "需求图层" in html and "市界外供给" in html and "分区县常住人口" in html
    assert "可达性对服务半径和距离衰减的敏感性" in client.get("/audit/access/sensitivity").get_data(as_text=True)


def test_exports_say_what_demand_and_setting_they_used(client, loaded):
    rows = list(csv.reader(io.StringIO(client.get("/audit/export/access.csv?lang=en&catchment_km=20")
                                       .get_data().decode("utf-8-sig"))))
    assert rows[0][-2:] == ["Demand", "Setting"]
    assert rows[1][-2].startswith("Resident population by district") and "20 km" in rows[1][-1]
    weighted = list(csv.reader(io.StringIO(client.get("/audit/export/spread_weighted.csv?lang=en")
                                           .get_data().decode("utf-8-sig"))))
    assert weighted[0][:3] == ["Figure", "Gini", "Weighted Gini"] and len(weighted) == 3


def test_outside_supply_upload(client, loaded):
    token = csrf_token(client, "/audit/access/layers")
    before = client.get("/audit/export/access.csv?lang=en").get_data().decode("utf-8-sig")
    data = "name,lon,lat,kind,weight\n德清县检测中心,119.98,30.56,testing,5\n".encode()
    response = client.post("/audit/access/outside?lang=en", data={
        "outside": (io.BytesIO(data), "outside.csv"), "source": "省名录", "year": "2025", "csrf_token": token},
        content_type="multipart/form-data")
    assert response.status_code == 302
    html = client.get("/audit/access/layers?lang=en").get_data(as_text=True)
    assert "省名录" in html and 'id="outside-form"' in html
    assert client.get("/audit/export/access.csv?lang=en").get_data().decode("utf-8-sig") != before
    assert "德清" not in client.get("/audit/export/districts.csv?lang=en").get_data().decode("utf-8-sig")
    inside = client.post("/audit/access/outside?lang=en", data={
        "outside": (io.BytesIO(f"lon,lat,kind,weight\n{point_in('330106')[0]},{point_in('330106')[1]},testing,1\n"
                               .encode()), "o.csv"), "source": "x", "csrf_token": token},
        content_type="multipart/form-data")
    assert inside.status_code == 400 and "inside Hangzhou" in inside.get_data(as_text=True)


def test_art6_export_writes_kind_and_ownership_as_people_write_them(client, loaded):
    """They were the stored keys (testing, state) under Chinese headers before issue 14's exports."""
    rows = list(csv.reader(io.StringIO(client.get("/audit/export/art6.csv").get_data().decode("utf-8-sig"))))
    assert rows[0][3:5] == ["机构类型", "性质"]
    hostile = next(r for r in rows if r[1] == "F0007")
    assert hostile[3:5] == ["检验检测机构", "国有"]
    sheet = load_workbook(io.BytesIO(client.get("/audit/export/art6.xlsx").data)).active
    assert ["检验检测机构", "国有"] in [[c.value for c in row[3:5]] for row in sheet.iter_rows()]
    english = list(csv.reader(io.StringIO(client.get("/audit/export/art6.csv?headers=en")
                                          .get_data().decode("utf-8-sig"))))
    assert english[0][3:5] == ["Kind", "Ownership"]
    assert next(r for r in english if r[1] == "F0007")[3:5] == ["testing", "state"]


EXPORTS = [*(f"/audit/export/{name}.csv" for name in ("districts", "disciplines", "art6", "certificates",
                                                      "certificate_summary", "certificate_facilities", "access",
                                                      "spread", "spread_weighted")), "/audit/unmet/export.csv"]


@pytest.mark.parametrize("url", EXPORTS)
def test_every_audit_export_speaks_one_language_chinese_by_default(client, loaded, url):
    from tests.web.test_one_language import data_strings, leaks

    def cells(query=""):
        text = client.get(url + query).get_data().decode("utf-8-sig")
        return "\n".join(cell for row in csv.reader(io.StringIO(text)) for cell in row)

    chinese, english = cells(), cells("?headers=en")
    assert not leaks(chinese, "zh", data_strings(loaded, "zh")), url
    assert english != chinese and not leaks(english, "en", data_strings(loaded, "en")), url
