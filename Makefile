# Rapport: `make` (= `make run`) serves a seeded directory on http://127.0.0.1:8000
# with nothing but Python 3.11 installed, and runs the worker (queued emails, housekeeping)
# beside it: one Ctrl-C stops both. Everything lives in .venv and data/.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install: pip runs again only when pyproject.toml
# is newer, so a second `make run` starts in seconds.
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
DEMO_THERAPISTS ?= 2000
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-x -k search"`.
PYTEST_ARGS ?=

.DEFAULT_GOAL := run
.PHONY: run install test test-e2e lint typecheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[dev]'
	touch $@

install: $(STAMP)

# Exit code 3 from the check means "no profiles yet"; any other failure (a broken
# settings file, a database error) stops here instead of being mistaken for
# "empty" and seeding on top of it.
run: $(STAMP)
	$(BIN)/python -m rapport migrate --no-input
	$(BIN)/python -m rapport sync_taxonomy
	@rc=0; $(BIN)/python -m rapport shell -v 0 -c "import sys; from rapport.directory.models import TherapistProfile as T; sys.exit(0 if T.objects.exists() else 3)" || rc=$$?; \
	if [ $$rc -eq 3 ]; then \
		echo "Empty directory: seeding $(DEMO_THERAPISTS) demo therapists"; \
		$(BIN)/python -m rapport seed_demo --therapists $(DEMO_THERAPISTS) --seed 1 || exit $$?; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi
	@echo "Rapport on http://$(HOST):$(PORT)/ (and the worker: emails go to data/mail/)"
	$(BIN)/python -m rapport dev --bind $(HOST):$(PORT) --workers $(WORKERS)

# PostgreSQL tests skip (with the reason) when no server is reachable; .ci/run
# runs the suite a second time against PostgreSQL with RAPPORT_REQUIRE_POSTGRES=1.
test: $(STAMP)
	$(BIN)/pytest -m "not e2e" -q $(PYTEST_ARGS)

# Needs Debian's chromium at /usr/bin/chromium (apt-get install chromium).
test-e2e: $(STAMP)
	$(BIN)/pytest -m e2e -q tests/e2e $(PYTEST_ARGS)

# ruff's rules, the C901 limit and its named debt: pyproject.toml and docs/decisions.md.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy with django-stubs over the rapport package; the modules still excused are listed
# in pyproject.toml ([[tool.mypy.overrides]]). It imports the settings, not the database.
typecheck: $(STAMP)
	$(BIN)/mypy

# Build and tool output only: data/ holds the embedded database and the
# generated secret key, which are the operator's, not build products.
clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .mypy_cache test-results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
