"""Admins manage accounts: create users of any role (with their district or facilities),
deactivate and reactivate them."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from registry.extensions import db
from registry.models import ROLES, User
from registry.services.accounts import PASSWORD_MIN_LENGTH, AccountError, create_user, set_active
from registry.web.access import roles_required
from registry.web.booking_forms import PlainForm

blp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 100


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r) for r in ROLES])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=PASSWORD_MIN_LENGTH, max=200)])
    district_code = StringField(_l("District code (auditors; empty: city-wide)"),
                                validators=[Optional(), Length(max=6)])
    facility_ids = StringField(_l("Facility ids, comma-separated (operators)"),
                               validators=[Optional(), Length(max=2000)])
    org_name = StringField(_l("Company name"), validators=[Optional(), Length(max=200)])
    uscc = StringField(_l("Unified Social Credit Code"), validators=[Optional(), Length(max=40)])


@blp.route("/users", methods=["GET", "POST"])
@roles_required("admin")
def users():
    form = UserForm()
    status = 200
    if form.validate_on_submit():
        facility_ids = [f.strip() for f in (form.facility_ids.data or "").split(",") if f.strip()]
        try:
            created = create_user(db.session, email=form.email.data, password=form.password.data,
                                  role=form.role.data, name=form.name.data,
                                  district_code=form.district_code.data or None, facility_ids=facility_ids,
                                  org_name=form.org_name.data, uscc=form.uscc.data)
        except AccountError as exc:
            db.session.rollback()
            getattr(form, exc.field if exc.field in form else "email", form.email).errors.append(str(exc.message))
            status = 400
        else:
            db.session.commit()
            flash(_("Account %(email)s created.", email=created.email), "info")
            return redirect(url_for("admin.users")), 303
    elif form.is_submitted():
        status = 400
    page = max(request.args.get("page", 1, type=int), 1)
    rows = db.session.scalars(select(User).order_by(User.id).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    total = db.session.scalar(select(func.count()).select_from(User))
    return render_template("admin/users.html", form=form, users=rows, page=page, total=total, per_page=PER_PAGE,
                           toggle=PlainForm()), status


@blp.post("/users/<int:user_id>/active")
@roles_required("admin")
def toggle_active(user_id: int):
    if not PlainForm().validate_on_submit():
        abort(400)
    account = db.session.get(User, user_id)
    if account is None:
        abort(404)
    if account.id == current_user.id:
        abort(400, description=_("You cannot deactivate your own account."))
    set_active(db.session, account, not account.is_active)
    return redirect(url_for("admin.users")), 303
