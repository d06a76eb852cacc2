"""Unmet demand on the audit dashboard (blueprint `audit`, registered from registry/web/audit.py):

GET  /audit/unmet                  the gaps table, the map of gaps by district, the trend by month
GET  /audit/unmet/map              the map on its own (the page's iframe); download=1: standalone HTML
GET  /audit/unmet/export.<fmt>     the table as csv or xlsx (every row, not only the page's)

The counts come from the registry's own traffic (registry/services/audit/unmet.py); no view here writes.
"""
from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from registry.clock import today
from registry.errors import RegistryError
from registry.extensions import db
from registry.services.audit import maps as audit_maps
from registry.services.audit import unmet_figures as figures
from registry.services.audit.unmet import flush
from registry.web import labels as vocab
from registry.web.audit import (
    audit_scope,
    blp,
    discipline_arg,
    discipline_names,
    download_map,
    download_table,
    map_page,
    page_context,
    render_page,
)
from registry.web.context import current_lang
from registry.web.maps import district_names, map_settings

REASON_LABELS = {"no_result": _l("Searches that found nothing"),
                 "far_only": _l("Searches that found only far-away facilities"),
                 "declined": _l("Booking requests declined"),
                 "fully_booked": _l("Booking requests refused: fully booked")}
PERIOD_LABELS = {3: _l("Last 3 months"), 6: _l("Last 6 months"), 12: _l("Last 12 months"), 0: _l("All months")}


def period_arg() -> int:
    text = request.args.get("months") or str(figures.DEFAULT_PERIOD)
    if text not in {str(p) for p in figures.PERIODS}:
        raise RegistryError(_l("The period must be one of %(periods)s months (0: all).",
                               periods=", ".join(map(str, figures.PERIODS))))
    return int(text)


def place_name(code: str, names: dict) -> str:
    return names.get(code) or str(_l("No place given"))


def discipline_label(key: str, names: dict) -> str:
    if not key:
        return str(_l("Any discipline"))
    return " + ".join(names.get(part, part) for part in key.split("+"))


def filters() -> tuple[int, str, str | None]:
    months, discipline = period_arg(), discipline_arg()
    flush()  # the counts this process still holds in its queue, written before they are read
    return months, discipline, figures.first_month(today(), months)


@blp.get("/unmet")
def unmet():
    months, discipline, since = filters()
    lang, scope = current_lang(), audit_scope()
    query = {"months": months, **({"discipline": discipline} if discipline else {})}
    trend = figures.by_month(db.session, scope, since, discipline)
    return render_template(
        "audit/unmet.html", months=months, discipline=discipline, periods=PERIOD_LABELS,
        disciplines=discipline_names(lang), reasons=REASON_LABELS, trend=trend,
        peak=max([m["total"] for m in trend] or [0]),
        rows=figures.unmet_rows(db.session, scope, since, discipline, limit=figures.TABLE_ROWS),
        limit=figures.TABLE_ROWS, place=lambda code: place_name(code, district_names(lang)),
        discipline_label=lambda key: discipline_label(key, discipline_names(lang)),
        far_km=current_app.config.get("UNMET_FAR_KM", 30), query=query,
        map_url=url_for("audit.unmet_map", **query), **page_context())


@blp.get("/unmet/map")
def unmet_map():
    months, discipline, since = filters()
    lang, scope = current_lang(), audit_scope()
    tiles, key = map_settings()
    codes = [scope] if scope else list(vocab.DISTRICTS)
    geojson = audit_maps.districts_geojson(current_app.config["MAP_DISTRICTS_GEOJSON"])
    title = str(_l("Unmet demand by district · %(period)s", period=PERIOD_LABELS[months]))
    if discipline:
        title += " · " + discipline_label(discipline, discipline_names(lang))
    m = audit_maps.district_count_map(figures.by_district(db.session, scope, since, discipline), codes, geojson,
                                      district_names(lang), title, tiles=tiles, tiles_key=key)
    if request.args.get("download") == "1":
        return download_map(m, "audit-unmet-demand.html", title)
    return map_page(render_page(m))


@blp.get("/unmet/export.<fmt>")
def unmet_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    months, discipline, since = filters()
    lang = current_lang()
    names, disciplines = district_names(lang), discipline_names(lang)
    header = [str(h) for h in (_l("Code"), _l("District"), _l("Discipline"), _l("Searched for or booked"),
                               *REASON_LABELS.values(), _l("Total"))]
    rows = [[r.district_code, place_name(r.district_code, names), discipline_label(r.discipline, disciplines),
             r.term, r.no_result, r.far_only, r.declined, r.fully_booked, r.total]
            for r in figures.unmet_rows(db.session, audit_scope(), since, discipline)]
    return download_table("unmet-demand", fmt, header, rows, str(PERIOD_LABELS[months]))
