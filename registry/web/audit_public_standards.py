"""Art. 7 on the audit dashboard (blueprint `audit`, registered from registry/web/audit.py):

GET  /audit/public-standards                        counts by district and discipline, gaps, the map, the list
GET  /audit/public-standards/map                    the map on its own (the page's iframe); download=1: standalone HTML
GET  /audit/public-standards/export/<table>.<fmt>   standards | counts | gaps as csv or xlsx

Every figure comes from registry/services/audit/public_standards.py; `discipline` narrows the list and
the map, never the counts and gaps (they are the whole picture).
"""
from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from registry.clock import today
from registry.extensions import db
from registry.services.audit import export as audit_export
from registry.services.audit import maps as audit_maps
from registry.services.audit import public_standards as art7
from registry.services.audit.cache import cached
from registry.web import labels as vocab
from registry.web.audit import (
    audit_scope,
    blp,
    discipline_arg,
    discipline_names,
    district_table,
    download_map,
    download_table,
    map_page,
    page_context,
    render_page,
)
from registry.web.context import current_lang, export_lang
from registry.web.maps import district_names, map_settings

UNKNOWN_LABEL = _l("Discipline not recognised")


def standards() -> list:
    scope, day = audit_scope(), today()
    return cached(db.session, "public_standards", (scope, day),
                  lambda: art7.public_standards(db.session, day, scope))


def codes() -> list[str]:
    return [r["code"] for r in district_table().rows]


def names(lang: str) -> dict[str, str]:
    """Discipline labels, the unrecognised one included."""
    return {**discipline_names(lang), art7.UNKNOWN_DISCIPLINE: str(UNKNOWN_LABEL)}


def art7_context(discipline: str = "") -> dict:
    """What the page and the printed report show: counts, gaps and the list (of `discipline`, if given);
    both pass `codes`, the districts shown."""
    every, shown_codes = standards(), codes()
    return {"art7_counts": art7.counts(every, shown_codes), "art7_by_district": art7.by_district(every, shown_codes),
            "art7_by_discipline": art7.by_discipline(every), "art7_total": art7.tally(every),
            "art7_gaps": art7.gaps(every, shown_codes), "art7_rows": art7.in_discipline(every, discipline),
            "art7_names": names(current_lang()), "validity_labels": art7.VALIDITY_LABELS,
            "count_labels": audit_export.ART7_COUNTS, "expiring_days": art7.EXPIRING_DAYS}


@blp.get("/public-standards")
def public_standards():
    discipline = discipline_arg()
    query = {"discipline": discipline} if discipline else {}
    return render_template("audit/public_standards.html", discipline=discipline,
                           disciplines=discipline_names(current_lang()), query=query,
                           map_url=url_for("audit.public_standards_map", **query), codes=codes(),
                           **art7_context(discipline), **page_context())


@blp.get("/public-standards/map")
def public_standards_map():
    discipline = discipline_arg()
    lang, scope = current_lang(), audit_scope()
    tiles, key = map_settings()
    title = str(_l("Public measurement standards in force by district"))
    if discipline:
        title += " · " + names(lang)[discipline]

    def build():
        shown = art7.in_discipline(standards(), discipline)
        district_codes = [scope] if scope else list(vocab.DISTRICTS)
        markers = [{**m, "name": str(_l("%(facility)s: %(in_force)s of %(n)s public standards in force",
                                        facility=m["facility_name"] if lang == "zh" or not m["facility_name_en"]
                                        else m["facility_name_en"], in_force=m["in_force"], n=m["standards"]))}
                   for m in art7.facility_markers(shown)]
        geojson = audit_maps.districts_geojson(current_app.config["MAP_DISTRICTS_GEOJSON"])
        return audit_maps.district_count_map(art7.in_force_by_district(shown, district_codes), district_codes,
                                             geojson, district_names(lang), title, markers=markers, tiles=tiles,
                                             tiles_key=key)

    if request.args.get("download") == "1":
        return download_map(build(), "audit-public-standards.html", title)
    return map_page(cached(db.session, "public_standards_map", (scope, today(), discipline, lang, tiles),
                           lambda: render_page(build())))


@blp.get("/public-standards/export/<table>.<fmt>")
def public_standards_export(table: str, fmt: str):
    if table not in audit_export.ART7_TABLES or fmt not in ("csv", "xlsx"):
        abort(404)
    discipline, lang = discipline_arg(), export_lang()  # headers as the other audit downloads: ?headers=zh|en
    every, labels = standards(), names(lang)
    with force_locale(lang):
        if table == "standards":
            header, rows = audit_export.public_standards_table(art7.in_discipline(every, discipline), lang, labels)
        elif table == "counts":
            header, rows = audit_export.public_standard_counts_table(art7.counts(every, codes()), lang, labels)
        else:
            header, rows = audit_export.public_standard_gaps_table(art7.gaps(every, codes()), lang, labels)
        note = labels[discipline] if discipline and table == "standards" else ""
        return download_table(f"public-standards-{table}", fmt, header, rows, note)
