"""What a scope upload says about its file: every problem and warning with sheet, row, column and the cell's
text, the file annotated as a workbook that can be fixed and uploaded again, and files refused at once
(too large, not what they claim, a ZIP bomb) with a 4xx that keeps nothing."""
import io
import zipfile

from openpyxl import load_workbook

from registry.services.records.upload_files import UploadTooLarge, keep_file
from tests.admin.test_scope_uploads import jobs, latest_job, upload_scope, write_csv
from tests.factories import csrf_token, row_counts
from tests.services.test_scope_examples import EXPECTED, path_of

RED, YELLOW = "FFC7CE", "FFEB9C"


def annotated(client, job):
    response = client.get(f"/admin/uploads/{job.id}/rejects.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def test_warnings_name_sheet_row_column_and_the_cell_and_the_annotated_file_marks_them(admin_client, session,
                                                                                       registry_with_two, tmp_path):
    path = write_csv(tmp_path / "std.csv", [
        "序号,计量标准名称,测量范围,不确定度或准确度等级或最大允许误差,证书编号,有效期至,计量标准类别",
        "1,温度标准装置（演示）,见附表,U=0.3 ℃,[2021]浙量标杭证字第058号,2027-05-31,社会公用计量标准",
        "2,压力标准装置（演示）,(0～60) MPa,0.05级,[2020]浙量标杭证字第012号,2026-12-31,最高计量标准"])
    upload_scope(admin_client, path, "F0002")
    job = latest_job(session)
    assert job.status == "previewed" and job.preview["error_count"] == 0  # a warning does not stop it
    issue = next(i for i in job.preview["issues"] if i["value"] == "见附表")
    assert (issue["file"], issue["row"], issue["column"], issue["level"]) == ("std.csv", 2, "C (测量范围)", "warning")
    assert issue["message"] == "无法识别的测量范围写法，已原样保留：见附表"
    page = admin_client.get(f"/admin/uploads/{job.id}").get_data(as_text=True)
    assert "警告 (1)" in page and "C (测量范围)" in page and "见附表" in page and 'id="confirm"' in page
    assert 'id="rejects-link"' in page
    sheet = annotated(admin_client, job)["std.csv"]
    assert sheet["A1"].value == "错误说明" and sheet["B1"].value == "序号"
    assert sheet["A2"].value == "警告，测量范围：无法识别的测量范围写法，已原样保留：见附表"
    assert sheet["D2"].value == "见附表" and sheet["D2"].fill.fgColor.rgb.endswith(YELLOW)
    assert sheet["A3"].value is None and sheet["C3"].value == "压力标准装置（演示）"
    assert not sheet["D3"].fill.fgColor.rgb.endswith(YELLOW)


def scope_with_a_too_long_parameter(tmp_path):
    """The CNAS testing example with one parameter longer than its column (an error): merged cells and all."""
    workbook = load_workbook(path_of("cnas-testing"))
    sheet = workbook["附件1 检测能力"]
    assert sheet["D5"].value == "导体直流电阻"
    sheet["D5"] = "长" * 201
    path = tmp_path / "cnas_testing_bad.xlsx"
    workbook.save(path)
    return path, sorted(str(r) for r in sheet.merged_cells.ranges)


def test_an_error_refuses_the_file_and_the_annotated_workbook_fixed_uploads_again(admin_client, session,
                                                                                   registry_with_two, tmp_path):
    bad, merged = scope_with_a_too_long_parameter(tmp_path)
    before = row_counts(session)
    upload_scope(admin_client, bad)
    job = latest_job(session)
    assert job.status == "rejected" and job.preview["error_count"] == 1
    (error,) = [i for i in job.preview["issues"] if i["level"] == "error"]
    assert (error["file"], error["row"], error["column"]) == ("附件1 检测能力", 5, "D (项目/参数/名称)")
    assert error["value"].startswith("长") and "200" in error["message"]
    page = admin_client.get(f"/admin/uploads/{job.id}").get_data(as_text=True)
    assert 'id="confirm"' not in page and "问题 (1)" in page and 'id="rejects-link"' in page
    assert confirm_refused(admin_client, job)
    workbook = annotated(admin_client, job)
    assert workbook.sheetnames == ["附件1 检测能力", "附件2 检测能力"]  # the scope sheets, not the cover
    sheet = workbook["附件1 检测能力"]
    assert sheet["A3"].value == "错误说明" and sheet["B3"].value == "序号"
    assert sheet["A5"].value.startswith("错误，项目/参数/名称：内容超过 200 个字符")
    assert sheet["E5"].fill.fgColor.rgb.endswith(RED) and not sheet["F5"].fill.fgColor.rgb.endswith(RED)
    shifted = sorted(str(r) for r in sheet.merged_cells.ranges)
    assert len(shifted) == len(merged) and "B5:B7" in shifted and "C3:C4" in shifted  # A5:A7, B3:B4 one right
    assert row_counts(session) == before
    sheet["E5"] = "导体直流电阻"  # fixed where it is marked; the explanations stay in their column
    fixed = tmp_path / "fixed.xlsx"
    workbook.save(fixed)
    upload_scope(admin_client, fixed)
    again = latest_job(session)
    assert again.status == "previewed" and again.preview["error_count"] == 0
    assert [(i["object"], i["parameter"]) for i in again.preview["items"]["created"]] == [
        (i.object, i.parameter) for i in EXPECTED["cnas-testing"]]


