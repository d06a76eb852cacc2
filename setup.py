"""The wheel carries everything the app reads at run time (`pip wheel .` / `python -m build`).

The repository keeps its layout (templates/, migrations/ and seeds/ at the top, beside
registry/); this build step maps templates/ and migrations/ into the package and compiles the
message catalogues (.po → .mo, which git does not keep), so that an installed registry finds
them where `registry/config.py` looks: inside the package. Everything else is pyproject.toml.
"""
import shutil
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
MAPPED = {"templates": "registry/templates", "migrations": "registry/migrations"}
CATALOGUES = "registry/translations"


class build_py_with_resources(build_py):  # noqa: N801  (setuptools' naming of commands)
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the checkout
        target = Path(self.build_lib)
        for source, inside in MAPPED.items():
            shutil.rmtree(target / inside, ignore_errors=True)
            shutil.copytree(HERE / source, target / inside,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for po in (HERE / CATALOGUES).glob("*/LC_MESSAGES/*.po"):
            mo = target / po.relative_to(HERE).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as out:
                write_mo(out, catalog, use_fuzzy=True)


setup(cmdclass={"build_py": build_py_with_resources})
