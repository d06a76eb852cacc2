"""Search results and facility pages: request arguments in, search service calls, templates out.

The views only translate HTTP: the query is read by the search service's one schema (a value
it refuses is left out, and its message shown beside the field), and the links of filters,
facets and pages are the current query string with one change, built here so that templates
only display.
"""
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from registry.clock import today
from registry.extensions import db
from registry.services.audit.unmet import record_search
from registry.services.booking.workflow import bookable_count
from registry.services.districts import district_points
from registry.services.records.editing import keeps
from registry.services.records.scope_import import scope_workbook
from registry.services.search import (
    MAX_QUERY_CHARS,
    accreditation_marks,
    facility_capabilities,
    facility_detail,
    parse_search_args,
    search_facilities,
)
from registry.services.search.query import MAX_PAGE, PAGE_SCHEMA
from registry.web import labels
from registry.web.context import current_lang
from registry.web.maps import NOT_FILTERS, facility_map_for
from registry.web.view_models import (
    CHIP_TEXTS,
    FLAGS,
    capability_labels,
    facility_view,
    form_view,
    hit_view,
    near_place,
    page_links,
    problem_view,
)

blp = Blueprint("search", __name__)

FACET_PARAMS = {"kind": "kind", "district": "district", "discipline": "discipline"}
CAPABILITIES_PER_PAGE = 20


def with_args(endpoint: str, args: MultiDict, **values) -> str:
    """The URL of `endpoint` with the query string `args` (repeated keys kept, empty values dropped)."""
    pairs = [(k, v) for k, v in args.items(multi=True) if v != ""]
    url = url_for(endpoint, **values)
    return f"{url}?{urlencode(pairs)}" if pairs else url


def changed(args: MultiDict, set_: dict | None = None, toggle: tuple[str, str] | None = None,
            drop: tuple[str, ...] = ()) -> str:
    """The search URL after one change; any change but paging goes back to page 1."""
    new = MultiDict(args)
    for key in (*drop, *(set_ or {}), "page"):
        if key != "page" or "page" not in (set_ or {}):
            new.poplist(key)
    for key, value in (set_ or {}).items():
        if value not in (None, ""):
            new.add(key, value)
    if toggle:
        key, value = toggle
        values = new.getlist(key)
        new.setlist(key, [v for v in values if v != value] if value in values else [*values, value])
    return with_args("search.results", new)


def facets_view(result, args: MultiDict, language: str) -> list[dict]:
    names = {"kind": lambda key: labels.label(labels.FACILITY_KINDS, key),
             "district": lambda key: labels.district_name(key, language),
             "discipline": lambda key: labels.discipline_name(key, language)}
    titles = {"kind": _l("Kind"), "district": _l("District"), "discipline": _l("Metrology discipline")}
    groups = []
    for facet, param in FACET_PARAMS.items():
        counts = (result.facets or {}).get(facet) or {}
        selected = args.getlist(param)
        entries = [{"label": names[facet](key), "count": count, "selected": key in selected,
                    "url": changed(args, toggle=(param, key))}
                   for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))]
        if entries:
            groups.append({"name": facet, "title": titles[facet], "entries": entries})
    return groups


RANGE_ARGS = ("quantity", "value", "unit")


def range_chip(args: MultiDict, query) -> dict | None:
    """A range is one chip (quantity, value and unit, typed in their fields or in the main box); removing it
    keeps the keywords the search read (query.q)."""
    if query.value is None:
        return None
    label = _l("Range covers %(value)s %(unit)s", value=f"{query.value:g}", unit=query.unit)
    if query.quantity:
        label = f"{query.quantity} · {label}"
    remove = MultiDict([(k, v) for k, v in args.items(multi=True) if k not in (*RANGE_ARGS, "page", "q")])
    if query.q and "standard" not in args:
        remove.add("q", query.q)
    elif args.get("q"):
        remove.add("q", args["q"])
    return {"label": label, "url": with_args("search.results", remove)}


