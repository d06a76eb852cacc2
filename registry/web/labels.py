"""Display names of the stored vocabulary keys, translatable (Chinese first).

Keys stay as they are stored (`operator`, `price_cny`, `update`); a page shows them in its own language
through these names and the Jinja filters registered in web/pages.py (one language at a time).
"""
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import default_exceptions

from registry.schemas.interchange import CAPABILITY_COLUMNS, FACILITY_COLUMNS
from registry.vocabulary import DISCIPLINES, DISTRICTS, district_name  # noqa: F401  (the pages' labels)

FACILITY_KINDS = {"metrology": _l("Metrology"), "testing": _l("Testing"), "certification": _l("Certification")}
OWNERSHIPS = {"state": _l("State-owned"), "private": _l("Private")}
LEVELS = {"national": _l("National"), "provincial": _l("Provincial"), "city": _l("City"),
          "district": _l("District or county")}
STATUSES = {"active": _l("Active"), "suspended": _l("Suspended"), "revoked": _l("Revoked"), "closed": _l("Closed")}
CAPABILITY_KINDS = {"measurement_standard": _l("Measurement standard"), "test_item": _l("Test item"),
                    "certification_scope": _l("Certification scope")}
COORDINATE_SYSTEMS = {"wgs84": "WGS-84", "gcj02": "GCJ-02", "bd09": "BD-09"}
# A published scope's items (services/records/scopes): how a service is given, the kind of a limitation, the layout
SERVICE_MODES = {"verification": _l("Legal verification"), "calibration": _l("Calibration"),
                 "testing": _l("Testing service"), "inspection": _l("Inspection"), "certification": _l("Certification")}
LIMITATION_KINDS = {"only": _l("only"), "except": _l("except"), "other": _l("other")}  # 限制范围: 仅, 不含, 其他
SCOPE_LAYOUTS = {"cnas-testing": _l("CNAS testing scope"), "cnas-calibration": _l("CNAS calibration scope"),
                 "cma": _l("CMA scope"), "standards": _l("List of measurement standards")}
ACCREDITATIONS = {"cma": "CMA", "cnas": "CNAS", "cnca": "CNCA"}
# Where a person checks a certificate with its issuer (links only: the registry fetches nothing from them).
# CNAS keeps its accredited-body search at cnas.org.cn; CMA qualifications and CNCA approvals are both
# searched on CNCA's public query site.
ISSUER_QUERY_PAGES = {"cma": "https://cx.cnca.cn/CertECloud/index/index/page",
                      "cnas": "https://www.cnas.org.cn/",
                      "cnca": "https://cx.cnca.cn/CertECloud/index/index/page"}
DISCIPLINE_NAMES_EN = {
    "length": "Length", "thermal": "Thermal", "mechanics": "Mechanics", "electromagnetism": "Electromagnetism",
    "radio": "Radio", "time_frequency": "Time and frequency", "optics": "Optics", "acoustics": "Acoustics",
    "ionizing_radiation": "Ionizing radiation", "physical_chemistry": "Physical chemistry",
}
SORTS = {"relevance": _l("Relevance"), "distance": _l("Distance"), "fee": _l("Fee"), "lead_time": _l("Lead time")}
ROLES = {"enterprise": _l("Enterprise"), "operator": _l("Facility operator"), "auditor": _l("Auditor (bureau)"),
         "admin": _l("Administrator")}
KEY_SCOPES = {"read": _l("read: search and read facilities and capabilities"),
              "book": _l("book: make and cancel bookings for enterprises"),
              "audit": _l("audit: the bureaus' figures by district")}
RECORDS = {"facility": _l("facility"), "capability": _l("capability"), "user": _l("user"), "api_key": _l("API key")}
CHANGES = {"create": _l("created"), "update": _l("updated"), "delete": _l("deleted"), "restore": _l("restored"),
           "revoke": _l("revoked"), "deactivate": _l("deactivated"), "reactivate": _l("reactivated")}
