"""The public pages."""
from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from registry.extensions import db
from registry.services.districts import district_points
from registry.services.records.overview import registry_overview
from registry.web.context import current_lang
from registry.web.security import safe_next
from registry.web.view_models import example_searches, form_view

blp = Blueprint("pages", __name__)


@blp.app_context_processor
def current_language() -> dict:
    """`lang` ('zh' or 'en') for every template: the page language and the switch."""
    return {"lang": current_lang()}


@blp.get("/")
def home():
    centres = district_points(current_app.config["DISTRICTS_GEOJSON"])
    form = form_view(MultiDict(), current_lang(), centres)
    return render_template("home.html", overview=registry_overview(db.session), form=form,
                           examples=example_searches(centres))


@blp.get("/lang/<code>")
def set_language(code: str):
    """Remember the chosen language in a cookie; unknown codes fall back to Chinese."""
    target = safe_next(request.args.get("next")) or url_for("pages.home")  # no open redirect
    response = make_response(redirect(target))
    response.set_cookie("lang", code if code in ("zh", "en") else "zh",
                        max_age=365 * 24 * 3600, samesite="Lax")
    return response
