"""Upload: preview before anything is written, confirm applies exactly that, rejects as a workbook."""
import io
import time

from openpyxl import load_workbook
from sqlalchemy import select

from registry.models import Capability, Facility, UploadJob
from registry.services.records import uploads
from tests.factories import capability, csrf_token, facility, row_counts, write_dataset, write_workbook


def upload(client, paths, **form):
    files = [(io.BytesIO(p.read_bytes()), p.name) for p in paths]
    return client.post("/admin/uploads", data={"files": files, "csrf_token": csrf_token(client, "/admin/uploads"),
                                               **form}, content_type="multipart/form-data")


def latest_job(session) -> UploadJob:
    session.rollback()
    return session.scalars(select(UploadJob).order_by(UploadJob.id.desc())).first()


def test_preview_shows_created_updated_with_diff_and_writes_nothing(admin_client, session, registry_with_two, tmp_path):
    before = row_counts(session)
    paths = write_dataset(tmp_path / "up", [facility(1, name="改名检测中心"), facility(2), facility(3)],
                          [capability(3, 1)])
    response = upload(admin_client, paths)
    assert response.status_code == 302
    job = latest_job(session)
    assert job.status == "previewed"
    counts = job.preview["counts"]
    assert counts["facilities"] == {"created": 1, "updated": 1, "unchanged": 1}
    assert counts["capabilities"] == {"created": 1}
    update = job.preview["changes"]["facility.update"][0]
    assert update["facility_id"] == "F0001"
    assert update["before"] == {"name": "测试检测中心1"} and update["after"] == {"name": "改名检测中心"}
    assert row_counts(session) == before
    page = admin_client.get(f"/admin/uploads/{job.id}").get_data(as_text=True)
    assert "改名检测中心" in page and "测试检测中心1" in page and 'id="confirm"' in page


def test_confirm_applies_the_previewed_change(admin_client, session, registry_with_two, tmp_path):
    paths = write_dataset(tmp_path / "up", [facility(1, name="改名检测中心"), facility(3)])
    upload(admin_client, paths)
    job = latest_job(session)
    response = admin_client.post(f"/admin/uploads/{job.id}/confirm",
                                 data={"csrf_token": csrf_token(admin_client, f"/admin/uploads/{job.id}")})
    assert response.status_code == 302
    job = latest_job(session)
    assert job.status == "applied" and job.change_set_id
    names = dict(session.execute(select(Facility.facility_id, Facility.name)).all())
    assert names["F0001"] == "改名检测中心" and "F0003" in names


def test_confirm_writes_nothing_when_the_registry_changed_since_the_preview(admin_client, session,
                                                                           registry_with_two, tmp_path):
    upload(admin_client, write_dataset(tmp_path / "up", [facility(3)]))
    job = latest_job(session)
    from tests.factories import run
    assert run(session, write_dataset(tmp_path / "other", [facility(4)])).committed  # someone else writes
    before = row_counts(session)
    admin_client.post(f"/admin/uploads/{job.id}/confirm",
                      data={"csrf_token": csrf_token(admin_client, f"/admin/uploads/{job.id}")})
    assert latest_job(session).status == "stale"
    assert row_counts(session) == before