SOURCES = {"import": _l("import"), "web edit": _l("web edit"), "upload": _l("upload"), "restore": _l("restore"),
           "api": _l("API")}
UPLOAD_STATES = {"queued": _l("waiting"), "validating": _l("checking"),
                 "previewed": _l("checked, waiting for your confirmation"), "rejected": _l("refused"),
                 "confirmed": _l("confirmed, waiting"), "applying": _l("applying"), "applied": _l("applied"),
                 "stale": _l("not applied: the registry changed after the preview"), "cancelled": _l("cancelled"),
                 "failed": _l("failed")}
# Fields of accounts and keys (admin actions), in the same spirit as the interchange format's headers
ACCOUNT_FIELDS = {"email": _l("E-mail"), "name": _l("Name"), "role": _l("Role"), "district_code": _l("District"),
                  "facilities": _l("Facilities"), "is_active": _l("Active"), "partner": _l("Partner"),
                  "scopes": _l("Scopes"), "revoked": _l("Revoked"), "org_name": _l("Company"),
                  "uscc": _l("Unified social credit code"), "phone": _l("Phone")}
# The fields of a published scope's item, as an upload's preview names them (its layouts and service modes above)
SCOPE_ITEM_FIELDS = {"seq": _l("No."), "object": _l("Object"), "parameter": _l("Parameter"),
                     "methods": _l("Methods"), "ranges": _l("Range and uncertainty"), "limitation": _l("Limitation"),
                     "remarks": _l("Remarks"), "status": _l("Status"), "service": _l("Service mode"),
                     "field_code": _l("Field code"), "certificate_no": _l("Certificate number"),
                     "valid_until": _l("Valid until"), "public_standard": _l("Public measurement standard"),
                     "price": _l("Fee"), "verbatim": _l("Cells kept as written"), "sheet": _l("Sheet")}
# Fields of a record that are no column of the interchange format: the price column's 面议 sets the first; a
# published scope's items carry the others (the change log names them)
RECORD_FIELDS = {"price_on_request": _l("Price on request"), "object": _l("Object"), "parameter": _l("Parameter"),
                 "seq": _l("No. in the scope"), "scope_layout": _l("Scope layout"), "source_sheet": _l("Sheet"),
                 "service": _l("Service mode"), "limitation_kind": _l("Kind of limitation"),
                 "limitation": _l("Limitation"), "remarks": _l("Remarks"), "field_code": _l("Field code"),
                 "public_standard": _l("Public measurement standard"), "verbatim": _l("Cells kept as written"),
                 "methods": _l("Methods"), "ranges": _l("Range segments")}
# What werkzeug says for an HTTP error (English only), as the registry says it
HTTP_MESSAGES = {
    400: _l("The request could not be understood."), 401: _l("Please sign in to see this page."),
    403: _l("Your account may not see this page."), 404: _l("There is no such page."),
    405: _l("This page cannot be used that way."),
    409: _l("Someone changed this in the meantime; reload and try again."),
    413: _l("The file is too large."), 429: _l("Too many requests: wait a moment and try again."),
    500: _l("An unexpected error occurred."),
}
_HEADERS = {**CAPABILITY_COLUMNS, **FACILITY_COLUMNS}
_RECORD_HEADERS = {"facility": _HEADERS, "capability": {**FACILITY_COLUMNS, **CAPABILITY_COLUMNS}}
_KEYS_OF_HEADERS = {header: key for key, header in _HEADERS.items()}


def discipline_name(key: str | None, lang: str) -> str:
    if key not in DISCIPLINES:
        return key or ""
    return DISCIPLINES[key][1] if lang == "zh" else DISCIPLINE_NAMES_EN[key]


def label(vocabulary: dict, key) -> str:
    """The display name of a key, the key itself when unknown (never an error)."""
    return str(vocabulary.get(key, key or ""))


