"""Every audit figure with its formula, inputs, year and source: the definitions page and the report.

The district table's figures come from figures.FIGURES (their one-sentence definitions); this module
adds what a statistician needs to sign them: how each is computed, from what, of which year, from
where. Registry counts are of the registry as of its newest change; census figures are of 2020, so a
density mixes the two years, and says so.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l

from registry.services.audit.figures import BOOKING_FIGURES, FIGURES, URBAN_CORE, Figure
from registry.services.audit.public_standards import EXPIRING_DAYS
from registry.vocabulary import district_name

CENSUS_SOURCE = _l("杭州市第七次全国人口普查公报 (2020), resident population by district (2021 layout)")
AREA_SOURCE = _l("Computed from the district boundaries (cnmaps/AMap outlines) in an Albers equal-area "
                 "projection; not the official statistical area")
REGISTRY_SOURCE = _l("This registry: facilities and capabilities as registered")
ART7_SOURCE = _l("This registry: the facilities' measurement-standards lists, imported with each standard's "
                 "certificate and its flag for public use")


@dataclass(frozen=True)
class Definition:
    key: str
    label: object
    formula: str
    inputs: object
    year: object
    source: object


def _table_formula(figure: Figure) -> tuple[str, object]:
    """(formula, inputs) of a district-table figure, by the kind of figure its key names."""
    key = figure.key
    if key == "population":
        return "P_d", _l("Resident population of district d")
    if key == "area_km2":
        return "A_d", _l("Land area of district d in km²")
    if key == "shared_pct":
        return "100 × shared_d / facilities_d", _l("Shared and active facilities of the district")
    if key.endswith("_per_100k"):
        base = key.removesuffix("_per_100k")
        return f"{base}_d × 100,000 / P_d", _l("Registry count of the district; 2020 census population")
    if key.endswith("_per_100km2"):
        base = key.removesuffix("_per_100km2")
        return f"{base}_d × 100 / A_d", _l("Registry count of the district; land area")
    if key == "disciplines":
        return "|{discipline(c) : c ∈ standards_d}|", _l("Measurement standards of the district's facilities")
    if key.startswith("booking"):
        return "count / median over bookings_d", _l("The registry's bookings of the district's facilities")
    return f"Σ 1 over {key}_d", _l("Records of the registry in the district")


def figure_year(figure: Figure, as_of: str) -> object:
    """Of which year a district-table figure is: the census's, the registry's as of its newest change, or both."""
    if figure.key == "population":
        return "2020"
    if figure.key == "area_km2":
        return _l("boundaries of 2021")
    if figure.key.endswith("_per_100k"):
        return _l("registry as of %(as_of)s ÷ census 2020 (years mixed)", as_of=as_of)
    return _l("registry as of %(as_of)s", as_of=as_of)


def _source(figure: Figure) -> object:
    if figure.key == "population":
        return CENSUS_SOURCE
    if figure.key == "area_km2":
        return AREA_SOURCE
    if figure.key.endswith("_per_100k"):
        return _l("%(registry)s; %(census)s", registry=REGISTRY_SOURCE, census=CENSUS_SOURCE)
    return REGISTRY_SOURCE


def table_definitions(as_of: str) -> list[Definition]:
    out = []
    for figure in FIGURES + BOOKING_FIGURES:
        formula, inputs = _table_formula(figure)
        out.append(Definition(figure.key, figure.label, formula, _l("%(definition)s Inputs: %(inputs)s.",
                                                                   definition=figure.definition, inputs=inputs),
                              figure_year(figure, as_of), _source(figure)))
    return out


def _core_names() -> str:
    """The urban core's districts by name, in the reader's language (rendered when the page is)."""
    lang = str(get_locale())
    return ("、" if lang == "zh" else ", ").join(district_name(code, lang) for code in URBAN_CORE)


def method_definitions(as_of: str, demand_text: str, outside_text: str) -> list[Definition]:
    """The accessibility and inequality figures."""
    core = LazyString(_core_names)
    return [
        Definition("e2sfca", _l("Accessibility (E2SFCA)"),
                   "R_j = S_j / Σ_i D_i W(d_ij);  A_i = 100,000 × Σ_j R_j W(d_ij)",
                   _l("S_j: supply of shared facility j (the chosen weight); D_i: demand of 1 km cell i; d_ij: "
                      "straight-line distance in CGCS2000 / Gauss-Krüger (EPSG:4549); W: the distance decay, 0 "
                      "beyond the catchment (Luo & Qi 2009)."),
                   _l("registry as of %(as_of)s; demand: %(demand)s", as_of=as_of, demand=demand_text),
                   _l("%(registry)s; outside supply: %(outside)s", registry=REGISTRY_SOURCE, outside=outside_text)),
        Definition("decay", _l("Distance decay W(d)"),
                   "gaussian: (e^(-d²/2d0²) - e^(-1/2)) / (1 - e^(-1/2)); step: 1; linear: 1 - d/d0  (d ≤ d0)",
                   _l("d0: the catchment (one for the city, or one for the urban core and one for the outer "
                      "districts)."), "–", _l("Dai (2010); Luo & Wang (2003)")),
        Definition("supply", _l("Supply weight S_j"),
                   "items: |{(kind, name)}|; facility: 1; capabilities: rows; standards: |{standard}|; "
                   "capacity: Σ daily capacity (bookable)",
                   _l("Live, unexpired capabilities of the chosen kind and discipline of shared, active, "
                      "located facilities; (object, parameter) replaces the name once the scopes model has "
                      "them."), _l("registry as of %(as_of)s", as_of=as_of), REGISTRY_SOURCE),
        Definition("demand", _l("Demand D_i"), "D_i = Σ points in cell i, or Σ_t count_t / cells(t) for the "
                   "townships t covering cell i, or P_d / cells(d)",
                   _l("The chosen demand layer put on the 1 km grid; fallback: each district's 2020 population "
                      "spread evenly over its cells, the West Lake Scenic Area's 23,763 residents over its land "
                      "in Xihu."), demand_text, CENSUS_SOURCE),
        Definition("gini", _l("Gini (unweighted)"), "G = Σ_i Σ_j |y_i - y_j| / (2 n² ȳ)",
                   _l("y: the figure of each district (each district counts once)."), "–",
                   _l("Gini (1912); as PySAL inequality")),
        Definition("weighted_gini", _l("Gini (weighted)"), "G_w = Σ_i Σ_j w_i w_j |y_i - y_j| / (2 W² ȳ_w)",
                   _l("w: each district's residents (or each cell's demand): a person counts, not a district."),
                   "–", _l("Lerman & Yitzhaki (1989)")),
        Definition("theil", _l("Theil T and its decomposition"),
                   "T_w = Σ_i (w_i/W)(y_i/ȳ)ln(y_i/ȳ) = Σ_g (W_g/W)(ȳ_g/ȳ)ln(ȳ_g/ȳ) + Σ_g (W_g ȳ_g / W ȳ) T_g",
                   _l("Groups: the urban core (%(core)s: the four central districts, including Xihu's Zhuantang "
                      "and Shuangpu outside the ring expressway) and the outer districts; unweighted: w_i = 1.",
                      core=core), "–", _l("Theil (1967); Shorrocks (1980)")),
        Definition("range", _l("Leave-one-district-out range"), "[min_k G_w(-k), max_k G_w(-k)]",
                   _l("The weighted figure recomputed with each district left out in turn: how much it hangs on "
                      "a single district."), "–", "–"),
        Definition("sensitivity", _l("Sensitivity"), "Ā_d(c, W) for c ∈ {10, 20, 30, 45} km, W ∈ {gaussian, step, "
                   "linear}", _l("District means of E2SFCA per catchment and decay, weighted by demand."),
                   demand_text, REGISTRY_SOURCE),
    ]


def art7_definitions(as_of: str) -> list[Definition]:
    """The terms of Art. 7 (/audit/public-standards, services/audit/public_standards.py)."""
    registry = _l("registry as of %(as_of)s; validity in Hangzhou days from today", as_of=as_of)
    return [
        Definition("art7_standards", _l("Public measurement standards"), "|{c : c public, live, facility active}|",
                   _l("Measurement standards flagged for public use in a facility's measurement-standards list, not "
                      "deleted, of active facilities, counted per district and per discipline."),
                   registry, ART7_SOURCE),
        Definition("art7_validity", _l("Validity of a public standard"),
                   f"expired: v < t;  expiring: t ≤ v ≤ t + {EXPIRING_DAYS};  valid: v > t + {EXPIRING_DAYS};  "
                   "undated: v unknown",
                   _l("v: the last day of the standard's certificate of assessment; t: today in Hangzhou."),
                   registry, ART7_SOURCE),
        Definition("art7_in_force", _l("In force"), "(valid ∨ expiring) ∧ ¬ suspended",
                   _l("A public standard whose certificate has not lapsed and which the facility has not "
                      "suspended; the map's figure is the number in force per district."), registry, ART7_SOURCE),
        Definition("art7_gap", _l("Gap (Art. 7)"), "in_force(d, k) = 0",
                   _l("A district d with no public standard in force in discipline k (JJF 1022, 10 disciplines); "
                      "the standards it holds that are not in force are named beside it."), registry, ART7_SOURCE),
        Definition("art7_discipline", _l("Discipline of a public standard"), "k = discipline(name, unit)",
                   _l("The JJF 1022 discipline recognised from the standard's name and its range's unit; a "
                      "standard not recognised is counted apart and fills no gap."), registry, ART7_SOURCE),
    ]


def unmet_definitions(as_of: str, far_km: float) -> list[Definition]:
    """The counts of /audit/unmet (services/audit/unmet.py): what only a registry in use can show."""
    year = _l("registry's own traffic, by Beijing-time month, as of %(as_of)s", as_of=as_of)
    source = _l("This registry: its search pages and booking requests (no personal data kept)")
    return [
        Definition("unmet_counts", _l("Unmet demand"), "n(month, district, discipline, terms, event)",
                   _l("Events counted: a search's first page that found nothing; one that found only facilities "
                      "farther than %(km)s km from the searcher's point; a booking request declined; one refused "
                      "as fully booked. District: the searcher's point or chosen district (the facility's for a "
                      "booking); terms: the search's keywords and standard numbers, folded.", km=f"{far_km:g}"),
                   year, source),
    ]
