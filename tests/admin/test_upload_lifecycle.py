"""Where and how uploads run is the upload service's: a job whose worker died (issue 13 row 9) is taken up again
by the next worker or `flask upload work`, and can always be cancelled."""
import json
import time
from datetime import timedelta

from sqlalchemy import update

from registry.models import UploadJob
from registry.models.base import utcnow
from registry.services.records import uploads
from registry.services.records.upload_files import Lease, lease_until
from tests.admin.test_uploads import latest_job, upload
from tests.factories import csrf_token, facility, write_dataset


def queued_job(app, monkeypatch, client, session, tmp_path) -> UploadJob:
    monkeypatch.setitem(app.config, "UPLOAD_WORKER", "command")
    monkeypatch.setitem(app.config, "UPLOAD_BACKGROUND_BYTES", 0)
    upload(client, write_dataset(tmp_path / "up", [facility(3)]))
    job = latest_job(session)
    assert job.status == "queued"
    return job


def killed_while(session, upload_dir, job, status, lease_left: float | None = -5.0) -> None:
    """As a worker leaves a job when it is killed: running, with a lease that is no longer renewed."""
    session.execute(update(UploadJob).where(UploadJob.id == job.id)
                    .values(status=status, updated_at=utcnow() - timedelta(hours=1)))
    session.commit()
    if lease_left is not None:
        (uploads.job_folder(str(upload_dir), job.id) / "lease.json").write_text(
            json.dumps({"until": time.time() + lease_left, "holder": "gone:1:1"}))


def test_upload_whose_worker_was_killed_can_be_cancelled(admin_client, session, app, monkeypatch, upload_dir,
                                                         registry_with_two, tmp_path):
    job = queued_job(app, monkeypatch, admin_client, session, tmp_path)
    killed_while(session, upload_dir, job, "validating")
    page = admin_client.get(f"/admin/uploads/{job.id}").get_data(as_text=True)
    assert 'id="cancel"' in page
    response = admin_client.post(f"/admin/uploads/{job.id}/cancel",
                                 data={"csrf_token": csrf_token(admin_client, f"/admin/uploads/{job.id}")})
    assert response.status_code == 302
    assert latest_job(session).status == "cancelled"
    assert not uploads.job_folder(str(upload_dir), job.id).exists()


def test_worker_command_takes_up_an_upload_whose_worker_was_killed(admin_client, session, app, monkeypatch,
                                                                   upload_dir, registry_with_two, tmp_path):
    job = queued_job(app, monkeypatch, admin_client, session, tmp_path)
    killed_while(session, upload_dir, job, "validating")
    result = app.test_cli_runner().invoke(args=["upload", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert f"upload {job.id}: preview" in result.output
    job = latest_job(session)
    assert job.status == "previewed" and job.preview["counts"]["facilities"]["created"] == 1
    assert lease_until(str(upload_dir), job.id) is None  # released when the step ended


def test_worker_command_takes_up_an_apply_whose_worker_was_killed(admin_client, session, app, monkeypatch,
                                                                  upload_dir, registry_with_two, tmp_path):
    job = queued_job(app, monkeypatch, admin_client, session, tmp_path)
    app.test_cli_runner().invoke(args=["upload", "work", "--once"])
    admin_client.post(f"/admin/uploads/{job.id}/confirm",
                      data={"csrf_token": csrf_token(admin_client, f"/admin/uploads/{job.id}")})
    killed_while(session, upload_dir, job, "applying", lease_left=None)  # killed before its first beat
    app.test_cli_runner().invoke(args=["upload", "work", "--once"])
    assert latest_job(session).status == "applied"


def test_a_job_whose_worker_is_alive_is_left_to_it(admin_client, session, app, monkeypatch, upload_dir,
                                                   registry_with_two, tmp_path):
    job = queued_job(app, monkeypatch, admin_client, session, tmp_path)
    killed_while(session, upload_dir, job, "validating", lease_left=60)
    result = app.test_cli_runner().invoke(args=["upload", "work", "--once"])
    assert result.exit_code == 0 and "preview" not in result.output
    assert latest_job(session).status == "validating"


def test_next_web_upload_takes_up_a_stalled_one_in_the_background(admin_client, session, app, monkeypatch,
                                                                  upload_dir, registry_with_two, tmp_path):
    job = queued_job(app, monkeypatch, admin_client, session, tmp_path)
    killed_while(session, upload_dir, job, "validating")
    monkeypatch.setitem(app.config, "UPLOAD_WORKER", "thread")
    monkeypatch.setitem(app.config, "UPLOAD_BACKGROUND_BYTES", 10**9)
    upload(admin_client, write_dataset(tmp_path / "next", [facility(4)]))
    for _ in range(200):
        session.rollback()
        if session.get(UploadJob, job.id, populate_existing=True).status == "previewed":
            break
        time.sleep(0.05)
    assert session.get(UploadJob, job.id).status == "previewed"


def test_lease_is_renewed_while_the_step_runs_and_released_after(tmp_path):
    folder = tmp_path / "7"
    folder.mkdir()
    with Lease(folder, seconds=0.3):
        start = lease_until(str(tmp_path), 7)
        assert start > time.time()
        time.sleep(0.45)
        assert lease_until(str(tmp_path), 7) > start  # the heartbeat renewed it
    assert lease_until(str(tmp_path), 7) is None


def test_a_job_cannot_be_claimed_twice(admin_client, session, app, monkeypatch, upload_dir, registry_with_two,
                                       tmp_path):
    job = queued_job(app, monkeypatch, admin_client, session, tmp_path)
    assert uploads.claim(session, job.id, "preview")
    assert not uploads.claim(session, job.id, "preview")
