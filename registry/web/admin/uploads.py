"""Upload a data set or a facility's published scope, see what it would change, confirm or cancel; download the
rejected rows (a scope: the file annotated). Both are upload jobs of the one lifecycle (services/records/uploads.py)."""
from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.errors import RegistryError
from registry.extensions import db
from registry.services.records import scope_uploads, sheet_templates, uploads
from registry.web.access import roles_required
from registry.web.admin.blueprint import KEEPERS, blp
from registry.web.context import current_lang

FORM_BYTES = 64 * 1024  # what a multipart body holds besides a scope file: the fields and their boundaries


def _upload_dir() -> str:
    return current_app.config["UPLOAD_DIR"]


def runner() -> uploads.JobRunner:
    """The upload service decides where a step runs; it gets the settings and an app context per step."""
    app = current_app._get_current_object()
    return uploads.JobRunner(uploads.UploadSettings.from_config(app.config), app.app_context, lambda: db.session,
                             app.logger)


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
    runner().start(job.id, "preview")
    return redirect(url_for("admin.upload_job", job_id=job.id))


@blp.get("/uploads/scope")
@roles_required(*KEEPERS)
def scope_upload_form():
    return scope_form(request.args.get("facility", "")[:64])


@blp.post("/uploads/scope")
@roles_required(*KEEPERS)
def scope_upload():
    """One facility's scope (an admin's pick, an operator's own: 403 for another's), previewed before anything."""
    limit = current_app.config["SCOPE_UPLOAD_MAX_MB"] * 2**20
    facility_id, layout = request.form.get("facility_id", "").strip()[:64], request.form.get("layout") or None
    try:
        if (request.content_length or 0) > limit + FORM_BYTES:  # said before the file is kept
            raise uploads.too_large(limit)
        files = [(f.filename, f.stream) for f in request.files.getlist("file") if f and f.filename]
        job = uploads.create_job(db.session, current_user, files, upload_dir=_upload_dir(), kind="scope",
                                 facility_id=facility_id, layout=layout, prune=request.form.get("prune") == "yes",
                                 lang=current_lang(), max_bytes=limit)
    except RegistryError as refused:  # 400 a file or choice refused, 403 another's facility, 404 none, 413 too large
        return scope_form(facility_id, layout, str(refused.message)), refused.status
    runner().start(job.id, "preview", job.kind)
    return redirect(url_for("admin.upload_job", job_id=job.id))


def scope_form(facility_id: str, layout: str | None = None, refused: str | None = None) -> str:
    return render_template("admin/scope_upload.html", facility_id=facility_id, layout=layout, refused=refused,
                           facilities=scope_uploads.facility_choices(db.session, current_user),
                           layouts=scope_uploads.LAYOUTS,
                           jobs=uploads.recent_jobs(db.session, current_user, kind="scope"))


@blp.get("/uploads/<int:job_id>")
@roles_required(*KEEPERS)
def upload_job(job_id: int):
    job = uploads.get_job(db.session, job_id, current_user)
    return render_template("admin/upload_job.html", job=job, preview=job.preview or {},
                           progress=uploads.read_progress(_upload_dir(), job.id),
                           changes=uploads.preview_changes(job))


@blp.get("/uploads/<int:job_id>/progress")
@roles_required(*KEEPERS)
def upload_progress(job_id: int):
    job = uploads.get_job(db.session, job_id, current_user)
    return jsonify({"status": job.status, **uploads.read_progress(_upload_dir(), job.id)})


@blp.get("/uploads/<int:job_id>/rejects.xlsx")
@roles_required(*KEEPERS)
def upload_rejects(job_id: int):
    job = uploads.get_job(db.session, job_id, current_user)
    return send_file(uploads.rejects_path(_upload_dir(), job.id), as_attachment=True,
                     download_name=f"rejects-{job.id}.xlsx")


@blp.post("/uploads/<int:job_id>/confirm")
@roles_required(*KEEPERS)
def upload_confirm(job_id: int):
    job = uploads.confirm_job(db.session, uploads.get_job(db.session, job_id, current_user),
                              allow_uscc_change=request.form.get("allow_uscc_change") == "yes")
    runner().start(job.id, "apply", job.kind)
    job = uploads.get_job(db.session, job_id, current_user)
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
