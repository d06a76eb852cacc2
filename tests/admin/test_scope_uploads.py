"""A facility's published scope uploaded on the web (issue 12 item 2): an upload job of kind `scope` with the
lifecycle of every upload: a dry preview of every item, Apply in one change set, the admin for any facility and
an operator for their own only."""
import io
import time

import pytest
from sqlalchemy import func, select

from registry.models import Change, ChangeSet, Facility, UploadJob
from registry.services.records.scope_import import scope_items
from tests.admin.conftest import refresh
from tests.factories import csrf_token, row_counts
from tests.services.test_scope_examples import EXPECTED, path_of
from tests.web.test_one_language import leaks, visible_text

CNAS_HEADER = ["序号,检测对象,项目/参数,,检测标准（方法）名称及编号（含年号）,限制范围,说明", ",,序号,名称,,,"]


def upload_scope(client, path, facility_id="F0001", **form):
    data = {"file": (io.BytesIO(path.read_bytes()), path.name), "facility_id": facility_id,
            "csrf_token": csrf_token(client, "/admin/uploads/scope"), **form}
    return client.post("/admin/uploads/scope", data=data, content_type="multipart/form-data")


def latest_job(session) -> UploadJob | None:
    session.rollback()
    return session.scalars(select(UploadJob).order_by(UploadJob.id.desc())).first()


def confirm(client, job):
    return client.post(f"/admin/uploads/{job.id}/confirm",
                       data={"csrf_token": csrf_token(client, f"/admin/uploads/{job.id}")})


def write_csv(path, lines, encoding="utf-8"):
    path.write_bytes("\n".join(lines).encode(encoding) + b"\n")
    return path


def jobs(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(UploadJob))


def test_admin_previews_every_item_of_a_cnas_testing_scope_and_nothing_is_written(admin_client, session,
                                                                                   registry_with_two):
    before = row_counts(session)
    response = upload_scope(admin_client, path_of("cnas-testing"))
    assert response.status_code == 302
    job = latest_job(session)
    assert (job.kind, job.facility_id, job.status) == ("scope", "F0001", "previewed")
    preview = job.preview
    assert preview["counts"]["capabilities"] == {"created": 8, "updated": 0, "unchanged": 0, "deleted": 0}
    assert [(i["object"], i["parameter"], i["seq"]) for i in preview["items"]["created"]] == [
        (i.object, i.parameter, i.seq) for i in EXPECTED["cnas-testing"]]
    first = preview["items"]["created"][0]
    assert first["methods"] == ["《电线电缆电性能试验方法 第4部分：导体直流电阻试验》GB/T 3048.4-2007"]
    assert (first["sheet"], first["row"]) == ("附件1 检测能力", 5)
    assert set(preview["layouts"].values()) == {"cnas-testing"}
    assert row_counts(session) == before  # the dry run wrote nothing
    page = admin_client.get(f"/admin/uploads/{job.id}").get_data(as_text=True)
    assert "新增的条目 (8)" in page and "导体直流电阻" in page and 'id="confirm"' in page
    assert '<span class="badge expired">暂停</span>' in page  # the suspended item is marked


def test_apply_writes_the_previewed_items_in_one_change_set(admin_client, admin, session, registry_with_two):
    upload_scope(admin_client, path_of("cnas-testing"))
    job = latest_job(session)
    sets_before = session.scalar(select(func.count()).select_from(ChangeSet))
    assert confirm(admin_client, job).status_code == 302
    job = latest_job(session)
    assert job.status == "applied" and job.change_set_id
    assert session.scalar(select(func.count()).select_from(ChangeSet)) == sets_before + 1
    change_set = session.get(ChangeSet, job.change_set_id)
    assert change_set.actor == f"user:{admin.email}" and change_set.source == "import-scope cnas_testing.xlsx"
    assert session.scalar(select(func.count()).select_from(Change).where(Change.change_set_id == job.change_set_id)) \
        == 8
    assert scope_items(session, "F0001") == EXPECTED["cnas-testing"]
    page = admin_client.get("/facilities/F0001").get_data(as_text=True)
    assert "导体直流电阻" in page and "只测：≤35 kV" in page
    assert 'id="facility-link"' in admin_client.get(f"/admin/uploads/{job.id}").get_data(as_text=True)