def active_filters(args: MultiDict, language: str, centres: dict, query=None) -> list[dict]:
    """Chips for what narrows the search now, each with the URL that removes it."""
    chips = []
    ranged = range_chip(args, query) if query is not None else None
    if ranged:
        chips.append(ranged)
    for key, value in args.items(multi=True):
        if value == "" or key in NOT_FILTERS or (ranged and key in RANGE_ARGS):
            continue
        if key == "kind":
            text = labels.label(labels.FACILITY_KINDS, value)
        elif key == "district":
            text = labels.district_name(value, language)
        elif key == "discipline":
            text = labels.discipline_name(value, language)
        elif key == "ownership":
            text = labels.label(labels.OWNERSHIPS, value)
        elif key == "level":
            text = labels.label(labels.LEVELS, value)
        elif key == "accreditation":
            text = labels.label(labels.ACCREDITATIONS, value.lower())
        elif key == "near":
            text = _l("Near %(place)s", place=near_place(value, centres, language))
        elif key in FLAGS:
            text = FLAGS[key]
        elif key in CHIP_TEXTS:
            text = CHIP_TEXTS[key](value[:20])
        else:
            text = value if len(value) <= 40 else value[:40] + "…"
        remove = MultiDict([(k, v) for k, v in args.items(multi=True) if not (k == key and v == value)])
        remove.poplist("page")
        chips.append({"label": text, "url": with_args("search.results", remove)})
    return chips


@blp.get("/search")
def results():
    args = request.args
    language = current_lang()
    query, problems = parse_search_args(args, db.session)
    result = search_facilities(db.session, query, today())
    record_search(db.session, query, result.total, result.nearest_km, today(), current_app.config)
    marks = accreditation_marks(db.session, [hit.facility["facility_id"] for hit in result.hits], today())
    centres = district_points(current_app.config["DISTRICTS_GEOJSON"])
    map_args = MultiDict([(k, v) for k, v in args.items(multi=True) if k not in NOT_FILTERS])
    errors = problem_view(problems)
    return render_template(
        "search.html",
        form=form_view(args, language, centres, errors, PAGE_SCHEMA.fields),
        messages=[*errors.values(), *(str(m) for m in result.messages)],
        hits=[hit_view(hit, language, marks.get(hit.facility["facility_id"])) for hit in result.hits],
        total=result.total,
        facets=facets_view(result, args, language),
        chips=active_filters(args, language, centres, query),
        pages=page_links(result.page, result.per_page, result.total,
                         lambda n: changed(args, set_={"page": str(n)})),
        sorts=[{"label": text, "selected": query.sort == key, "url": changed(args, set_={"sort": key})}
               for key, text in labels.SORTS.items()],
        map_url=with_args("maps.map_page", map_args),
        clear_url=url_for("search.results"),
    )


@blp.get("/facilities/<facility_id>")
def facility(facility_id: str):
    language = current_lang()
    detail = facility_detail(db.session, facility_id, today())
    if detail is None:
        abort(404, description=_l("No facility with this identifier."))
    q = request.args.get("q", "")[:MAX_QUERY_CHARS]
    page = _positive_int(request.args.get("page"), 1)
    rows, total = facility_capabilities(db.session, facility_id, q, page, CAPABILITIES_PER_PAGE, today())
    args = request.args

    def page_url(n):
        new = MultiDict(args)
        new.setlist("page", [str(n)])
        return with_args("search.facility", new, facility_id=facility_id)

    return render_template(
        "facility.html",
        **facility_view(detail, language),
        capabilities=[capability_labels(c, language) for c in rows], capabilities_total=total, capability_q=q,
        pages=page_links(page, CAPABILITIES_PER_PAGE, total, page_url),
        map_url=url_for("search.facility_map_page", facility_id=facility_id),
        bookable=bookable_count(db.session, facility_id, today()),
        scope_url=(url_for("search.facility_scope_workbook", facility_id=facility_id)
                   if keeps(current_user, facility_id) else None),
    )


@blp.get("/facilities/<facility_id>/scope.xlsx")
def facility_scope_workbook(facility_id: str):
    """The facility's scope in its published layouts, for its operators and admins to check."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if current_user.role not in ("admin", "operator"):
        abort(403)
    if not keeps(current_user, facility_id) or facility_detail(db.session, facility_id, today()) is None:
        abort(404, description=_l("No facility with this identifier."))
    response = Response(scope_workbook(db.session, facility_id),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = f'attachment; filename="{facility_id}-scope.xlsx"'
    return response


@blp.get("/facilities/<facility_id>/map")
def facility_map_page(facility_id: str):
    detail = facility_detail(db.session, facility_id, today())
    if detail is None:
        abort(404)
    fmap = facility_map_for(detail)
    if fmap is None:
        abort(404, description=_l("This facility has no recorded location."))
    from geo.maps import render_page  # folium: loaded when a map is first drawn

    return render_page(fmap)


def _positive_int(raw, default: int, ceiling: int = MAX_PAGE) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return default
    return min(max(value, 1), ceiling)
