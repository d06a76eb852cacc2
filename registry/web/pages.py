"""The public pages."""
from flask import (
    Blueprint,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from werkzeug.datastructures import MultiDict

from registry import clock
from registry.extensions import db
from registry.money import fee_text
from registry.services.districts import district_points
from registry.services.records.overview import registry_overview
from registry.web import labels
from registry.web.context import current_lang
from registry.web.security import safe_next
from registry.web.view_models import example_searches, form_view

blp = Blueprint("pages", __name__)


@blp.app_context_processor
def current_language() -> dict:
    """`lang` ('zh' or 'en') for every template: the page language and the switch."""
    return {"lang": current_lang()}


@blp.app_template_filter("local_time")
def local_time(moment, fmt: str = clock.MINUTES) -> str:
    """Every time a person reads, in Beijing time (stored times are UTC): the one formatter, clock.local_text."""
    return clock.local_text(moment, fmt)


@blp.app_template_filter("fee")
def fee(amount, none: str = "—", on_request: bool = False) -> str:
    """Every fee a person reads, as ¥2,030.00 (or 面议): the one formatter, money.fee_text."""
    return fee_text(amount, none, on_request)


def _in_page_language(show):
    return lambda *args: show(*args, current_lang())


@blp.record_once
def register_display_labels(state) -> None:
    """Stored keys as the page's language says them (labels.py): roles, scopes, change words, columns.
    Jinja globals, so that macros imported without context (admin/_cells.html) see them too."""
    state.app.jinja_env.globals.update(
        role_label=lambda key: labels.label(labels.ROLES, key),
        scope_label=lambda key: labels.label(labels.KEY_SCOPES, key),
        record_label=lambda key: labels.label(labels.RECORDS, key),
        change_label=lambda key: labels.label(labels.CHANGES, key),
        upload_state=lambda key: labels.label(labels.UPLOAD_STATES, key),
        layout_label=lambda key: labels.label(labels.SCOPE_LAYOUTS, key),
        item_field=lambda key: labels.label(labels.SCOPE_ITEM_FIELDS, key),
        item_value=_in_page_language(labels.item_value),
        field_name=lambda name, entity=None: labels.field_name(name, current_lang(), entity),
        value_text=lambda value, field=None: labels.value_text(value, current_lang(), field),
        choice_label=_in_page_language(labels.choice_label),
        district_label=_in_page_language(labels.district_name),
        source_text=labels.source_text,
        actor_text=labels.actor_text,
        http_message=labels.http_message,
    )


@blp.get("/")
def home():
    centres = district_points(current_app.config["DISTRICTS_GEOJSON"])
    form = form_view(MultiDict(), current_lang(), centres)
    return render_template("home.html", overview=registry_overview(db.session), form=form,
                           examples=example_searches(centres))


@blp.get("/favicon.ico")
def favicon():
    """The site icon where browsers and feed readers look for it without a page's <link rel=icon>."""
    return send_from_directory(current_app.static_folder, "favicon.ico", max_age=7 * 86400)


@blp.get("/terms")
def terms():
    """The terms of use and the privacy policy an enterprise agrees to when it registers (versioned)."""
    return render_template("terms.html", version=current_app.config["TERMS_VERSION"])


@blp.get("/lang/<code>")
def set_language(code: str):
    """Remember the chosen language in a cookie; unknown codes fall back to Chinese."""
    target = safe_next(request.args.get("next")) or url_for("pages.home")  # no open redirect
    response = make_response(redirect(target))
    response.set_cookie("lang", code if code in ("zh", "en") else "zh",
                        max_age=365 * 24 * 3600, samesite="Lax")
    return response