def test_uploading_the_same_scope_again_leaves_every_item_unchanged(admin_client, session, registry_with_two):
    upload_scope(admin_client, path_of("cnas-calibration"), "F0002")
    confirm(admin_client, latest_job(session))
    before = row_counts(session)
    upload_scope(admin_client, path_of("cnas-calibration"), "F0002")
    job = latest_job(session)
    n = len(EXPECTED["cnas-calibration"])
    assert job.preview["counts"]["capabilities"] == {"created": 0, "updated": 0, "unchanged": n, "deleted": 0}
    assert len(job.preview["items"]["unchanged"]) == n
    page = admin_client.get(f"/admin/uploads/{job.id}").get_data(as_text=True)
    assert 'id="nothing"' in page and 'id="confirm"' not in page
    assert confirm(admin_client, job).status_code == 400  # nothing to apply
    assert row_counts(session) == before


def newer_scope(tmp_path):
    """F0001's scope of three items, then a newer one: 1.1 unchanged, 1.2 with another method, 1.3 gone, 2.1 new.
    (Both named scope.csv: a CSV's one sheet is named after its file.)"""
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    first = write_csv(tmp_path / "old" / "scope.csv", [
        *CNAS_HEADER,
        "1,电线电缆（演示）,1.1,导体直流电阻,GB/T 3048.4-2007,,",
        ",,1.2,绝缘电阻,GB/T 3048.5-2007,,",
        ",,1.3,耐压试验,GB/T 3048.8-2007,,"])
    second = write_csv(tmp_path / "new" / "scope.csv", [
        *CNAS_HEADER,
        "1,电线电缆（演示）,1.1,导体直流电阻,GB/T 3048.4-2007,,",
        ",,1.2,绝缘电阻,\"GB/T 3048.5-2007\nIEC 60335-1:2020\",,扩项",
        "2,食品（演示）,2.1,水分,食品中水分的测定 GB 5009.3-2016 第一法,,"])
    return first, second


def test_a_newer_scope_updates_adds_and_removes_with_the_prune_box_in_one_change_set(admin_client, session,
                                                                                      registry_with_two, tmp_path):
    first, second = newer_scope(tmp_path)
    upload_scope(admin_client, first)
    confirm(admin_client, latest_job(session))
    upload_scope(admin_client, second)  # without the box: nothing is removed
    kept = latest_job(session)
    assert kept.preview["counts"]["capabilities"] == {"created": 1, "updated": 1, "unchanged": 1, "deleted": 0}
    admin_client.post(f"/admin/uploads/{kept.id}/cancel",
                      data={"csrf_token": csrf_token(admin_client, f"/admin/uploads/{kept.id}")})
    upload_scope(admin_client, second, prune="yes")
    job = latest_job(session)
    assert job.prune and job.preview["counts"]["capabilities"] == {
        "created": 1, "updated": 1, "unchanged": 1, "deleted": 1}
    (updated,) = job.preview["items"]["updated"]
    changes = {c["field"]: (c["before"], c["after"]) for c in updated["changes"]}
    assert changes["methods"] == (["GB/T 3048.5-2007"], ["GB/T 3048.5-2007", "IEC 60335-1:2020"])
    assert changes["remarks"] == ("", "扩项")
    assert [i["parameter"] for i in job.preview["items"]["deleted"]] == ["耐压试验"]
    page = admin_client.get(f"/admin/uploads/{job.id}").get_data(as_text=True)
    assert "删除的条目 (1)" in page and "IEC 60335-1:2020" in page and "<del>" in page
    confirm(admin_client, job)
    job = latest_job(session)
    assert job.status == "applied"
    actions = sorted(session.scalars(select(Change.action).where(Change.change_set_id == job.change_set_id)))
    assert actions == ["create", "delete", "update"]
    assert [i.parameter for i in scope_items(session, "F0001")] == ["导体直流电阻", "绝缘电阻", "水分"]


