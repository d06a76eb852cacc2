"""The home page, the language switch and the error contract."""
from tests.factories import facility, run, write_dataset


def test_home_page_is_chinese_first_and_counts_per_district(client, session, tmp_path):
    run(session, write_dataset(tmp_path, [facility(1), facility(2, kind="metrology")]))
    page = client.get("/").get_data(as_text=True)
    assert "杭州市质量基础设施登记平台" in page
    assert "共登记 2 家机构" in page
    assert "西湖区" in page


def test_english_on_request_and_the_choice_sticks(client, session):
    response = client.get("/lang/en?next=/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Hangzhou Quality Infrastructure Registry" in page and "Xihu" in page


def test_demo_records_are_announced_as_demo_data(app, client, session):
    app.test_cli_runner().invoke(args=["seed"])
    assert "演示数据：所示机构中有 300 家为虚构示例" in client.get("/").get_data(as_text=True)
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Demonstration data: 300 of the facilities shown are invented examples" in english


def test_no_demo_notice_for_real_data(client, session, tmp_path):
    run(session, write_dataset(tmp_path, [facility(1)]))
    assert "演示数据" not in client.get("/").get_data(as_text=True)


def test_language_switch_refuses_to_redirect_elsewhere(client, session):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.get("/lang/zh", query_string={"next": target})
        assert response.headers["Location"] == "/"


def test_unknown_page_is_a_404_page_in_html_and_an_envelope_in_json(client, session):
    html = client.get("/no/such/page")
    assert html.status_code == 404 and "<h1>404</h1>" in html.get_data(as_text=True)
    data = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert data.status_code == 404
    assert data.get_json()["error"]["code"] == "not_found"


def test_the_site_icon_is_served_at_favicon_ico_and_linked_from_every_page(client, session):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert icon.mimetype in ("image/vnd.microsoft.icon", "image/x-icon") and icon.cache_control.max_age > 0
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.ico"' in html
    assert client.get("/static/favicon.ico").data == icon.data
