"""Copy the browser assets the maps need from node_modules/ into registry/static/vendor/.

Run after `npm ci` (package.json + package-lock.json pin the versions):

    npm ci --no-audit --no-fund && python scripts/vendor_assets.py

The app then serves every JavaScript, CSS and image file of its maps itself; no page
asks another host for anything. Each package's licence file is copied beside its files.
`--check` only reports what is missing (exit code 1 if anything is).
"""
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "registry" / "static" / "vendor"

# package -> (files or folders under the package, relative; the licence first)
ASSETS = {
    "leaflet": ("LICENSE", "dist/leaflet.js", "dist/leaflet.css", "dist/images"),
    "supercluster": ("LICENSE", "dist/supercluster.min.js"),
    "kdbush": ("LICENSE",),  # bundled inside supercluster.min.js: its licence is kept beside it
    # The API's docs page (/api/v1/docs), served by flask-smorest's Swagger UI template.
    "swagger-ui-dist": ("LICENSE", "NOTICE", "swagger-ui.css", "swagger-ui-bundle.js",
                        "swagger-ui-standalone-preset.js"),
}


def vendored_files() -> list[Path]:
    """Every file the maps load, as a path under VENDOR (used by tests and --check)."""
    files = []
    for package, entries in ASSETS.items():
        for entry in entries:
            source = NODE_MODULES / package / entry
            target = VENDOR / package / Path(entry).name
            if source.is_dir():
                files.extend(target / p.relative_to(source) for p in sorted(source.rglob("*")) if p.is_file())
            else:
                files.append(target)
    return files


def copy_assets() -> list[str]:
    problems = []
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for package, entries in ASSETS.items():
        package_dir = NODE_MODULES / package
        if not package_dir.is_dir():
            problems.append(f"{package}: not installed (run `npm ci` first)")
            continue
        version = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))["version"]
        target_dir = VENDOR / package
        target_dir.mkdir(parents=True, exist_ok=True)
        for entry in entries:
            source = package_dir / entry
            target = target_dir / Path(entry).name
            if source.is_dir():
                shutil.copytree(source, target)
            elif source.is_file():
                shutil.copy2(source, target)
            else:
                problems.append(f"{package}@{version}: {entry} missing")
        (target_dir / "VERSION").write_text(version + "\n", encoding="utf-8")
    return problems


def main(argv: list[str]) -> int:
    if "--check" in argv:
        missing = [str(p.relative_to(ROOT)) for p in vendored_files() if not p.is_file()]
        for path in missing:
            print(f"missing: {path}", file=sys.stderr)
        return 1 if missing else 0
    problems = copy_assets()
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"vendored {len(vendored_files())} files into {VENDOR.relative_to(ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
