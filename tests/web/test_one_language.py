"""One language at a time: every page (each GET route of the URL map, as every role that may see it, with
seeded data: facilities, a published scope, a booking, a change log, an upload with problems, an API key, an
admin action) in
Chinese shows no English word outside an allow-list of proper names, codes and units, and in English no
Chinese outside the data. The data (names, addresses, descriptions typed by people) is taken out first."""
import functools
import itertools
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from registry.clock import today
from registry.models import (
    ApiKey,
    Booking,
    Capability,
    Change,
    ChangeSet,
    Facility,
    PendingRegistration,
    UploadJob,
    User,
)
from registry.services.accounts.api_keys import create_key
from registry.services.booking.workflow import request_booking, transition
from registry.services.records.scope_import import import_scope
from tests.factories import (
    bookable_dataset,
    booking_request,
    capability,
    capability_of,
    facility,
    login,
    mailed_path,
    post_form,
    run,
    user,
    write_dataset,
)
from tests.services.test_scope_examples import path_of

# Endpoints that answer a file, JSON, a redirect or the vendor's Swagger UI (English by design, for developers)
NOT_PAGES = {"static", "pages.set_language", "audit.export", "workspace.export", "bookings.booking_ics",
             "bookings.feed", "admin.upload_rejects", "admin.upload_progress", "maps.districts",
             "maps.facility_points", "auth.logout", "admin.index", "ops.healthz", "ops.readyz", "ops.metrics_text",
             "pages.favicon"}
# Latin words a Chinese reader meets as they are: marks, codes, formats, units, product names
LATIN_ALLOWED = {
    "CMA", "CNAS", "CNCA", "CSV", "XLSX", "HTML", "ISO", "IEC", "GB", "JJG", "JJF", "API", "JSON", "ICS",
    "English", "Leaflet", "OpenStreetMap", "WGS", "GCJ", "BD", "CGCS", "km", "kPa", "MPa", "mm", "kg", "Gini",
    "Theil", "E2SFCA", "lon", "lat", "weight", "Gauss", "Krüger", "AMap", "Tencent", "Baidu", "GPS", "crs",
    "wgs84", "gcj02", "bd09", "OpenAPI", "URL", "ln", "Excel", "HTTPS", "ID", "CNY", "SFCA", "Fisher-Jenks",
    "ics", "xlsx", "UTF",
    # columns and values a demand or outside-supply file must carry, as the reader types them
    "GeoJSON", "count", "kind", "name", "discipline", "certification", "metrology", "testing",
    # the audit's cited methods and sources: authors, software, projections, and a formula's subscript
    "Albers", "EPSG", "PySAL", "inequality", "cnmaps", "Dai", "Lerman", "Luo", "Qi", "Shorrocks", "Wang",
    "Yitzhaki", "ij",
}
# Chinese an English reader meets on purpose: the language switch and examples of what to type
CJK_ALLOWED = ["中文", "导体直流电阻", "统一社会信用代码", "压力", "天地图", "创新券",
               # the census the audit cites by its title, and the township units a demand file is counted in
               "杭州市第七次全国人口普查公报", "七普", "街道", "乡镇"]
LATIN_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'-]*[A-Za-zÀ-ÿ]")
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3001-\u303f]+")
SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


class VisibleText(HTMLParser):
    """The text a reader sees: text nodes outside script/style/code, and placeholders, titles and labels;
    an element marked as being in another language (lang="en" on a Chinese page) is data, left out."""

    def __init__(self, page_lang: str):
        super().__init__()
        self.page_lang, self.parts, self.skip = page_lang, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        other_lang = attrs.get("lang") and not attrs["lang"].startswith(self.page_lang) and tag != "html"
        if tag in ("script", "style", "code", "textarea") or other_lang:
            self.skip.append(tag)
        elif self.skip and tag == self.skip[-1]:
            self.skip.append(tag)
        if not self.skip:
            self.parts.extend(attrs[a] for a in SHOWN_ATTRIBUTES if attrs.get(a))

    def handle_endtag(self, tag):
        if self.skip and tag == self.skip[-1]:
            self.skip.pop()

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str, lang: str) -> str:
    parser = VisibleText(lang)
    parser.feed(html)
    return "\n".join(p.strip() for p in parser.parts if p.strip())


def leaks(text: str, lang: str, data: list[str]) -> set[str]:
    for value in data:  # longest first: the data people typed is theirs, in whatever language
        text = data_pattern(value).sub(" ", text)
    if lang == "zh":
        return {w for w in LATIN_WORD.findall(text) if w not in LATIN_ALLOWED}
    for term in CJK_ALLOWED:
        text = text.replace(term, " ")
    return set(CJK.findall(text)) - {"（", "）", "，", "：", "、"}


