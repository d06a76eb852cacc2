"""Search hits and facility records made ready to display: labels, links, flags.

Plain dictionaries in, plain dictionaries out; nothing here queries the database.
"""
from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from geo.navigation import navigation_links
from registry.web import labels


def facility_labels(facility: dict, language: str) -> dict:
    """The facility's own fields plus display names of its vocabulary keys."""
    return {
        **facility,
        "display_name": (facility.get("name_en") or facility.get("name")) if language == "en" else facility.get("name"),
        "kind_label": labels.label(labels.FACILITY_KINDS, facility.get("kind")),
        "ownership_label": labels.label(labels.OWNERSHIPS, facility.get("ownership")),
        "level_label": labels.label(labels.LEVELS, facility.get("level")) if facility.get("level") else "",
        "status_label": labels.label(labels.STATUSES, facility.get("status")),
        "inactive": facility.get("status", "active") != "active",
        "district_label": labels.district_name(facility.get("district_code"), language),
        "located": facility.get("lon") is not None and facility.get("lat") is not None,
        "url": url_for("search.facility", facility_id=facility["facility_id"]),
    }


def capability_labels(capability: dict, language: str) -> dict:
    return {
        **capability,
        "kind_label": labels.label(labels.CAPABILITY_KINDS, capability.get("kind")),
        "discipline_label": labels.discipline_name(capability.get("discipline"), language)
        if capability.get("discipline") else "",
        "standard_list": [s for s in (capability.get("standards") or "").split(";") if s],
        "has_range": capability.get("range_min") is not None or capability.get("range_max") is not None,
        # a published scope's item (scope_fields): 限制范围 with its kind, and 暂停
        "limitation_kind_label": labels.label(labels.LIMITATION_KINDS,
                                              (capability.get("limitation") or {}).get("kind")),
        "suspended": capability.get("status") == "suspended",
    }


def hit_view(hit, language: str, marks: list[dict] | None = None) -> dict:
    return {
        "facility": facility_labels(hit.facility, language),
        "marks": [{**m, "scheme_label": labels.label(labels.ACCREDITATIONS, m["scheme"]),
                   "verify_url": labels.ISSUER_QUERY_PAGES.get(m["scheme"])} for m in marks or []],
        "capabilities": [capability_labels(c, language) for c in hit.capabilities],
        "more": max(hit.matched - len(hit.capabilities), 0),
        "matched": hit.matched,
        "distance_km": hit.distance_km,
        "min_price": hit.min_price,
        "min_lead_time": hit.min_lead_time,
    }


def facility_view(detail: dict, language: str) -> dict:
    """Everything known about one facility (search.facility_detail's dict), ready for facility.html."""
    website = detail.get("website") or ""
    accreditations = [
        {**a, "scheme_label": labels.label(labels.ACCREDITATIONS, a["scheme"]), "expired": not a["valid"],
         "verify_url": labels.ISSUER_QUERY_PAGES.get(a["scheme"])}
        for a in detail["accreditations"]
    ]
    return {
        "facility": {
            **facility_labels(detail, language),
            # only web addresses become links: a `javascript:` value stays text
            "website_url": website if website.lower().startswith(("http://", "https://")) else None,
            "field_list": list(detail["fields"]),
        },
        "accreditations": accreditations,
        "navigation": navigation_links(detail.get("lon"), detail.get("lat"), str(detail.get("name") or ""),
                                       str(detail.get("address") or "")),
    }


def page_links(page: int, per_page: int, total: int, url_for_page, around: int = 2) -> dict:
    """Previous/next and a window of page numbers, with gaps marked by None."""
    last = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), last)
    numbers = sorted({1, last, *range(max(page - around, 1), min(page + around, last) + 1)})
    items, previous = [], 0
    for n in numbers:
        if n - previous > 1:
            items.append(None)
        items.append({"number": n, "url": url_for_page(n), "current": n == page})
        previous = n
    return {
        "page": page, "last": last, "links": items if last > 1 else [],
        "previous": url_for_page(page - 1) if page > 1 else None,
        "next": url_for_page(page + 1) if page < last else None,
    }


FLAGS = {"shared": _l("Shared only"), "bookable": _l("Bookable"), "valid": _l("Valid certificates only"),
         "public_standard": _l("Public measurement standards only"), "inactive": _l("Including inactive facilities")}

