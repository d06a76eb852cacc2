"""The search page says what the forgiving reading did, beside the main box, and shows a range as one chip."""
from urllib.parse import quote


def test_a_value_typed_in_the_main_box_is_said_beside_it_and_is_one_chip(client, registry):
    html = client.get("/search?q=" + quote("压力 50兆帕")).get_data(as_text=True)
    assert 'data-field="q"' in html and "量程覆盖 50 MPa" in html
    assert "西湖计量所" in html and "杭州电缆检测中心" not in html
    chips = html[html.index('class="chips"'):]
    chips = chips[:chips.index("</div>")]
    assert chips.count("量程覆盖 50 MPa") == 1


def test_the_range_fields_are_one_chip_whose_removal_keeps_the_keywords(client, registry):
    html = client.get("/search?q=" + quote("压力") + "&quantity=" + quote("压力") + "&value=50&unit=MPa"
                      ).get_data(as_text=True)
    chips = html[html.index('class="chips"'):]
    chips = chips[:chips.index("</div>")]
    assert chips.count("×") == 2  # the keywords and the range
    assert "压力 · 量程覆盖 50 MPa" in chips
    assert f'href="/search?q={quote("压力")}"' in chips


def test_a_loosely_typed_standard_is_searched_and_said(client, registry):
    html = client.get("/search?q=GB3048.4").get_data(as_text=True)
    assert "已改为搜索 GB/T3048.4" in html and "杭州电缆检测中心" in html
    html = client.get("/search?q=GB3048.9&lang=en").get_data(as_text=True)
    assert "Did you mean GB/T3048.4, GB/T3048.5?" in html