def test_operator_uploads_the_scope_of_their_own_facility(operator_client, session):
    page = operator_client.get("/admin/uploads/scope").get_data(as_text=True)
    assert '<option value="F0001"' in page and '<option value="F0002"' not in page
    assert upload_scope(operator_client, path_of("cma"), "F0001").status_code == 302
    job = latest_job(session)
    assert job.status == "previewed"
    confirm(operator_client, job)
    assert latest_job(session).status == "applied"
    assert scope_items(session, "F0001") == EXPECTED["cma"]


def test_operator_is_refused_another_facilitys_scope_even_by_a_crafted_post(operator_client, session, upload_dir):
    before = row_counts(session)
    response = upload_scope(operator_client, path_of("cma"), "F0002")
    assert response.status_code == 403
    assert "您只能上传本人所在机构的能力范围" in response.get_data(as_text=True)
    assert upload_scope(operator_client, path_of("cma"), "F9999").status_code == 403  # unknown ids alike
    assert jobs(session) == 0 and not any(upload_dir.glob("*/*"))
    assert row_counts(session) == before


def test_an_admin_naming_no_facility_or_an_unknown_one_is_told(admin_client, session, registry_with_two):
    assert upload_scope(admin_client, path_of("cma"), "").status_code == 400
    response = upload_scope(admin_client, path_of("cma"), "F9999")
    assert response.status_code == 404 and "F9999" in response.get_data(as_text=True)
    assert jobs(session) == 0


def test_a_file_whose_layout_is_not_recognised_is_refused_naming_the_header_it_saw(admin_client, session,
                                                                                   registry_with_two, tmp_path):
    path = write_csv(tmp_path / "other.csv", ["序号,名称,数量", "1,螺丝,3"])
    response = upload_scope(admin_client, path)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "无法识别能力范围的表头格式" in text and "序号 | 名称 | 数量" in text
    assert jobs(session) == 0


def test_a_layout_chosen_that_the_header_does_not_fit_is_refused(admin_client, session, registry_with_two):
    response = upload_scope(admin_client, path_of("cnas-testing"), layout="standards")
    assert response.status_code == 400 and "表头与指定的格式 standards 不符" in response.get_data(as_text=True)
    assert upload_scope(admin_client, path_of("cnas-testing"), layout="evil").status_code == 400
    assert jobs(session) == 0


def test_a_layout_chosen_is_kept_and_used(admin_client, session, registry_with_two):
    upload_scope(admin_client, path_of("standards"), "F0002", layout="standards")
    job = latest_job(session)
    assert job.layout == "standards" and job.status == "previewed"
    assert job.preview["counts"]["capabilities"]["created"] == len(EXPECTED["standards"])


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_a_csv_scope_in_gb18030_or_utf8_reads_the_same(admin_client, session, registry_with_two, tmp_path, encoding):
    _first, second = newer_scope(tmp_path)
    path = write_csv(tmp_path / "gbk.csv", second.read_text().splitlines(), encoding)
    upload_scope(admin_client, path)
    job = latest_job(session)
    assert job.status == "previewed"
    assert [i["parameter"] for i in job.preview["items"]["created"]] == ["导体直流电阻", "绝缘电阻", "水分"]


def test_the_registry_changing_after_the_preview_writes_nothing(admin_client, session, registry_with_two, tmp_path):
    upload_scope(admin_client, path_of("cma"))
    job = latest_job(session)
    upload_scope(admin_client, path_of("standards"), "F0002")
    confirm(admin_client, latest_job(session))  # someone else's change after our preview
    before = row_counts(session)
    confirm(admin_client, job)
    assert latest_job(session).status == "applied"  # (the other one)
    refresh(session)
    assert session.get(UploadJob, job.id).status == "stale"
    assert row_counts(session) == before


