# Roundtable: one command surface for people and CI. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PGHOST ?= 127.0.0.1
PGPORT ?= 5432
PGUSER ?= postgres
TEST_PG_DB ?= roundtable_test
export PGHOST PGPORT PGUSER

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

# The site installs from requirements.lock: every runtime package, its dependencies' too, at
# the version and with the hashes `make lock` resolved from requirements.txt; pip refuses any
# file whose hash is not there.
$(BIN)/.runtime-stamp: requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

install: $(BIN)/.runtime-stamp ## Install the site in .venv, and the system libraries its PDFs need
	tools/install-runtime-deps.sh
	$(BIN)/pybabel compile -d app/locale

# The background worker (exports, campaigns) runs beside the site; when the site stops (Ctrl-C),
# so does the worker.
run: install ## Install, migrate SQLite, load the seed, serve on http://127.0.0.1:8000 with the background worker
	$(BIN)/roundtable db upgrade
	$(BIN)/roundtable seed
	$(BIN)/roundtable worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	  $(BIN)/roundtable serve --host 127.0.0.1 --port 8000

install-test: install ## Install what the tests need (system packages, dev packages, npm tools)
	tools/install-system-deps.sh
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	cd tools && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

# The suite runs on every core (pytest-xdist); each worker owns its database, scratch databases,
# temporary folder and servers on free ports (tests/conftest.py, tests/databases.py), so no test
# needs to be kept apart with an xdist_group. --dist loadfile sends each test file whole to one
# worker: a module's costly fixtures (a migrated and seeded database behind its own uvicorn in
# test_concurrent_writes, the CLI tests' databases, the pages test_html_valid posts) are built
# once rather than once per worker, and no file is long enough to leave a core idle for long.
# `PYTEST_ARGS=-n0` runs in one process (for --pdb); PYTEST_ARGS also narrows the run.
PYTEST_XDIST := -n auto --dist loadfile

# Branch coverage is measured over both runs together: some code runs only on one database
# (the demo loader's per-key checks need PostgreSQL). The floor (pyproject.toml) is checked
# by `coverage report` afterwards (not when PYTEST_ARGS narrows the run): under xdist
# pytest-cov prints its FAIL line but exits 0.
test: install-test ## Install test needs, then run the whole suite on SQLite and on PostgreSQL (branch coverage of both, floor in pyproject.toml)
	$(BIN)/python -m pytest -q $(PYTEST_XDIST) --durations=5 --cov --cov-report= --cov-fail-under=0 $(PYTEST_ARGS)
	tools/ensure-postgres.sh $(TEST_PG_DB)
	TEST_DATABASE_URL=postgresql+asyncpg://$(PGUSER)@$(PGHOST):$(PGPORT)/$(TEST_PG_DB) \
	  $(BIN)/python -m pytest -q $(PYTEST_XDIST) --durations=5 --cov --cov-append --cov-report= --cov-fail-under=0 $(PYTEST_ARGS)
	$(if $(PYTEST_ARGS),,$(BIN)/python -m coverage report --skip-covered)

lint: ## Ruff lint and format check, and the architecture contracts (import-linter, pyproject.toml)
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/ruff format --check app tests migrations bench
	$(BIN)/lint-imports --no-cache

typecheck: ## mypy --strict on app/
	$(BIN)/mypy

coverage: install-test ## Branch coverage of app/ on SQLite
	$(BIN)/python -m pytest -q $(PYTEST_XDIST) --cov --cov-branch --cov-report=term-missing:skip-covered

bench: install ## Benchmark key messages with 50 and 5,000 contributions, live updates, posting (bench/README.md)
	$(BIN)/python bench/run.py

# pip-tools resolves requirements.txt (the direct pins) into requirements.lock. It lives in a venv
# of its own under var/: it needs a newer pip than the one the site's venv is made with.
LOCK_VENV := var/lock-tools
PIP_TOOLS := pip-tools==7.7.0
lock: ## Re-resolve requirements.txt into requirements.lock: every runtime package pinned, with its hashes
	@test -x $(LOCK_VENV)/bin/pip-compile || { $(PYTHON) -m venv $(LOCK_VENV) && \
	  $(LOCK_VENV)/bin/pip install -q --disable-pip-version-check $(PIP_TOOLS); }
	$(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	  --no-emit-find-links --output-file requirements.lock requirements.txt

AUDIT_SERVICE ?= pypi
# Known vulnerabilities in the locked runtime packages fail it (tools/audit.sh); so does a
# vulnerability service it cannot reach (AUDIT_SERVICE=pypi or osv).
audit: ## pip-audit the locked runtime packages against known vulnerabilities
	AUDIT_SERVICE=$(AUDIT_SERVICE) BIN=$(BIN) tools/audit.sh requirements.lock

SBOM ?= dist/sbom.cdx.json
sbom: ## Write the CycloneDX SBOM of the locked runtime packages to dist/sbom.cdx.json
	@mkdir -p $(dir $(SBOM))
	$(BIN)/cyclonedx-py requirements --pyproject pyproject.toml --output-reproducible \
	  --output-file $(SBOM) requirements.lock

messages: ## Re-extract UI strings into app/locale and update catalogues
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k pgettext:1c,2 --no-location --sort-output --omit-header -o app/locale/messages.pot .
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale
	$(BIN)/pybabel compile -d app/locale

.PHONY: help install run install-test test lint typecheck coverage bench lock audit sbom messages
