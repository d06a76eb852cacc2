"""Users and partner API keys: admins only; every action goes to the admin log."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry import vocabulary
from registry.errors import RegistryError
from registry.extensions import db
from registry.services.accounts import administration as user_admin
from registry.services.accounts import api_keys
from registry.web.access import roles_required
from registry.web.admin.blueprint import blp


def _facility_ids(text: str) -> list[str]:
    return [part.strip() for part in (text or "").replace("，", ",").replace(";", ",").split(",") if part.strip()]


def _users_page(status=200, **extra):
    return render_template("admin/users.html", users=user_admin.list_users(db.session),
                           roles=user_admin.MANAGED_ROLES, districts=vocabulary.DISTRICTS, **extra), status


@blp.get("/users")
@roles_required("admin")
def users():
    return _users_page()


@blp.post("/users")
@roles_required("admin")
def invite():
    form = request.form
    try:
        user, password = user_admin.invite_user(
            db.session, current_user, email=form.get("email", ""), name=form.get("name", ""),
            role=form.get("role", ""), district_code=form.get("district_code") or None,
            facility_ids=_facility_ids(form.get("facilities", "")), org_name=form.get("org_name"),
            uscc=form.get("uscc"))
    except RegistryError as error:
        db.session.rollback()
        return _users_page(400, problem=str(error.message), form=form)
    return _users_page(201, invited=user, password=password)


@blp.post("/users/<int:user_id>")
@roles_required("admin")
def update_user(user_id: int):
    form = request.form
    try:
        user_admin.update_user(db.session, current_user, user_id, role=form.get("role", ""),
                               district_code=form.get("district_code") or None,
                               facility_ids=_facility_ids(form.get("facilities", "")))
    except RegistryError as error:
        db.session.rollback()
        return _users_page(400 if error.status < 404 else error.status, problem=str(error.message))
    flash(_("The account was updated."))
    return redirect(url_for("admin.users"))


@blp.post("/users/<int:user_id>/active")
@roles_required("admin")
def set_active(user_id: int):
    try:
        user_admin.set_active(db.session, current_user, user_id, request.form.get("active") == "yes")
    except RegistryError as error:
        db.session.rollback()
        return _users_page(400 if error.status < 404 else error.status, problem=str(error.message))
    flash(_("The account was updated."))
    return redirect(url_for("admin.users"))


def _keys_page(status=200, **extra):
    return render_template("admin/keys.html", keys=user_admin.list_keys(db.session), scopes=api_keys.SCOPES,
                           **extra), status


@blp.get("/keys")
@roles_required("admin")
def keys():
    return _keys_page()


@blp.post("/keys")
@roles_required("admin")
def create_key():
    scopes = ",".join(request.form.getlist("scopes"))
    try:
        row, key = user_admin.issue_key(db.session, current_user, request.form.get("partner", ""), scopes)
    except RegistryError as error:
        db.session.rollback()
        return _keys_page(400, problem=str(error.message))
    return _keys_page(201, new_key=key, new_row=row)


@blp.post("/keys/<int:key_id>/revoke")
@roles_required("admin")
def revoke_key(key_id: int):
    user_admin.withdraw_key(db.session, current_user, key_id)
    flash(_("The key was revoked."))
    return redirect(url_for("admin.keys"))