@functools.cache
def data_pattern(value: str) -> re.Pattern:
    """`value` where it stands on its own: a user named "test" does not take the "test" out of "testing"."""
    before = r"(?<![A-Za-z])" if value[0].isascii() and value[0].isalpha() else ""
    after = r"(?![A-Za-z])" if value[-1].isascii() and value[-1].isalpha() else ""
    return re.compile(before + re.escape(value) + after)


@pytest.fixture
def seeded(app, session, tmp_path, client, monkeypatch):
    """Facilities with bookable capabilities, a booking with a history, accounts of every role, an API key,
    an admin action, and an upload whose preview lists problems."""
    paths = write_dataset(tmp_path / "more", [facility(3, name="西湖计量所", kind="metrology")],
                          [capability(3, 1, kind="measurement_standard", name="活塞式压力计标准装置",
                                      discipline="mechanics", standards="JJG 59-2007", quantity="压力",
                                      range_min="100", range_max="60000", unit="kPa",
                                      certificate_no="[2019]浙量标杭法证字第001号", valid_until="2020-01-01")])
    run(session, bookable_dataset(tmp_path, facilities=2))
    run(session, paths)
    import_scope(session, path_of("cma"), "F0001", actor="test")  # methods, limitations, remarks, 面议, 暂停
    people = {"enterprise": user(session, "enterprise", name="王小明"),
              "operator": user(session, "operator", name="赵主任", facility_ids=["F0001"]),
              "auditor": user(session, "auditor", name="钱科长"),
              "admin": user(session, "admin", name="孙管理员")}
    cap = capability_of(session)
    booking = request_booking(session, people["enterprise"], booking_request(cap, today().fromordinal(
        today().toordinal() + 10)), today=today())
    transition(session, booking, people["operator"], "accept", expected_version=booking.version)
    create_key(session, "合作平台", "read,book")
    session.commit()
    login(client, people["admin"])
    post_form(client, "/admin/users", {"email": "new@example.cn", "name": "新用户", "role": "auditor"})
    bad = write_dataset(tmp_path / "bad", [facility(9, kind="lab", uscc="91330100MA2B3C4D5X")],
                        [capability(9, 1, price_cny="about 300")])
    files = [(open(p, "rb"), p.name) for p in bad]
    post_form(client, "/admin/uploads", {"files": files}, content_type="multipart/form-data")
    client.post("/logout", data={})
    # counters of their own (the limit is part of the key): the sign-up limit of other tests is not used up here
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT", "1000 per hour")
    monkeypatch.setitem(app.config, "PASSWORD_RESET_RATE_LIMIT", "1000 per hour")
    post_form(client, "/register", {"org_name": "杭州待确认有限公司", "uscc": people["enterprise"].uscc, "name": "周工",
                                    "email": "pending@example.cn", "password": "correct horse battery",
                                    "confirm": "correct horse battery", "consent": "y"}, token_from="/register")
    post_form(client, "/password/forgot", {"email": people["enterprise"].email}, token_from="/password/forgot")
    return people


# Columns that hold a key of a closed vocabulary (or a code): not typed text, a page must name them
KEYED_COLUMNS = {"kind", "ownership", "level", "status", "district_code", "discipline", "service", "scope_layout",
                 "limitation_kind", "role", "state", "scopes"}


def data_strings(session, lang: str) -> list[str]:
    """Every text a person typed or imported: taken out of the page before looking for leaks."""
    values = set()
    for model in (Facility, Capability, User, Booking, ApiKey, ChangeSet, PendingRegistration):
        for row in session.scalars(select(model)):
            for column in model.__table__.columns:
                if column.key in KEYED_COLUMNS:
                    continue
                value = getattr(row, column.key, None)
                if isinstance(value, str) and value.strip():
                    values.update({value, *value.split(";")})
    for job in session.scalars(select(UploadJob)):  # the uploaded file: its names and bad values are data, and
        values.update(job.files)                     # its problems are kept in the uploader's language
        for issue in (job.preview or {}).get("issues", []):
            values.add(str(issue.get("value") or ""))
            if job.lang != lang:
                values.add(str(issue.get("message") or ""))
    return sorted((v.strip() for v in values if len(v.strip()) > 1), key=len, reverse=True)


