"""Upload a data set, see what it would change, confirm or cancel; download the rejected rows."""
from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.extensions import db
from registry.services.records import sheet_templates, uploads
from registry.web.access import roles_required
from registry.web.admin.blueprint import KEEPERS, blp
from registry.web.context import current_lang


def _upload_dir() -> str:
    return current_app.config["UPLOAD_DIR"]


def run_step(job, step: str) -> None:
    """Inline for small files; in a background thread for large ones (or left to `flask upload work`)."""
    app = current_app._get_current_object()
    size = sum(p.stat().st_size for p in uploads.job_paths(_upload_dir(), job))
    if current_app.config["UPLOAD_WORKER"] == "command" and size > current_app.config["UPLOAD_BACKGROUND_BYTES"]:
        return  # a `flask upload work` process picks it up
    if size > current_app.config["UPLOAD_BACKGROUND_BYTES"]:
        uploads.start_in_background(app, lambda: db.session, job.id, uploads.job_step(step, app.config))
    else:
        uploads.run_job_step(app, lambda: db.session, job.id, uploads.job_step(step, app.config))


@blp.get("/")
@roles_required(*KEEPERS)
def index():
    return redirect(url_for("admin.upload_form"))


@blp.get("/uploads")
@roles_required(*KEEPERS)
def upload_form():
    return render_template("admin/upload_form.html", jobs=uploads.recent_jobs(db.session, current_user))


@blp.get("/uploads/template/<kind>.xlsx")
@roles_required(*KEEPERS)
def upload_template(kind: str):
    """A workbook to fill in, with an example row and a 说明 sheet (headers in the page's language)."""
    if kind not in sheet_templates.KINDS:
        abort(404)
    return Response(sheet_templates.template_workbook(kind, current_lang()),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{kind}-template.xlsx"'})


@blp.post("/uploads")
@roles_required(*KEEPERS)
def upload():
    files = [(f.filename, f.stream) for f in request.files.getlist("files") if f and f.filename]
    try:
        job = uploads.create_job(db.session, current_user, files, upload_dir=_upload_dir(),
                                 prune=request.form.get("prune") == "yes", lang=current_lang())
    except uploads.UploadRefused as refused:
        flash(str(refused.message))
        return render_template("admin/upload_form.html", jobs=uploads.recent_jobs(db.session, current_user),
                               refused=str(refused.message)), 400
    run_step(job, "preview")
    return redirect(url_for("admin.upload_job", job_id=job.id))


@blp.get("/uploads/<int:job_id>")
@roles_required(*KEEPERS)
def upload_job(job_id: int):
    job = uploads.get_job(db.session, job_id, current_user)
    db.session.refresh(job)
    return render_template("admin/upload_job.html", job=job, preview=job.preview or {},
                           progress=uploads.read_progress(_upload_dir(), job),
                           changes=uploads.preview_changes(job))


@blp.get("/uploads/<int:job_id>/progress")
@roles_required(*KEEPERS)
def upload_progress(job_id: int):
    job = uploads.get_job(db.session, job_id, current_user)
    db.session.refresh(job)
    return jsonify(uploads.read_progress(_upload_dir(), job))


@blp.get("/uploads/<int:job_id>/rejects.xlsx")
@roles_required(*KEEPERS)
def upload_rejects(job_id: int):
    job = uploads.get_job(db.session, job_id, current_user)
    return send_file(uploads.rejects_path(_upload_dir(), job), as_attachment=True,
                     download_name=f"rejects-{job.id}.xlsx")


@blp.post("/uploads/<int:job_id>/confirm")
@roles_required(*KEEPERS)
def upload_confirm(job_id: int):
    job = uploads.confirm_job(db.session, uploads.get_job(db.session, job_id, current_user))
    run_step(job, "apply")
    job = uploads.get_job(db.session, job_id, current_user)
    db.session.refresh(job)
    if job.status == "stale":
        flash(_("The registry changed after this preview was made: nothing was written. Upload the file again "
                "to see what it would change now."))
    elif job.status == "applied":
        flash(_("The changes were applied."))
    return redirect(url_for("admin.upload_job", job_id=job.id))


@blp.post("/uploads/<int:job_id>/cancel")
@roles_required(*KEEPERS)
def upload_cancel(job_id: int):
    uploads.cancel_job(db.session, uploads.get_job(db.session, job_id, current_user), _upload_dir())
    flash(_("The upload was cancelled; nothing was written."))
    return redirect(url_for("admin.upload_form"))