# The name of each search parameter beside its message (the schema's field names).
FIELD_NAMES = {"q": _l("What do you need?"), "standard": _l("Standard number"), "district": _l("District"),
               "ownership": _l("Ownership"), "level": _l("Level"), "accreditation": _l("Accreditation"),
               "discipline": _l("Metrology discipline"), "quantity": _l("Quantity"), "value": _l("Value"),
               "unit": _l("Unit"), "near": _l("Near"), "radius_km": _l("Radius (km)"),
               "bbox": _l("Within the map area"),
               "status": _l("Status"), "updated_since": _l("Updated since"), "kind": _l("Kind"), "sort": _l("Sort by"),
               "page": _l("Page"), "per_page": _l("Results per page"), "lead_time_max": _l("Lead time"),
               "service": _l("Service mode"), **FLAGS}

# What a chip says for a filter that is not a vocabulary key, from the value as typed.
CHIP_TEXTS = {"bbox": lambda value: _l("Within the map area"),
              "radius_km": lambda value: _l("Within %(km)s km", km=value),
              "lead_time_max": lambda value: _l("Done within %(days)s days", days=value),
              "service": lambda value: _l("Service mode: %(mode)s", mode=labels.label(labels.SERVICE_MODES, value))}


def problem_view(problems) -> dict[str, str]:
    """{field: "its name: the schema's message"} for the values a search left out."""
    return {p.field: f"{FIELD_NAMES.get(p.field, p.field)}: {p}" for p in problems}


def near_place(value: str, centres: dict, language: str) -> str:
    for code, (lon, lat) in centres.items():
        if value == f"{lon},{lat}":
            return labels.district_name(code, language)
    return str(_l("the chosen point"))


FORM_FIELDS = ("q", "quantity", "value", "unit", "near", "radius_km", "kind", "district", "ownership", "accreditation",
               "service", "sort", *FLAGS)


def form_view(args: MultiDict, language: str, centres: dict, errors: dict | None = None,
              parameters=()) -> dict:
    """What the search form shows: the values as typed, which choices are ticked, each field's problem;
    the other search `parameters` of the query string ride along hidden."""
    def ticked(name, vocabulary):
        chosen = args.getlist(name)
        return [{"value": key, "label": labels.label(vocabulary, key), "checked": key in chosen}
                for key in vocabulary]

    near = args.get("near", "")
    near_options = [{"value": f"{lon},{lat}", "label": labels.district_name(code, language),
                     "selected": near == f"{lon},{lat}"} for code, (lon, lat) in centres.items()]
    custom_near = bool(near) and not any(option["selected"] for option in near_options)
    chosen_districts = args.getlist("district")
    return {
        "q": args.get("q", ""), "quantity": args.get("quantity", ""), "value": args.get("value", ""),
        "unit": args.get("unit", ""), "radius_km": args.get("radius_km", ""),
        "near": near, "near_options": near_options, "custom_near": custom_near,
        "kinds": ticked("kind", labels.FACILITY_KINDS),
        "ownerships": [{"value": key, "label": str(text), "selected": args.get("ownership") == key}
                       for key, text in labels.OWNERSHIPS.items()],
        "accreditations": ticked("accreditation", labels.ACCREDITATIONS),
        "services": ticked("service", labels.SERVICE_MODES),
        "flags": [{"name": name, "label": text, "checked": args.get(name) == "1"} for name, text in FLAGS.items()],
        "sorts": [{"value": key, "label": text, "selected": args.get("sort", "relevance") == key}
                  for key, text in labels.SORTS.items()],
        "districts": [{"value": code, "label": labels.district_name(code, language),
                       "selected": code in chosen_districts} for code in centres],
        "hidden": [(key, value) for key, value in args.items(multi=True)
                   if key in parameters and key not in FORM_FIELDS and value],
        "errors": errors or {},
    }


def example_searches(centres: dict) -> list[dict]:
    """The three needs a newcomer typically has, one click each from the home page."""
    lon, lat = centres["330109"]  # 萧山区
    return [
        {"label": _l("a pressure standard covering 50 MPa near Xiaoshan"),
         "url": url_for("search.results", quantity="压力", value="50", unit="MPa", near=f"{lon},{lat}",
                        sort="distance")},
        {"label": _l("conductor DC resistance to GB/T 3048.4"), "url": url_for("search.results", q="GB/T 3048.4")},
        {"label": _l("an ISO 9001 certification body"),
         "url": url_for("search.results", q="ISO 9001", kind="certification")},
    ]
