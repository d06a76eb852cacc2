"""The figures of the audit dashboard: key, label, one-sentence definition, group, format.

One list, so that the district table, the choropleth's figure chooser, the exports and the
printable report all name and define a figure the same way (Chinese and English via Babel).
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# The urban core (主城区) for the Theil decomposition; the other nine are the outer districts and
# counties. 上城, 拱墅, 西湖 and 滨江 are the four central districts, taken whole: most of their land lies
# inside the ring expressway, but 西湖区's 转塘 and 双浦 lie outside it (the grouping is by district).
URBAN_CORE = ("330102", "330105", "330106", "330108")
EXPIRY_WINDOWS = (30, 90, 180)  # days: the certificate lists
SPREAD_FIGURES = ("capabilities_per_100k", "facilities_per_100k")  # whose Gini and Theil are shown
TABLE_EXPIRY_DAYS = 90  # the district table's "expiring" column


@dataclass(frozen=True)
class Figure:
    key: str
    label: object  # lazy string
    definition: object
    group: str
    format: str = "int"  # int | pct | dec1 | dec2


GROUPS = {
    "base": _l("Census and area"),
    "facilities": _l("Facilities"),
    "capabilities": _l("Capabilities"),
    "density": _l("Density"),
    "certificates": _l("Certificates"),
    "bookings": _l("Bookings"),
}

FIGURES = [
    Figure("population", _l("Residents"), _l("Resident population, 2020 (seventh national) census."), "base"),
    Figure("area_km2", _l("Area (km²)"), _l("Land area in square kilometres."), "base", "dec1"),
    Figure("facilities", _l("Facilities"),
           _l("Active facilities (not deleted, status active) registered in the district."), "facilities"),
    Figure("kind_metrology", _l("Metrology"), _l("Active metrology institutes."), "facilities"),
    Figure("kind_testing", _l("Testing"), _l("Active inspection and testing bodies."), "facilities"),
    Figure("kind_certification", _l("Certification"), _l("Active certification bodies."), "facilities"),
    Figure("own_state", _l("State-owned"), _l("Active facilities owned by the state."), "facilities"),
    Figure("own_private", _l("Private"), _l("Active facilities funded privately."), "facilities"),
    Figure("level_national", _l("National"), _l("Active facilities at national level."), "facilities"),
    Figure("level_provincial", _l("Provincial"), _l("Active facilities at provincial level."), "facilities"),
    Figure("level_city", _l("City"), _l("Active facilities at city level."), "facilities"),
    Figure("level_district", _l("District or county"), _l("Active facilities at district or county level."),
           "facilities"),
    Figure("level_none", _l("Level not given"), _l("Active facilities whose level is not given."), "facilities"),
    Figure("shared", _l("Shared"), _l("Active facilities that offer shared services (Art. 6)."), "facilities"),
    Figure("shared_pct", _l("Shared (%)"), _l("Shared facilities as a percentage of active facilities."),
           "facilities", "pct"),
    Figure("capabilities", _l("Capabilities"), _l("Capabilities (not deleted) of the active facilities."),
           "capabilities"),
    Figure("cap_measurement_standard", _l("Measurement standards"),
           _l("Measurement standards of the active facilities."), "capabilities"),
    Figure("cap_test_item", _l("Test items"), _l("Test items of the active facilities."), "capabilities"),
    Figure("cap_certification_scope", _l("Certification scopes"),
           _l("Certification scopes of the active facilities."), "capabilities"),
    Figure("disciplines", _l("Disciplines (of 10)"),
           _l("Metrology disciplines (JJF 1022) with at least one measurement standard in the district."),
           "capabilities"),
    Figure("facilities_per_100k", _l("Facilities per 100,000 residents"),
           _l("Active facilities per 100,000 residents (2020 census)."), "density", "dec2"),
    Figure("capabilities_per_100k", _l("Capabilities per 100,000 residents"),
           _l("Capabilities per 100,000 residents (2020 census)."), "density", "dec1"),
    Figure("facilities_per_100km2", _l("Facilities per 100 km²"),
           _l("Active facilities per 100 square kilometres of land."), "density", "dec2"),
    Figure("capabilities_per_100km2", _l("Capabilities per 100 km²"),
           _l("Capabilities per 100 square kilometres of land."), "density", "dec1"),
    Figure("certs_expiring_90", _l("Certificates expiring ≤ 90 days"),
           _l("CMA, CNAS, CNCA and measurement-standard certificates of active facilities that lapse "
              "today or within the next 90 days."), "certificates"),
    Figure("certs_expired", _l("Certificates expired"),
           _l("Certificates of active facilities whose validity ended before today."), "certificates"),
]

BOOKING_FIGURES = [
    Figure("bookings_requested", _l("Bookings requested"),
           _l("Bookings requested of the district's facilities."), "bookings"),
    Figure("bookings_served", _l("Bookings served"),
           _l("Bookings the facility accepted, whether still to come, in progress or completed."), "bookings"),
    Figure("booking_median_response_h", _l("Median response (hours)"),
           _l("Median time from a booking request to the facility's answer, in hours."), "bookings", "dec1"),
]

FIGURE_KEYS = [f.key for f in FIGURES]
BY_KEY = {f.key: f for f in FIGURES + BOOKING_FIGURES}


def group_spans(figures: list[Figure]) -> list[tuple[str, int]]:
    """(group, number of figures) in order, for a table's two-row header."""
    spans: list[tuple[str, int]] = []
    for figure in figures:
        if spans and spans[-1][0] == figure.group:
            spans[-1] = (figure.group, spans[-1][1] + 1)
        else:
            spans.append((figure.group, 1))
    return spans