def field_name(name: str | None, lang: str, entity: str | None = None) -> str:
    """A column or field as the page's language writes it: the interchange format's Chinese header on a Chinese
    page, its English header (the key) on an English one; headers given either way are recognised. `entity`
    (facility or capability) picks the table where both have the column (kind: 类型 or 能力类型)."""
    if not name:
        return ""
    key = _KEYS_OF_HEADERS.get(name, name)
    if key in RECORD_FIELDS:
        return str(RECORD_FIELDS[key])
    if key in ACCOUNT_FIELDS and key not in _HEADERS:
        return str(ACCOUNT_FIELDS[key])
    return _RECORD_HEADERS.get(entity, _HEADERS).get(key, key) if lang == "zh" else key


def value_text(value, lang: str, field: str | None = None) -> str:
    """A stored value of `field` as a person reads it: a vocabulary's key by its name, yes/no for booleans,
    lists joined, a scope's method or range segment as written, nothing for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if isinstance(value, dict):
        return part_text(value)
    if isinstance(value, (list, tuple)):
        return ("、" if lang == "zh" else ", ").join(value_text(v, lang, field) for v in value)
    if field == "role":
        return label(ROLES, value)
    if field in CHOICE_FIELDS and isinstance(value, str):
        return choice_label(field, value, lang)
    return str(value)


def item_value(field: str, value, lang: str) -> list[str]:
    """A field of a scope item as the lines a page shows (a list one line an element), each as value_text
    writes it: status and service named, a flag yes or no."""
    return [text for one in (value if isinstance(value, list) else [value]) if (text := value_text(one, lang, field))]


def part_text(part: dict) -> str:
    """A method (standard, title, clause) or range segment (its text and uncertainty as published, else
    min–max unit) of a scope item, as one line."""
    written = [part[k] for k in ("text", "u_text") if part.get(k)]
    if written:
        return " ".join(written)
    if "standard" in part:
        return " ".join(str(part[k]) for k in ("standard", "title", "clause") if part.get(k))
    span = "–".join(str(part[k]) for k in ("min", "max") if part.get(k) is not None)
    return " ".join(p for p in (span, part.get("unit") or "") if p)


def source_text(source: str | None) -> str:
    """Where a change set came from ('import facilities.csv', 'web edit facility F0001'), its kind translated."""
    text = source or ""
    for prefix in sorted(SOURCES, key=len, reverse=True):
        if text == prefix or text.startswith(prefix + " "):
            return str(SOURCES[prefix]) + text[len(prefix):]
    return text


def actor_text(actor: str | None) -> str:
    """Who made a change: 'user:a@b.cn' is the account a@b.cn."""
    return (actor or "").removeprefix("user:")


def http_message(message, status: int) -> str:
    """werkzeug's English description of an HTTP error replaced by the registry's, in the page's language;
    the registry's own messages (already translated) as they are."""
    default = default_exceptions.get(status)
    if message is None or status == 500 or (default is not None and str(message) == default.description):
        return str(HTTP_MESSAGES.get(status, message or ""))
    return str(message)


def choice_label(column: str, value: str | None, lang: str) -> str:
    """An option of a closed vocabulary in an edit form (the value stays the stored key)."""
    if not value:
        return ""
    if column == "district_code":
        return district_name(value, lang)
    if column == "discipline":
        return discipline_name(value, lang)
    if column in ("shared", "bookable"):
        return str(_l("Yes") if value == "yes" else _l("No"))
    return label(CHOICES.get(column, {}), value)


CHOICES = {"kind": {**FACILITY_KINDS, **CAPABILITY_KINDS}, "ownership": OWNERSHIPS, "level": LEVELS,
           "status": STATUSES, "crs": COORDINATE_SYSTEMS, "service": SERVICE_MODES, "limitation_kind": LIMITATION_KINDS,
           "scope_layout": SCOPE_LAYOUTS}
CHOICE_FIELDS = {*CHOICES, "district_code", "discipline"}
