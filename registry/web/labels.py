"""Display names of the stored vocabulary keys, translatable (Chinese first)."""
from flask_babel import lazy_gettext as _l

from registry.vocabulary import DISCIPLINES, DISTRICTS, district_name  # noqa: F401  (the pages' labels)

FACILITY_KINDS = {"metrology": _l("Metrology"), "testing": _l("Testing"), "certification": _l("Certification")}
OWNERSHIPS = {"state": _l("State-owned"), "private": _l("Private")}
LEVELS = {"national": _l("National"), "provincial": _l("Provincial"), "city": _l("City"),
          "district": _l("District or county")}
STATUSES = {"active": _l("Active"), "suspended": _l("Suspended"), "revoked": _l("Revoked"), "closed": _l("Closed")}
CAPABILITY_KINDS = {"measurement_standard": _l("Measurement standard"), "test_item": _l("Test item"),
                    "certification_scope": _l("Certification scope")}
ACCREDITATIONS = {"cma": "CMA", "cnas": "CNAS", "cnca": "CNCA"}
DISCIPLINE_NAMES_EN = {
    "length": "Length", "thermal": "Thermal", "mechanics": "Mechanics", "electromagnetism": "Electromagnetism",
    "radio": "Radio", "time_frequency": "Time and frequency", "optics": "Optics", "acoustics": "Acoustics",
    "ionizing_radiation": "Ionizing radiation", "physical_chemistry": "Physical chemistry",
}
SORTS = {"relevance": _l("Relevance"), "distance": _l("Distance"), "fee": _l("Fee"), "lead_time": _l("Lead time")}


def discipline_name(key: str | None, lang: str) -> str:
    if key not in DISCIPLINES:
        return key or ""
    return DISCIPLINES[key][1] if lang == "zh" else DISCIPLINE_NAMES_EN[key]


def label(vocabulary: dict, key) -> str:
    """The display name of a key, the key itself when unknown (never an error)."""
    return str(vocabulary.get(key, key or ""))
