# Two commands: `make run` (set up and serve on http://127.0.0.1:5000), `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app registry
CATALOGS := $(wildcard registry/translations/*/LC_MESSAGES/messages.po)

.PHONY: run test install db bench messages vendor openapi wheel

run: install db
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed $(CATALOGS:.po=.mo)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The map's JavaScript and CSS ship in registry/static/vendor/ (nothing loads from a CDN).
# To update them: change the versions in package.json, then `make vendor` (needs npm) and commit.
vendor: install
	npm install --no-audit --no-fund --loglevel=error
	$(BIN)/python scripts/vendor_assets.py

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

# Create or upgrade the database, then load the districts and the demo data (idempotent).
db: install
	$(FLASK) db upgrade
	$(FLASK) seed

# Re-extract translatable messages after changing them; then translate the new entries.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _pl:1c,2 -k lazy_pgettext:1c,2 -o registry/translations/messages.pot .
	$(BIN)/pybabel update -i registry/translations/messages.pot -d registry/translations --no-fuzzy-matching --ignore-obsolete

bench: install
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_map.py
	$(BIN)/python bench/bench_audit.py

# The API's OpenAPI description is committed (docs/openapi.json); tests fail when the code differs.
openapi: install
	$(FLASK) openapi write --format=json docs/openapi.json

# The wheel operators install (README, "Production"): templates, static files, migrations, seeds and
# the compiled catalogues inside (setup.py); .ci/wheel_check installs and serves it from an empty directory.
wheel: install
	rm -rf dist build  # build/ would carry files since removed from the checkout into the wheel
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .
	@ls dist/*.whl
