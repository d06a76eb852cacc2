"""The test plan page (blueprint `plan`): paste or upload a plan, see who covers all of it, who
covers most, which pairs cover it together, and where they are.

GET  /plan                  the form
POST /plan                  the answer (the same service as POST /api/v1/plan/coverage)
GET  /plan/map              the map of the facilities listed (?f=facility_id, repeated)
GET  /plan/points.geojson   their points, in the results map's compact GeoJSON

The plan travels in a POST body (100 items do not fit a URL); the map gets only the ids of the
facilities the answer lists.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from marshmallow import ValidationError

from registry.clock import today
from registry.extensions import db
from registry.schemas import rules
from registry.schemas.fields import ExternalId
from registry.services.districts import district_points
from registry.services.search import Problem, SearchQuery, facility_points
from registry.services.search.plan import plan_coverage
from registry.services.search.plan_input import PlanProblem, PlanSchema, items_from_file, items_from_text
from registry.web import labels
from registry.web.context import current_lang
from registry.web.maps import district_names, geojson_response, map_labels, map_settings, points_geojson
from registry.web.view_models import facility_labels

blp = Blueprint("plan", __name__)

MAP_FACILITIES = 60  # ids the map accepts: the facilities one answer lists
SCHEMA = PlanSchema()


@blp.get("/plan")
def form():
    return render_template("plan.html", **_form_view("", None), result=None, messages=[])


@blp.post("/plan")
def answer():
    text = request.form.get("items", "")
    district = request.form.get("district", "").strip() or None
    upload = request.files.get("file")
    try:
        items = items_from_text(text)
        if upload is not None and upload.filename:
            items += [i for i in items_from_file(upload.filename, upload.read(rules.PLAN_FILE_MAX_BYTES + 1))
                      if i not in items]
        plan = _load({"items": items, **({"district": district} if district else {})})
    except PlanProblem as problem:
        return _refused(text, district, [str(problem.message)])
    except ValidationError as error:
        return _refused(text, district, _messages(error.normalized_messages(), items))
    near = district_points(current_app.config["DISTRICTS_GEOJSON"]).get(plan["district"]) \
        if "district" in plan else None
    coverage = plan_coverage(db.session, plan["items"], today(), near=near, limit=plan["limit"])
    result = _result_view(coverage, current_lang())
    return render_template("plan.html", **_form_view(text, district), result=result, messages=[],
                           map_url=url_for("plan.map_page", f=result["map_ids"]) if result["map_ids"] else None)


@blp.get("/plan/map")
def map_page():
    ids = _facility_ids()
    tiles, key = map_settings()
    lang = current_lang()
    from geo.maps import render_page, results_map  # folium: loaded when a map is first drawn

    page = render_page(results_map(
        url_for("plan.points", f=ids), url_for("maps.districts"), tiles=tiles, tiles_key=key, labels=map_labels(),
        district_names=district_names(lang), facility_url=url_for("search.facility", facility_id="x")[:-1],
        lang=lang))
    title = f"<title>{escape(gettext('Test plan'))}</title>"
    return Response(page.replace("<head>", "<head>\n    " + title, 1), mimetype="text/html")


@blp.get("/plan/points.geojson")
def points():
    ids = _facility_ids()
    found = facility_points(db.session, SearchQuery(facility_ids=tuple(ids)), today()) if ids else []
    return geojson_response(points_geojson(found))


def _facility_ids() -> list[str]:
    """The `f` ids that can be facility ids, each once, at most MAP_FACILITIES (the rest are ignored)."""
    ids = [f for f in dict.fromkeys(request.args.getlist("f")) if ExternalId.PATTERN.fullmatch(f)]
    return ids[:MAP_FACILITIES]


def _load(data: dict) -> dict:
    if not data["items"]:
        raise PlanProblem(_l("The plan is empty: paste its items, one a line, or upload a file."), field="items")
    if len(data["items"]) > rules.PLAN_ITEMS_MAX:
        raise PlanProblem(_l("The plan has %(n)s items; at most %(max)s can be checked at once.",
                             n=len(data["items"]), max=rules.PLAN_ITEMS_MAX), field="items")
    return SCHEMA.load(data)


def _messages(problems: dict, items: list[str]) -> list[str]:
    """The schema's refusals in the page's language (as the search page shows them), each naming the item
    (by its place in the plan) it is about."""
    out = []
    for field, messages in problems.items():
        if field == "items" and isinstance(messages, dict):
            for index, texts in sorted(messages.items()):
                shown = items[index][:40] if index < len(items) else ""
                out += [gettext("Item %(n)s (%(item)s): %(message)s", n=index + 1, item=shown,
                                message=str(Problem(field, t))) for t in texts]
        else:
            texts = messages if isinstance(messages, list) else [str(messages)]
            out += [str(Problem(field, t)) for t in texts]
    return out


def _refused(text: str, district: str | None, messages: list[str]):
    return render_template("plan.html", **_form_view(text, district), result=None, messages=messages), 422


def _form_view(text: str, district: str | None) -> dict:
    lang = current_lang()
    return {
        "items_text": text,
        "max_items": rules.PLAN_ITEMS_MAX,
        "districts": [{"code": code, "name": labels.district_name(code, lang), "selected": code == district}
                      for code in labels.DISTRICTS],
    }


def _result_view(coverage, lang: str) -> dict:
    items = coverage.items

    def facility(c) -> dict:
        return {**facility_labels(c.facility, lang), "covered": len(c.covered), "accredited": c.accredited,
                "distance_km": c.distance_km, "missed": [items[i] for i in c.missed],
                "expired": [items[i] for i in c.expired], "covered_items": [items[i] for i in c.covered]}

    complete = [facility(c) for c in coverage.complete]
    partial = [facility(c) for c in coverage.partial]
    pairs = [{"first": facility(p.first), "second": facility(p.second), "distance_km": p.distance_km}
             for p in coverage.pairs]
    shown = [f["facility_id"] for f in complete + partial] + [
        f["facility_id"] for p in pairs for f in (p["first"], p["second"])]
    return {
        "total": len(items),
        "items": [{"text": text, "facilities": n} for text, n in zip(items, coverage.item_facilities)],
        "uncovered": [items[i] for i in coverage.uncovered],
        "complete": complete, "complete_total": coverage.complete_total,
        "partial": partial, "partial_total": coverage.partial_total,
        "pairs": pairs,
        "map_ids": list(dict.fromkeys(shown))[:MAP_FACILITIES],
    }
