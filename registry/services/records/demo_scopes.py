"""The example scopes of seeds/examples/ as demo facilities' scopes, loaded by `flask seed`.

One file per published layout goes into the demo facility its manifest (`demo_facilities.csv`: file,
facility_id) names, through the one scope import, its items marked demo. Running it again changes
nothing: an unchanged scope is unchanged items and no change set. Only demo facilities take them, so
that seeding never writes demonstration items into a real facility's scope.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l

from registry.errors import Conflict
from registry.services.records.scope_import import ScopeImportReport, import_scope, scope_facility

MANIFEST = "demo_facilities.csv"


@dataclass(frozen=True)
class ExampleScope:
    file: str
    facility_id: str
    report: ScopeImportReport


def manifest(folder: Path) -> list[tuple[str, str]]:
    """(file, facility_id) of every example scope, in the manifest's order."""
    with (folder / MANIFEST).open(encoding="utf-8", newline="") as stream:
        return [(row["file"].strip(), row["facility_id"].strip()) for row in csv.DictReader(stream)]


def load_example_scopes(session, folder: Path, actor: str = "seed") -> list[ExampleScope]:
    """Import each example scope into its demo facility; stops at the first file refused (its report says
    why; those before it stay imported, each being its own change set as with `import-scope`)."""
    loaded = []
    for file, facility_id in manifest(folder):
        if not scope_facility(session, facility_id).demo:
            raise Conflict(_l("Facility %(id)s is not demonstration data: example scopes go into demo "
                              "facilities only.", id=facility_id))
        report = import_scope(session, folder / file, facility_id, actor=actor, demo=True)
        loaded.append(ExampleScope(file, facility_id, report))
        if report.outcome == "rejected":
            break
    return loaded
