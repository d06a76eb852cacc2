"""The bureau audit dashboard (blueprint `audit`, under /audit): thin views over registry/services/audit*.

GET  /audit/                        district table, choropleth of a chosen figure, spread (Gini, Theil)
GET  /audit/map                     the choropleth on its own (the dashboard's iframe); download=1: standalone HTML
GET  /audit/gaps                    discipline matrix, Art. 6 list, lapsing certificates (window=30|90|180)
GET  /audit/access                  accessibility (E2SFCA) form, grid map, per-district means; POST: demand CSV
GET  /audit/access/map              the accessibility grid map (iframe); download=1: standalone HTML
GET  /audit/export/<table>.<fmt>    every table as csv or xlsx
GET  /audit/report                  the printable report (A4)
(and the routes of audit_method, audit_unmet and audit_public_standards, Art. 7, on this blueprint)

Access: every view runs behind one `before_request` hook, `check_access`, which calls `audit_access()`;
every service call is limited to `audit_scope()` (a district code, or None for the whole city).
"""
from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import escape

from registry.clock import MINUTES, local_text, now, today
from registry.config import PROJECT_ROOT
from registry.errors import RegistryError
from registry.extensions import db
from registry.services.audit import accessibility as access_service
from registry.services.audit import demand, sensitivity
from registry.services.audit import district_table as audit
from registry.services.audit import export as audit_export
from registry.services.audit import gaps as audit_gaps
from registry.services.audit import maps as audit_maps
from registry.services.audit.cache import cached
from registry.services.audit.demand import inputs_version, layer_label
from registry.services.audit.figures import (
    BOOKING_FIGURES,
    BY_KEY,
    EXPIRY_WINDOWS,
    FIGURES,
    GROUPS,
    SPREAD_FIGURES,
    URBAN_CORE,
    group_spans,
)
from registry.services.audit.outside_supply import outside_count
from registry.services.audit.supply import WEIGHT_LABELS
from registry.services.districts import district_locator, district_points
from registry.web import labels as vocab
from registry.web.access import roles_required
from registry.web.context import current_lang, export_lang
from registry.web.maps import district_names, map_settings
from registry.web.security import nonce_scripts

blp = Blueprint("audit", __name__, url_prefix="/audit")
STATIC = PROJECT_ROOT / "registry" / "static"


def audit_access():
    """The one access check of the audit pages: auditors and admins (anonymous visitors are sent to
    sign in, other roles get 403)."""
    return roles_required("auditor", "admin")(lambda: None)()


def audit_scope() -> str | None:
    """The district the signed-in auditor is bound to; None (the whole city) for city-wide auditors
    and admins."""
    return current_user.district_code if current_user.role == "auditor" else None


# folium (geo.maps, geo.choropleth) takes a second to import: loaded when a map is first drawn.
def render_page(m) -> str:
    from geo.maps import render_page as render

    return render(m)


def standalone_page(m, static, title) -> str:
    from geo.choropleth import standalone_page as page

    return page(m, static, title)


@blp.before_request
def check_access():
    return audit_access()


# --- shared pieces ------------------------------------------------------------------------------

def district_table():
    return audit.cached_district_table(db.session, today(), audit_scope())


def discipline_names(lang: str) -> dict[str, str]:
    return {key: vocab.discipline_name(key, lang) for key in vocab.DISCIPLINES}


def spreads(table) -> list:
    out = []
    for key in SPREAD_FIGURES:
        result = access_service.spread(table.rows, key)
        if result is not None:
            out.append((BY_KEY[key].label, result))
    return out


def as_of() -> str:
    moment = audit.data_as_of(db.session)
    if moment is None:
        return "–"
    return local_text(moment)


def page_context(**extra) -> dict:
    lang = current_lang()
    return {"figures": FIGURES, "booking_figures": BOOKING_FIGURES, "groups": GROUPS, "fmt": audit_maps.format_value,
            "by_key": BY_KEY, "group_spans": group_spans, "scope": audit_scope(),
            "district_names": district_names(lang),
            "today": today(), "demo_facilities": district_table().demo,
            "as_of": as_of(), "schemes": audit_maps.SCHEME_LABELS, **extra}