def test_rejects_workbook_lists_rejected_rows_with_their_errors_and_can_be_uploaded_again(
        admin_client, session, registry_with_two, tmp_path):
    paths = write_dataset(tmp_path / "up", [facility(3), facility(4, uscc="=HYPERLINK(\"http://x\")")])
    upload(admin_client, paths)
    job = latest_job(session)
    assert job.preview["error_count"] == 1
    response = admin_client.get(f"/admin/uploads/{job.id}/rejects.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["facilities"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "错误说明"  # first, next to the row's id (was the last column: issue 14)
    assert len(rows) == 2 and rows[1][1] == "F0004" and "uscc" in rows[1][0]
    uscc_cell = next(c for c in sheet[2] if c.value == '=HYPERLINK("http://x")')
    assert uscc_cell.data_type == "s"  # text, not a formula
    # Fixed in a spreadsheet and uploaded again: the row goes through.
    fixed = tmp_path / "fixed.xlsx"
    header = list(rows[0])
    record = dict(zip(header, rows[1]))
    record["uscc"] = facility(4)["uscc"]
    write_workbook(fixed, {"facilities": [record]})
    upload(admin_client, [fixed])
    again = latest_job(session)
    assert again.status == "previewed" and again.preview["error_count"] == 0
    assert again.preview["counts"]["facilities"]["created"] == 1


def test_large_upload_runs_in_the_background_with_progress(admin_client, session, app, monkeypatch,
                                                          registry_with_two, tmp_path):
    monkeypatch.setitem(app.config, "UPLOAD_BACKGROUND_BYTES", 0)
    caps = [capability(1, n) for n in range(1, 401)]
    upload(admin_client, write_dataset(tmp_path / "up", [], caps))
    job = latest_job(session)
    for _ in range(200):
        job = latest_job(session)
        if job.status not in ("queued", "validating"):
            break
        time.sleep(0.05)
    assert job.status == "previewed"
    progress = admin_client.get(f"/admin/uploads/{job.id}/progress").get_json()
    assert progress["status"] == "previewed" and progress["done"] >= 400 and progress["percent"] == 100
    assert job.preview["counts"]["capabilities"]["created"] == 400


def test_cancel_forgets_the_files(admin_client, session, upload_dir, registry_with_two, tmp_path):
    upload(admin_client, write_dataset(tmp_path / "up", [facility(3)]))
    job = latest_job(session)
    assert uploads.job_folder(str(upload_dir), job.id).exists()
    admin_client.post(f"/admin/uploads/{job.id}/cancel",
                      data={"csrf_token": csrf_token(admin_client, f"/admin/uploads/{job.id}")})
    assert latest_job(session).status == "cancelled"
    assert not uploads.job_folder(str(upload_dir), job.id).exists()


def test_wrongly_named_csv_is_refused_with_a_message(admin_client, session, tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n1,2\n")
    response = upload(admin_client, [path])
    assert response.status_code == 400
    assert "facilities.csv" in response.get_data(as_text=True)
    assert latest_job(session) is None


def test_worker_command_runs_queued_uploads(admin_client, session, app, monkeypatch, registry_with_two, tmp_path):
    monkeypatch.setitem(app.config, "UPLOAD_WORKER", "command")
    monkeypatch.setitem(app.config, "UPLOAD_BACKGROUND_BYTES", 0)
    upload(admin_client, write_dataset(tmp_path / "up", [facility(3)]))
    job = latest_job(session)
    assert job.status == "queued"
    result = app.test_cli_runner().invoke(args=["upload", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert latest_job(session).status == "previewed"
    admin_client.post(f"/admin/uploads/{job.id}/confirm",
                      data={"csrf_token": csrf_token(admin_client, f"/admin/uploads/{job.id}")})
    assert latest_job(session).status == "confirmed"
    app.test_cli_runner().invoke(args=["upload", "work", "--once"])
    assert latest_job(session).status == "applied"
    assert "F0003" in set(session.scalars(select(Facility.facility_id)))


def test_pages_in_chinese_first_and_english_on_request(admin_client, session):
    assert "上传数据" in admin_client.get("/admin/uploads").get_data(as_text=True)
    assert "Upload data" in admin_client.get("/admin/uploads?lang=en").get_data(as_text=True)


def test_confirm_writes_nothing_when_the_operators_facilities_changed_since(operator_client, operator, session,
                                                                           tmp_path):
    upload(operator_client, write_dataset(tmp_path / "up", [facility(1, name="我的新名字")]))
    job = latest_job(session)
    assert job.status == "previewed"
    operator = session.merge(operator)
    operator.facilities = []
    session.commit()
    before = row_counts(session)
    operator_client.post(f"/admin/uploads/{job.id}/confirm",
                         data={"csrf_token": csrf_token(operator_client, "/admin/uploads")})
    assert latest_job(session).status == "stale"
    assert row_counts(session) == before


def test_unreadable_file_is_refused_with_its_problem_in_chinese(admin_client, session, tmp_path):
    path = tmp_path / "facilities.csv"
    path.write_text("facility_id,name\nF0009,缺列的机构\n", encoding="utf-8")
    upload(admin_client, [path])
    job = latest_job(session)
    assert job.status == "rejected"
    page = admin_client.get(f"/admin/uploads/{job.id}").get_data(as_text=True)
    assert "缺少必填列" in page or "必填" in page
    assert 'id="confirm"' not in page and 'id="rejects-link"' not in page
    assert not any(row_counts(session).values())


def test_rejected_row_with_control_characters_still_gives_problems_and_a_rejects_workbook(
        admin_client, session, registry_with_two, tmp_path):
    paths = write_dataset(tmp_path / "up", [facility(3), facility(4, name="坏\x00名字\x07", uscc="bad\x1b")])
    upload(admin_client, paths)
    job = latest_job(session)
    assert job.status == "previewed", job.message
    assert job.preview["error_count"] >= 1 and job.preview["rejects"] == 1
    page = admin_client.get(f"/admin/uploads/{job.id}")
    assert page.status_code == 200 and 'id="rejects-link"' in page.get_data(as_text=True)
    response = admin_client.get(f"/admin/uploads/{job.id}/rejects.xlsx")
    rows = list(load_workbook(io.BytesIO(response.data))["facilities"].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "F0004"  # the explanation comes first (错误说明)
    assert "坏␀名字␇" in rows[1] and "bad␛" in rows[1]


def test_an_uploaded_price_of_mianyi_is_a_price_on_request(admin_client, session, registry_with_two, tmp_path):
    """面议 in a workbook with Chinese headers (issue 14: it was refused as not a number)."""
    path = write_workbook(tmp_path / "能力.xlsx", {"能力": [
        {"机构编号": "F0001", "能力编号": "C0001", "能力类型": "检验检测项目", "名称": "导体电阻", "参考价格": "面议"},
        {"机构编号": "F0001", "能力编号": "C0002", "能力类型": "检验检测项目", "名称": "绝缘电阻", "参考价格": 120}]})
    upload(admin_client, [path])
    job = latest_job(session)
    assert job.status == "previewed" and job.preview["error_count"] == 0
    preview = admin_client.get(f"/admin/uploads/{job.id}").get_data(as_text=True)
    assert "价格面议" in preview and "price_on_request" not in preview
    admin_client.post(f"/admin/uploads/{job.id}/confirm",
                      data={"csrf_token": csrf_token(admin_client, f"/admin/uploads/{job.id}")})
    assert latest_job(session).status == "applied"
    stored = dict(((cid, (price, on_request)) for cid, price, on_request in session.execute(
        select(Capability.capability_id, Capability.price_cny, Capability.price_on_request))))
    assert stored["C0001"] == (None, True) and stored["C0002"][1] is False


def test_problems_name_the_file_as_it_was_uploaded(admin_client, session, registry_with_two, tmp_path):
    path = write_workbook(tmp_path / "二月能力.xlsx", {"能力": [
        {"机构编号": "F0001", "能力编号": "C0001", "能力类型": "检验检测项目", "名称": "电阻", "参考价格": "约300"}]})
    upload(admin_client, [path])
    [issue] = latest_job(session).preview["issues"]
    assert (issue["file"], issue["row"], issue["column"]) == ("二月能力.xlsx [能力]", 2, "参考价格")
    write_dataset(tmp_path / "csv", [facility(3, kind="lab")])
    (tmp_path / "csv" / "facilities.csv").rename(tmp_path / "csv" / "2026_facilities.csv")
    upload(admin_client, [tmp_path / "csv" / "2026_facilities.csv"])
    assert [i["file"] for i in latest_job(session).preview["issues"]] == ["2026_facilities.csv"]
