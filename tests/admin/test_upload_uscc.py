"""Issue 13: an upload that changes a facility's USCC lists the change apart in the preview, and Apply
writes it only with the explicit confirmation; without it those rows are refused and the rest applied."""
from sqlalchemy import select

from registry.models import Facility, UploadJob
from tests.admin.test_uploads import latest_job, upload
from tests.factories import csrf_token, facility, uscc, write_dataset


def stored(session) -> dict:
    session.rollback()
    return {f.facility_id: f for f in session.scalars(select(Facility).execution_options(populate_existing=True))}


def preview_with_a_uscc_change(admin_client, session, tmp_path) -> UploadJob:
    upload(admin_client, write_dataset(tmp_path / "up", [facility(1, uscc=uscc(7)), facility(2, name="二号中心")]))
    job = latest_job(session)
    assert job.status == "previewed"
    return job


def confirm(admin_client, job, **form):
    return admin_client.post(f"/admin/uploads/{job.id}/confirm",
                             data={"csrf_token": csrf_token(admin_client, f"/admin/uploads/{job.id}"), **form})


def test_preview_lists_uscc_changes_apart_with_a_checkbox(admin_client, session, registry_with_two, tmp_path):
    job = preview_with_a_uscc_change(admin_client, session, tmp_path)
    assert job.preview["uscc_changes"][0]["before"] == uscc(1) and job.preview["uscc_changes"][0]["after"] == uscc(7)
    page = admin_client.get(f"/admin/uploads/{job.id}").get_data(as_text=True)
    assert 'id="uscc-changes"' in page and 'data-uscc="F0001"' in page and 'id="allow-uscc-change"' in page
    assert uscc(1) in page and uscc(7) in page


def test_apply_without_the_confirmation_refuses_those_rows(admin_client, session, registry_with_two, tmp_path):
    job = preview_with_a_uscc_change(admin_client, session, tmp_path)
    assert confirm(admin_client, job).status_code == 302
    assert latest_job(session).status == "applied"
    facilities = stored(session)
    assert facilities["F0001"].uscc == uscc(1) and facilities["F0002"].name == "二号中心"


def test_apply_with_the_confirmation_writes_the_uscc_change(admin_client, session, registry_with_two, tmp_path):
    job = preview_with_a_uscc_change(admin_client, session, tmp_path)
    assert confirm(admin_client, job, allow_uscc_change="yes").status_code == 302
    job = latest_job(session)
    assert job.status == "applied" and not job.message
    facilities = stored(session)
    assert facilities["F0001"].uscc == uscc(7) and facilities["F0002"].name == "二号中心"


def test_an_upload_of_only_uscc_changes_needs_the_confirmation(admin_client, session, registry_with_two, tmp_path):
    upload(admin_client, write_dataset(tmp_path / "up", [facility(1, uscc=uscc(7))]))
    job = latest_job(session)
    assert confirm(admin_client, job).status_code == 400
    assert latest_job(session).status == "previewed" and stored(session)["F0001"].uscc == uscc(1)
    assert confirm(admin_client, job, allow_uscc_change="yes").status_code == 302
    assert stored(session)["F0001"].uscc == uscc(7)