def download_map(m, filename: str, title: str) -> Response:
    """The map as one standalone HTML file (Leaflet inlined): opens with no server."""
    return Response(standalone_page(m, STATIC, title), mimetype="text/html",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def discipline_arg() -> str:
    """The optional `discipline` of a page's query string; an unknown one is a clear 400."""
    text = (request.args.get("discipline") or "").strip()
    if text and text not in vocab.DISCIPLINES:
        raise RegistryError(_l("Unknown discipline %(discipline)s.", discipline=text[:40]))
    return text


def download_table(name: str, fmt: str, header: list, rows: list, note: str = "") -> Response:
    """A table as a CSV (UTF-8 with BOM) or XLSX download named for `name` and today; the XLSX says
    when its data is from (and `note`, e.g. the period)."""
    filename = f"audit-{name}-{today().isoformat()}.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "csv":
        return Response(audit_export.to_csv(header, rows), mimetype="text/csv", headers=disposition)
    stamp = str(_l("Data as of %(as_of)s · printed %(today)s", as_of=as_of(), today=today().isoformat()))
    return Response(audit_export.to_xlsx(name, header, rows, " · ".join(filter(None, (stamp, note)))),
                    headers=disposition,
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def map_page(html: str) -> Response:
    """A rendered map as the page of the dashboard's iframe."""
    title = "<title>" + str(escape(_l("Map"))) + "</title>"
    return Response(html.replace("<head>", "<head>\n    " + title, 1), mimetype="text/html")


# --- district table and choropleth --------------------------------------------------------------

@blp.get("/")
def dashboard():
    args = audit_maps.parse_map_args(request.args)
    table = district_table()
    return render_template("audit/dashboard.html", table=table, map_args=args, spreads=spreads(table),
                           map_url=url_for("audit.district_map", **map_query(args)), **page_context())


def map_query(args) -> dict:
    query = {"figure": args.figure, "scheme": args.scheme, "k": args.k}
    if args.markers:
        query["markers"] = "1"
    return query


@blp.get("/map")
def district_map():
    args = audit_maps.parse_map_args(request.args)
    lang, download = current_lang(), request.args.get("download") == "1"
    tiles, key = map_settings()
    scope = audit_scope()

    def build():
        table = district_table()
        markers = audit_maps.facility_markers(db.session, scope) if args.markers else None
        geojson = audit_maps.districts_geojson(current_app.config["MAP_DISTRICTS_GEOJSON"])
        return audit_maps.district_choropleth(table, args, geojson, lang, markers, as_of=as_of(), tiles=tiles,
                                              tiles_key=key)

    if download:
        return download_map(build(), f"audit-{args.figure}.html", str(BY_KEY[args.figure].label))
    return map_page(cached(db.session, "district_map", (scope, today(), args, lang, tiles),
                           lambda: render_page(build())))


# --- gaps ---------------------------------------------------------------------------------------

def window_arg() -> int:
    text = request.args.get("window") or "90"
    if text not in {str(w) for w in EXPIRY_WINDOWS}:
        raise RegistryError(_l("The window must be one of %(windows)s days.",
                               windows=", ".join(map(str, EXPIRY_WINDOWS))))
    return int(text)


def gaps_data(window: int, quantity: str = "") -> dict:
    scope, day = audit_scope(), today()
    centres = district_points(current_app.config["DISTRICTS_GEOJSON"])

    def compute():
        every = audit_gaps.certificate_rows(db.session, day, max(EXPIRY_WINDOWS), scope, include_expired=True)
        return {"matrix": audit_gaps.discipline_matrix(db.session, day, centres, scope, quantity=quantity),
                "art6": audit_gaps.art6_list(db.session, day, scope),
                "summary": audit_gaps.certificate_summary(every),
                "certificates": every}

    data = cached(db.session, "gaps", (scope, day, quantity), compute)
    in_window = [r for r in data["certificates"] if 0 <= r["days_left"] <= window]
    return {**data, "in_window": in_window, "facilities": audit_gaps.certificates_by_facility(in_window)}


def quantity_arg() -> str:
    return (request.args.get("quantity") or "").strip()[:audit_gaps.MAX_QUANTITY_CHARS]


@blp.get("/gaps")
def gaps():
    window, quantity = window_arg(), quantity_arg()
    data = gaps_data(window, quantity)
    return render_template("audit/gaps.html", window=window, quantity=quantity, windows=EXPIRY_WINDOWS,
                           disciplines=vocab.DISCIPLINES,
                           discipline_names=discipline_names(current_lang()), reasons=audit_export.REASONS,
                           certificate_names=audit_export.CERTIFICATE_NAMES, reach_km=audit_gaps.DEFAULT_REACH_KM,
                           codes=[r["code"] for r in district_table().rows], **data, **page_context())


# --- accessibility ------------------------------------------------------------------------------

def grid():
    """The whole city's grid, whatever the scope: people near a district's edge reach its neighbours.
    Its weights are the census fallback (the scenic area's residents on their land)."""
    return access_service.resident_grid(current_app.config["DISTRICTS_GEOJSON"],
                                        access_service.populations(db.session))


def access_key(args) -> tuple:
    """What an accessibility figure depends on beyond the registry's data version."""
    return (args, today(), access_service.populations(db.session), inputs_version(db.session))


def grid_result(args):
    day = today()
    return cached(db.session, "access", access_key(args),
                  lambda: access_service.accessibility(db.session, args, grid(), day))


def difference_result(args, other):
    day = today()
    return cached(db.session, "access_difference", (*access_key(args), other),
                  lambda: sensitivity.difference(db.session, args, other, grid(), day))


def access_map(result, args, lang: str, subtitle: str | None = None, title: str | None = None):
    tiles, key = map_settings()
    geojson = audit_maps.districts_geojson(current_app.config["MAP_DISTRICTS_GEOJSON"])
    return audit_maps.accessibility_map(result, args.scheme, args.k, geojson, district_names(lang), subtitle,
                                        title=title, tiles=tiles, tiles_key=key)


def access_subtitle(args, other=None, demand_label=None) -> str:
    """What the map shows: supply, weight, catchments, decay, the comparison, and the demand layer."""
    what = [str(vocab.CAPABILITY_KINDS[args.kind]) if args.kind else str(_l("all capabilities"))]
    if args.discipline:
        what.append(vocab.discipline_name(args.discipline, current_lang()))
    what.append(str(WEIGHT_LABELS[args.weight]))
    setting = f"{args.catchment_km} km"
    if args.catchment_by_district():
        setting = str(_l("core %(core)s km, outer %(outer)s km", core=args.core_km or args.catchment_km,
                         outer=args.outer_km or args.catchment_km))
    what.append(f"{setting} · {access_service.DECAY_LABELS[args.decay]}")
    if other is not None:
        what.append(str(_l("minus %(km)s km · %(decay)s", km=other.catchment_km,
                           decay=access_service.DECAY_LABELS[other.decay])))
    if not args.outside:
        what.append(str(_l("without outside supply")))
    label = demand_label or layer_label(db.session, args.demand)
    what.append(str(_l("demand: %(demand)s", demand=label.text())))
    return " · ".join(what)


def scoped_means(result) -> dict:
    scope = audit_scope()
    return {c: v for c, v in result.district_means.items() if scope is None or c == scope}


@blp.route("/access", methods=["GET", "POST"])
def accessibility():
    args = access_service.parse_access_args(request.values)
    lang = current_lang()
    upload = None
    if request.method == "POST":
        file = request.files.get("demand")
        if file is None or not file.filename:
            raise RegistryError(_l("Choose a demand file (CSV: lon, lat, weight)."))
        lon, lat, weight = access_service.parse_demand_csv(file.read(access_service.MAX_DEMAND_BYTES + 1))
        district = district_locator(current_app.config["DISTRICTS_GEOJSON"]).locate_many(lon, lat)
        result = access_service.accessibility_for_points(db.session, args, lon, lat, weight, district, today())
        label = demand.DemandLabel(0, str(_l("Uploaded file %(name)s (not kept)", name=file.filename[:80])), "other",
                                   today().year, str(_l("uploaded for this page only")))
        upload = {"rows": int(lon.size), "label": label,
                  "html": nonce_scripts(render_page(access_map(result, args, lang,
                                                               access_subtitle(args, demand_label=label))))}
    else:
        result = grid_result(args)
    other = sensitivity.parse_comparison(request.values, args)
    codes = [r["code"] for r in district_table().rows]
    means = scoped_means(result)
    return render_template(
        "audit/access.html", args=args, result=result, means=means, codes=codes, upload=upload,
        kinds=vocab.CAPABILITY_KINDS, disciplines=discipline_names(lang), decays=access_service.DECAY_LABELS,
        map_url=url_for("audit.accessibility_map", **access_query(args, other)),
        map_version=hashlib.blake2b(repr((args, other)).encode(), digest_size=6).hexdigest(),
        weights=WEIGHT_LABELS, layers=demand.demand_layers(db.session), demand_kinds=demand.KIND_LABELS,
        demand_label=upload["label"] if upload else layer_label(db.session, args.demand), other=other,
        outside_total=outside_count(db.session),
        cell_spread=cached(db.session, "access_spread", access_key(args),
                           lambda: access_service.cell_spread(result)) if upload is None else None,
        may_import=current_user.role == "admin" or audit_scope() is None, **page_context())


def access_query(args, other=None) -> dict:
    query = {"kind": args.kind, "discipline": args.discipline, "catchment_km": args.catchment_km,
             "decay": args.decay, "weight": args.weight, "scheme": args.scheme, "k": args.k}
    extra = {"demand": args.demand, "outside": 0 if not args.outside else None, "core_km": args.core_km,
             "outer_km": args.outer_km}
    if other is not None:
        extra.update(vs_catchment_km=other.catchment_km, vs_decay=other.decay)
    query.update({key: value for key, value in extra.items() if value})
    return query


@blp.get("/access/map")
def accessibility_map():
    args = access_service.parse_access_args(request.args)
    other = sensitivity.parse_comparison(request.args, args)
    lang, download = current_lang(), request.args.get("download") == "1"

    def build():
        if other is None:
            return access_map(grid_result(args), args, lang, access_subtitle(args))
        return access_map(difference_result(args, other), args, lang, access_subtitle(args, other),
                          title=str(_l("Difference in accessibility (per 100,000 of demand)")))

    if download:
        return download_map(build(), f"audit-accessibility-{args.catchment_km}km.html", str(_l("Accessibility")))
    tiles, _key = map_settings()
    return map_page(cached(db.session, "access_map", (*access_key(args), other, lang, tiles),
                           lambda: render_page(build())))


# --- exports ------------------------------------------------------------------------------------

@blp.get("/export/<name>.<fmt>")
def export(name: str, fmt: str):
    """Headers and values in the page's language (Chinese by default), or as `headers=zh|en` asks."""
    if name not in audit_export.TABLES or fmt not in ("csv", "xlsx"):
        abort(404)
    lang = export_lang()
    with force_locale(lang):
        name, header, rows = export_table(name, lang)
        return download_table(name, fmt, header, rows)


def export_table(name: str, lang: str) -> tuple[str, list, list]:
    """(file name part, header, rows) of the audit table `name` in `lang`."""
    table = district_table()
    codes = [r["code"] for r in table.rows]
    if name == "districts":
        header, rows = audit_export.districts_table(table, lang)
    elif name == "disciplines":
        header, rows = audit_export.disciplines_table(gaps_data(90, quantity_arg())["matrix"], lang,
                                                      discipline_names(lang))
    elif name == "art6":
        header, rows = audit_export.art6_table(gaps_data(90)["art6"], lang)
    elif name == "certificates":
        window = window_arg()
        header, rows = audit_export.certificates_table(gaps_data(window)["in_window"], lang)
        name = f"certificates-{window}d"
    elif name == "certificate_summary":
        header, rows = audit_export.certificate_summary_table(gaps_data(90)["summary"], codes, lang)
    elif name == "certificate_facilities":
        window = window_arg()
        header, rows = audit_export.certificate_facilities_table(gaps_data(window)["facilities"], lang)
        name = f"certificate-facilities-{window}d"
    elif name == "access":
        args = access_service.parse_access_args(request.args)
        header, rows = audit_export.access_table(scoped_means(grid_result(args)), codes, lang,
                                                 layer_label(db.session, args.demand).text(), access_subtitle(args))
    elif name == "spread_weighted":
        header, rows = audit_export.spread_weighted_table(spreads(table))
    else:
        header, rows = audit_export.spread_table(spreads(table))
    return name, header, rows


# --- printable report ---------------------------------------------------------------------------

@blp.get("/report")
def report():
    table = district_table()
    data = gaps_data(90)
    args = access_service.AccessArgs()
    result = grid_result(args)
    map_args = audit_maps.parse_map_args(request.args)
    return render_template(
        "audit/report.html", table=table, spreads=spreads(table), window=90, windows=EXPIRY_WINDOWS,
        disciplines=vocab.DISCIPLINES, discipline_names=discipline_names(current_lang()),
        reasons=audit_export.REASONS, certificate_names=audit_export.CERTIFICATE_NAMES,
        codes=[r["code"] for r in table.rows], means=scoped_means(result), args=args, map_args=map_args,
        map_url=url_for("audit.district_map", **map_query(map_args)),
        access_url=url_for("audit.accessibility_map", **access_query(args)), printed=now().strftime(MINUTES),
        urban_core=URBAN_CORE, reach_km=audit_gaps.DEFAULT_REACH_KM, demand_label=layer_label(db.session, 0),
        weights=WEIGHT_LABELS, definitions=audit_method.all_definitions(), document=report_document(), **data,
        **audit_public_standards.art7_context(), discipline="", **page_context())


def report_document() -> dict:
    """The printed report's issuing body, date of data and map-review number (审图号), from the settings."""
    config, lang = current_app.config, current_lang()
    issuer = (config["REPORT_ISSUER_EN"] if lang == "en" and config["REPORT_ISSUER_EN"] else config["REPORT_ISSUER"])
    return {"issuer": str(issuer or ""), "data_date": str(config["REPORT_DATA_DATE"] or "") or as_of(),
            "map_review_no": str(config["REPORT_MAP_REVIEW_NO"] or "")}


from registry.web import audit_method, audit_public_standards, audit_unmet  # noqa: E402,F401  (their routes here)