def page_urls(app, session) -> list[str]:
    """Each GET route of the URL map with its parameters filled from the seeded data."""
    ids = {"facility_id": "F0001", "change_id": _first_id(session, "changes"),
           "booking_id": session.scalar(select(Booking.id)), "job_id": _first_id(session, "upload_jobs"),
           "capability_pk": capability_of(session).id, "code": "330106", "capability_id": "C0001",
           "kind": "register", "token": "not-a-token"}
    enterprise = session.scalar(select(User.email).where(User.role == "enterprise"))
    urls = [mailed_path(session, "pending@example.cn", "/register/confirm/"),  # the pages of mailed links
            mailed_path(session, enterprise, "/password/reset/")]
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or rule.endpoint.startswith("api"):
            continue
        values = {name: ids[name] for name in rule.arguments if name in ids}
        if len(values) < len(rule.arguments):
            continue
        urls.append(rule.build(values, append_unknown=False)[1])
    return sorted(set(urls))


def _first_id(session, table: str):
    from sqlalchemy import text
    return session.execute(text(f"SELECT min(id) FROM {table}")).scalar()  # noqa: S608 (a name of ours)


def test_every_page_speaks_one_language(app, client, session, seeded):
    urls = page_urls(app, session)
    assert len(urls) > 25
    data = {lang: data_strings(session, lang) for lang in ("zh", "en")}
    found, seen = {}, 0
    for lang, role in itertools.product(("zh", "en"), (None, "enterprise", "operator", "auditor", "admin")):
        client.post("/logout", data={})
        client.delete_cookie("session")
        if role:
            login(client, seeded[role])
        for url in urls:
            response = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
            if response.status_code in (301, 302, 303) or "html" not in response.content_type:
                continue
            seen += 1
            for word in leaks(visible_text(response.get_data(as_text=True), lang), lang, data[lang]):
                found.setdefault((lang, url.split("?")[0]), set()).add(word)
    assert seen > 100
    assert not found, "\n".join(f"{lang} {url}: {sorted(words)}" for (lang, url), words in sorted(found.items()))


def test_a_wrong_uscc_check_character_is_explained_in_the_pages_language(client, session):
    data = {"org_name": "杭州测试电缆有限公司", "uscc": "91330106MA2X00000X", "name": "李工", "email": "li@cable.cn",
            "password": "correct horse battery", "confirm": "correct horse battery"}
    chinese = post_form(client, "/register", data, token_from="/register").get_data(as_text=True)
    assert "统一社会信用代码" in chinese and "末位校验码错误" in chinese
    assert "final check character" not in chinese
    english = post_form(client, "/register?lang=en", data, token_from="/register").get_data(as_text=True)
    assert "the final check character is wrong" in english


def test_the_forbidden_page_speaks_the_readers_language(client, session):
    login(client, user(session, "enterprise"))
    chinese = client.get("/audit/?lang=zh")
    assert chinese.status_code == 403
    assert "您的账号无权查看此页面" in chinese.get_data(as_text=True)
    assert "permission" not in chinese.get_data(as_text=True)
    assert "Your account may not see this page." in client.get("/audit/?lang=en").get_data(as_text=True)


def test_roles_and_scopes_are_named_not_keyed(client, session):
    login(client, user(session, "admin"))
    users_page = client.get("/admin/users?lang=zh").get_data(as_text=True)
    assert '<option value="operator">机构操作员</option>' in users_page
    assert ">operator<" not in users_page and ">auditor<" not in users_page
    keys_page = client.get("/admin/keys?lang=zh").get_data(as_text=True)
    assert "读取：检索和查看机构与能力" in keys_page and "审计：" in keys_page


def test_a_capability_change_names_the_capability_columns_and_the_scope_fields(client, session, tmp_path):
    """A capability's name is 名称, not the facility's 机构名称; a published scope's fields and values have names
    (检测对象/测量仪器, 服务方式 检测, 价格面议 是) and its methods read as written, not as a dict."""
    run(session, bookable_dataset(tmp_path, facilities=1))
    import_scope(session, path_of("cma"), "F0001", actor="test")
    session.commit()
    login(client, user(session, "admin"))
    change = session.scalar(select(Change).where(Change.capability_id.like("S-%"), Change.action == "create")
                            .order_by(Change.id))
    rows = visible_text(client.get(f"/admin/changes/{change.id}?lang=zh").get_data(as_text=True), "zh")
    for name, value in (("能力类型", "检验检测项目"), ("名称", "建筑材料（演示） 胶砂强度"), ("服务方式", "检测"),
                        ("能力范围格式", "CMA 资质认定附表"), ("价格面议", "是"),
                        ("检测方法", "GB/T 17671-2021 水泥胶砂强度检验方法（ISO法）")):
        assert f"\n{name}\n{value}\n" in rows, (name, rows)
    assert "机构名称" not in rows and "None" not in rows and "{" not in rows
    form = client.get("/admin/facilities/F0001/capabilities/C0001/edit?lang=zh").get_data(as_text=True)
    assert '<label for="f-name">名称</label>' in form and '<label for="f-kind">能力类型</label>' in form
