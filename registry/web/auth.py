"""Sign in, sign out, enterprise sign-up (finished by a mailed link) and a forgotten password.

Signing in starts a new session (everything in the old cookie is dropped, a new CSRF
token is made), so a session planted before sign-in is worth nothing after it. Signing
out changes the user's session token, so copies of the cookie stop working too.

Sign-up and the request for a password link answer the same page whatever the address (the
mail says what happened: services/accounts/registration.py, recovery.py). Per client address,
failed sign-ins (LOGIN_RATE_LIMIT), sign-up attempts (REGISTER_RATE_LIMIT) and password-link
requests (PASSWORD_RESET_RATE_LIMIT) are limited by Flask-Limiter (429); the lockout per e-mail
and address is the accounts service's.
"""
from datetime import timedelta

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from registry.errors import RegistryError
from registry.extensions import db, limiter
from registry.services.accounts import recovery, registration
from registry.services.accounts.mail import LinkInvalid
from registry.services.accounts.users import (
    PASSWORD_MIN_LENGTH,
    AccountError,
    LockoutPolicy,
    SignInRefused,
    authenticate,
    change_password,
    end_sessions,
)
from registry.web.access import home_endpoint
from registry.web.security import mail_url, mark_signed_in, safe_next

blp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class RegisterForm(FlaskForm):
    org_name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)])
    uscc = StringField(_l("Unified Social Credit Code"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=PASSWORD_MIN_LENGTH, max=200)])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])
    consent = BooleanField(_l("I have read and agree to the terms of use and the privacy policy."))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"),
                             validators=[DataRequired(), Length(min=PASSWORD_MIN_LENGTH, max=200)])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("New password"),
                             validators=[DataRequired(), Length(min=PASSWORD_MIN_LENGTH, max=200)])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


def lockout_policy() -> LockoutPolicy:
    config = current_app.config
    return LockoutPolicy(max_failures=config["LOGIN_MAX_FAILURES"],
                         lockout=timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"]))


def start_session(user) -> None:
    """A fresh session for a freshly signed-in user (against session fixation)."""
    session.clear()
    login_user(user)
    session.permanent = True
    mark_signed_in()


def too_many_attempts() -> str:
    return _("Too many attempts from your address: wait a while and try again.")


def sign_in_failed(response: Response) -> bool:
    return response.status_code not in (200, 302, 303)


@blp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=sign_in_failed,
               error_message=too_many_attempts)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(db.session, form.email.data, form.password.data, lockout_policy(),
                                address=request.remote_addr or "")
        except SignInRefused as exc:
            form.password.errors.append(str(exc.message))
            status = 401
        else:
            start_session(user)
            return redirect(safe_next(form.next.data) or url_for(home_endpoint(user)))
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form), status


@blp.post("/logout")
@login_required
def logout():
    end_sessions(db.session, current_user)
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("pages.home"))


@blp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"], error_message=too_many_attempts)
def register():
    """A valid form always ends on the same "check your mail" page, whether or not the address has an
    account: the account is made when the mailed link is opened (confirm_registration)."""
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        sign_up = registration.SignUp(
            email=form.email.data, password=form.password.data, name=form.name.data, org_name=form.org_name.data,
            uscc=form.uscc.data, phone=form.phone.data, terms_version=current_app.config["TERMS_VERSION"],
            accepted_terms=bool(form.consent.data))
        links = registration.Links(confirm=lambda token: mail_url("auth.confirm_registration", token=token),
                                   sign_in=mail_url("auth.login"), forgot_password=mail_url("auth.forgot_password"))
        try:
            registration.request_registration(db.session, sign_up, links, valid_for=registration_link_life())
        except AccountError as exc:
            db.session.rollback()
            getattr(form, exc.field or "email").errors.append(str(exc.message))
            status = 400
        else:
            return redirect(url_for("auth.check_mail", kind="register"), 303)
    elif form.is_submitted():
        status = 400
    return render_template("auth/register.html", form=form), status


def registration_link_life() -> timedelta:
    return timedelta(hours=current_app.config["REGISTRATION_LINK_HOURS"])


def reset_link_life() -> timedelta:
    return timedelta(minutes=current_app.config["PASSWORD_RESET_LINK_MINUTES"])


@blp.get("/check-mail/<any(register, password):kind>")
def check_mail(kind):
    return render_template("auth/check_mail.html", kind=kind, hours=current_app.config["REGISTRATION_LINK_HOURS"],
                           minutes=current_app.config["PASSWORD_RESET_LINK_MINUTES"])


def link_refused(exc: RegistryError):
    return render_template("auth/link_refused.html", message=exc.message), exc.status


@blp.route("/register/confirm/<token>", methods=["GET", "POST"])
def confirm_registration(token):
    """The mailed link: a page with one button (GET writes nothing, so a mail scanner that follows links
    makes no account); the button makes the account and signs it in."""
    form = FlaskForm()
    try:
        if form.validate_on_submit():
            user = registration.confirm_registration(db.session, token, valid_for=registration_link_life())
            start_session(user)
            flash(_("Welcome, %(name)s: your account is ready.", name=user.name), "info")
            return redirect(url_for(home_endpoint(user)), 303)
        pending = registration.pending_registration(db.session, token, valid_for=registration_link_life())
    except (LinkInvalid, registration.AlreadyRegistered) as exc:
        return link_refused(exc)
    status = 400 if form.is_submitted() else 200  # a POST without a valid CSRF token
    return render_template("auth/confirm_registration.html", form=form, pending=pending), status


@blp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], methods=["POST"],
               error_message=too_many_attempts)
def forgot_password():
    """Ask for a link to set a new password: the same answer for any address (recovery.py)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        recovery.request_password_reset(
            db.session, form.email.data, link=lambda token: mail_url("auth.reset_password", token=token),
            register_url=mail_url("auth.register"), valid_for=reset_link_life())
        return redirect(url_for("auth.check_mail", kind="password"), 303)
    return render_template("auth/forgot_password.html", form=form), 400 if form.is_submitted() else 200


@blp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    form = NewPasswordForm()
    status = 200
    try:
        if form.validate_on_submit():
            try:
                user = recovery.reset_password(db.session, token, form.password.data, valid_for=reset_link_life())
            except AccountError as exc:
                db.session.rollback()
                form.password.errors.append(str(exc.message))
                status = 400
            else:
                start_session(user)
                flash(_("Your password has been changed; you were signed out everywhere else."), "info")
                return redirect(url_for(home_endpoint(user)), 303)
        else:
            recovery.reset_target(db.session, token, valid_for=reset_link_life())
            status = 400 if form.is_submitted() else 200
    except LinkInvalid as exc:
        return link_refused(exc)
    return render_template("auth/reset_password.html", form=form), status


@blp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password, e.g. the initial one an admin gave with the invitation. Other
    sessions of the account end; this one goes on under the new session token."""
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            change_password(db.session, current_user, form.current.data, form.password.data)
        except AccountError as exc:
            db.session.rollback()
            getattr(form, exc.field if exc.field in form else "password").errors.append(str(exc.message))
            status = 400
        else:
            start_session(current_user._get_current_object())
            flash(_("Your password has been changed; you were signed out everywhere else."), "info")
            return redirect(url_for(home_endpoint(current_user))), 303
    elif form.is_submitted():
        status = 400
    return render_template("auth/password.html", form=form), status