def test_a_large_scope_is_previewed_and_applied_in_the_background(admin_client, session, app, monkeypatch,
                                                                 registry_with_two):
    monkeypatch.setitem(app.config, "UPLOAD_BACKGROUND_BYTES", 0)
    upload_scope(admin_client, path_of("cnas-testing"))
    job = wait_for(session, "previewed")
    assert admin_client.get(f"/admin/uploads/{job.id}/progress").get_json()["status"] == "previewed"
    confirm(admin_client, job)
    wait_for(session, "applied")
    assert scope_items(session, "F0001") == EXPECTED["cnas-testing"]


def test_a_scope_goes_to_the_background_ten_times_sooner_than_a_data_set(admin_client, session, app, monkeypatch,
                                                                         registry_with_two):
    size = path_of("cnas-testing").stat().st_size
    monkeypatch.setitem(app.config, "UPLOAD_WORKER", "command")
    monkeypatch.setitem(app.config, "UPLOAD_BACKGROUND_BYTES", size * 5)
    upload_scope(admin_client, path_of("cnas-testing"))
    assert latest_job(session).status == "queued"  # left to `flask upload work`
    result = app.test_cli_runner().invoke(args=["upload", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert latest_job(session).status == "previewed"
    monkeypatch.setitem(app.config, "UPLOAD_BACKGROUND_BYTES", size * 10)
    upload_scope(admin_client, path_of("cma"), "F0002")
    assert latest_job(session).status == "previewed"  # small enough to be previewed in the request


def wait_for(session, status: str) -> UploadJob:
    for _ in range(400):
        job = latest_job(session)
        if job.status == status:
            return job
        assert job.status not in ("failed", "rejected"), job.message
        time.sleep(0.05)
    raise AssertionError(f"still {job.status}")


def test_links_lead_to_the_scope_upload_from_where_facilities_are_kept(admin_client, operator, session, app):
    facility_page = admin_client.get("/facilities/F0001").get_data(as_text=True)
    assert 'href="/admin/uploads/scope?facility=F0001"' in facility_page
    assert 'href="/admin/uploads/scope?facility=F0001"' in admin_client.get("/admin/facilities/F0001/edit").get_data(
        as_text=True)
    assert 'id="nav-scope-upload"' in admin_client.get("/admin/uploads").get_data(as_text=True)
    form = admin_client.get("/admin/uploads/scope?facility=F0001").get_data(as_text=True)
    assert '<option value="F0001" selected>' in form and '<option value="F0002">' in form
    assert "上传能力范围" in form and 'name="prune"' in form and 'accept=".xlsx,.csv"' in form


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_scope_pages_speak_one_language(admin_client, admin, session, registry_with_two, tmp_path, lang):
    """The form and a preview with items of every kind, warnings and problems, in the page's language only;
    what the file holds (names, methods, cells, sheet names) is data."""
    first, second = newer_scope(tmp_path)
    upload_scope(admin_client, first)
    confirm(admin_client, latest_job(session))
    path = write_csv(tmp_path / "new" / "scope.csv", [*second.read_text().splitlines(),
                                                       ",,2.2,灰分,见附件,,"])
    admin_client.get(f"/lang/{lang}")
    upload_scope(admin_client, path, prune="yes")
    job = latest_job(session)
    assert job.lang == lang and job.preview["issues"] and all(job.preview["items"].values())
    data = {*job.files, admin.name, *session.scalars(select(Facility.name))}
    data |= {i[key] for i in job.preview["issues"] for key in ("value", "file", "column")}
    for items in job.preview["items"].values():
        for item in items:
            data |= {item["object"], item["parameter"], item["seq"], *item["methods"], *item["ranges"], item["sheet"]}
            for change in item.get("changes", []):
                data |= {str(v) for v in (change["before"], change["after"]) if not isinstance(v, list)}
                data |= {*(change["before"] if isinstance(change["before"], list) else [])}
                data |= {*(change["after"] if isinstance(change["after"], list) else [])}
    data = sorted((d for d in data if d and len(d) > 1), key=len, reverse=True)
    for url in (f"/admin/uploads/{job.id}", "/admin/uploads/scope", "/facilities/F0001"):
        html = admin_client.get(url).get_data(as_text=True)
        assert not leaks(visible_text(html, lang), lang, data), url