def confirm_refused(client, job) -> bool:
    response = client.post(f"/admin/uploads/{job.id}/confirm",
                           data={"csrf_token": csrf_token(client, f"/admin/uploads/{job.id}")})
    return response.status_code == 400


def test_a_scope_without_problems_has_no_annotated_workbook(admin_client, session, registry_with_two):
    upload_scope(admin_client, path_of("cma"))
    job = latest_job(session)
    assert job.preview["rejects"] == 0
    assert admin_client.get(f"/admin/uploads/{job.id}/rejects.xlsx").status_code == 404


def test_a_scope_over_the_size_limit_gets_a_clear_413_and_nothing_is_kept(admin_client, session, app, upload_dir,
                                                                          registry_with_two, tmp_path):
    limit = app.config["SCOPE_UPLOAD_MAX_MB"]
    assert limit == 10
    big = tmp_path / "big.csv"
    big.write_bytes(b"\xef\xbb\xbf" + b"1," * (limit * 2**19 + 10))
    response = upload_scope(admin_client, big)
    assert response.status_code == 413
    assert "文件超过 10 MB" in response.get_data(as_text=True)
    assert jobs(session) == 0 and not any(upload_dir.glob("*/*"))


def test_a_body_sent_without_its_length_is_cut_at_the_limit(tmp_path):
    stream = io.BytesIO(b"x" * (2**20 + 1))
    try:
        keep_file(stream, tmp_path / "kept", max_bytes=2**20)
    except UploadTooLarge as refused:
        assert refused.status == 413
    else:
        raise AssertionError("kept a file over the limit")


def test_hostile_and_wrong_files_are_refused_with_a_4xx_and_nothing_is_kept(admin_client, session, upload_dir,
                                                                            registry_with_two, tmp_path):
    bomb = tmp_path / "scope.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 2**20))
    fake = tmp_path / "fake.xlsx"
    fake.write_text("序号,检测对象\n1,x\n")
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(bytes(range(128, 256)) * 50)
    pdf = tmp_path / "scope.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    expected = {bomb: "ZIP", fake: "XLSX", garbage: "GB18030", pdf: ".xlsx"}
    for path, words in expected.items():
        response = upload_scope(admin_client, path)
        assert response.status_code == 400, (path.name, response.status_code)
        assert words in response.get_data(as_text=True), path.name
    response = admin_client.post("/admin/uploads/scope", data={
        "facility_id": "F0001", "csrf_token": csrf_token(admin_client, "/admin/uploads/scope")},
        content_type="multipart/form-data")
    assert response.status_code == 400  # no file at all
    assert jobs(session) == 0 and not any(upload_dir.glob("*/*"))


def test_a_scope_table_without_items_is_refused_and_removes_nothing(admin_client, session, registry_with_two,
                                                                    tmp_path):
    upload_scope(admin_client, path_of("cma"))
    admin_client.post(f"/admin/uploads/{latest_job(session).id}/confirm",
                      data={"csrf_token": csrf_token(admin_client, "/admin/uploads/scope")})
    before = row_counts(session)
    empty = write_csv(tmp_path / "empty.csv", ["序号,类别（产品/项目/参数）,产品/项目/参数,"
                                               "依据的标准（方法）名称及编号（含年号）"])
    upload_scope(admin_client, empty, prune="yes")
    job = latest_job(session)
    assert job.status == "rejected" and job.preview["error_count"] == 1
    assert "没有任何能力条目" in admin_client.get(f"/admin/uploads/{job.id}").get_data(as_text=True)
    assert confirm_refused(admin_client, job)
    assert row_counts(session) == before
