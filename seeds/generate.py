"""Generate a deterministic data set in the interchange format (DATA_FORMAT.md v1).

One generator serves the committed demonstration data (seeds/demo/) and the
benchmarks:

    python -m seeds.generate                       # regenerate seeds/demo/
    python -m seeds.generate --facilities 1500 --capabilities 300000 \\
        --seed 7 --out /tmp/bench [--format xlsx] [--as-of 2026-11-01]

The same arguments give byte-identical files: all randomness comes from
`random.Random` instances seeded from --seed (one for the layout of the data
set, one per facility for its details and one per facility for its
capabilities, so a change in one place does not reshuffle everything after
it), and all dates are relative to --as-of, never to today. Facilities are
held in memory; capability rows are written as they are made.

Every name is fictional and carries the （演示）/(Demo) marker. Three needs
from DESIGN.md are planted on purpose, each bookable: a pressure standard
covering 50 MPa in 萧山, cable conductor resistance to GB/T 3048.4-2007, and
an ISO 9001 certification body.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from random import Random

from seeds import realistic
from seeds.capabilities import capability_counts, iter_capabilities
from seeds.facilities import DEFAULT_DISTRICTS, DistrictSampler, Facility, build_facilities
from seeds.files import CAPABILITY_COLUMNS, FACILITY_COLUMNS, write_csv, write_xlsx

__all__ = ("CAPABILITY_COLUMNS", "DEFAULT_AS_OF", "DEFAULT_DISTRICTS", "DEFAULT_OUT", "DEMO_CAPABILITIES",
           "DEMO_FACILITIES", "FACILITY_COLUMNS", "generate", "main")

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "demo"
DEMO_FACILITIES, DEMO_CAPABILITIES, DEMO_SEED = 300, 5200, 2021
DEFAULT_AS_OF = dt.date(2026, 11, 1)

VOCABULARIES = ("demo", "realistic")


def generate(out: Path, n_facilities: int, n_capabilities: int, seed: int,
             as_of: dt.date = DEFAULT_AS_OF, fmt: str = "csv",
             districts: Path = DEFAULT_DISTRICTS, vocabulary: str = "demo", scope_files: int = 0) -> list[Path]:
    """Write the data set into `out` and return the paths written.

    vocabulary 'demo' is the committed demonstration data's; 'realistic' draws capabilities from
    seeds/realistic.py (tens of thousands of distinct items, for benchmarks) and sets the CMA numbers'
    field code from each facility's domain; facilities are otherwise the same. `scope_files` writes the
    realistic items of the first N testing and metrology facilities also as published scopes (XLSX).
    """
    facilities, counts = plan(n_facilities, n_capabilities, seed, as_of, districts, vocabulary)

    def capability_rows():
        for fac, count in zip(facilities, counts):
            if vocabulary == "realistic":
                yield from realistic.capability_rows(fac, count, seed, as_of, iter_capabilities)
            else:
                yield from iter_capabilities(fac, count, seed, as_of)

    out.mkdir(parents=True, exist_ok=True)
    scopes = realistic.write_scope_files(out / "scopes", facilities, counts, seed, scope_files) if scope_files else []
    facility_rows = [f.row for f in facilities]
    if fmt == "xlsx":
        path = out / "registry.xlsx"
        write_xlsx(path, facility_rows, capability_rows(), as_of)
        return [path, *scopes]
    paths = [out / "facilities.csv", out / "capabilities.csv"]
    write_csv(paths[0], FACILITY_COLUMNS, facility_rows)
    write_csv(paths[1], CAPABILITY_COLUMNS, capability_rows())
    return paths + scopes


def plan(n_facilities: int, n_capabilities: int, seed: int, as_of: dt.date = DEFAULT_AS_OF,
         districts: Path = DEFAULT_DISTRICTS, vocabulary: str = "demo") -> tuple[list[Facility], list[int]]:
    """The data set's facilities and how many capability rows each gets (what `generate` writes)."""
    facilities = build_facilities(n_facilities, seed, as_of, DistrictSampler(districts))
    counts = capability_counts(Random(f"{seed}/counts"), facilities, n_capabilities)
    if vocabulary == "realistic":
        _realistic_cma_numbers(facilities)
    return facilities, counts


def _realistic_cma_numbers(facilities: list[Facility]) -> None:
    used = set()
    for fac in facilities:
        number = realistic.cma_with_field_code(fac.row["cma_no"], fac)
        while number and number in used:  # the serial moves on when a field code makes two numbers equal
            number = number[:8] + f"{(int(number[8:]) + 1) % 10000:04d}"
        if number:
            used.add(number)
        fac.row["cma_no"] = number


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m seeds.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--facilities", type=int, default=DEMO_FACILITIES, help="facility rows (%(default)s)")
    parser.add_argument("--capabilities", type=int, default=DEMO_CAPABILITIES,
                        help="capability rows, exactly (%(default)s)")
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help="random seed (%(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (seeds/demo)")
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv",
                        help="facilities.csv + capabilities.csv, or registry.xlsx with both sheets")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF,
                        help="reference date for validity (default %(default)s)")
    parser.add_argument("--districts", type=Path, default=DEFAULT_DISTRICTS, help="district GeoJSON")
    parser.add_argument("--scope-files", type=int, default=0, metavar="N",
                        help="with --vocabulary realistic: also write the scopes of the first N testing and "
                             "metrology facilities as published (OUT/scopes/<facility_id>.xlsx)")
    parser.add_argument("--vocabulary", choices=VOCABULARIES, default="demo",
                        help="demo (the committed demo's few hundred items) or realistic (tens of thousands of "
                             "distinct items with skewed popularity, for benchmarks)")
    args = parser.parse_args(argv)
    if args.facilities < 0 or args.capabilities < 0:
        parser.error("counts must be >= 0")
    if args.capabilities and not args.facilities:
        parser.error("capabilities need at least one facility")
    if args.scope_files and args.vocabulary != "realistic":
        parser.error("--scope-files needs --vocabulary realistic")
    paths = generate(args.out, args.facilities, args.capabilities, args.seed, args.as_of, args.format,
                     args.districts, args.vocabulary, args.scope_files)
    print(f"wrote {args.facilities} facilities and {args.capabilities} capabilities: "
          + ", ".join(str(p) for p in paths), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

