# The two commands: `make run` and `make test`. Everything else is a helper they use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format check db-stop db-upgrade worker clean-var

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements-upgrade.txt requirements.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## run: install, start or reuse the embedded PostgreSQL, migrate, load sample and published letters (remove the samples: manage.py remove_samples), serve
run: $(VENV)/.runtime
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_samples
	@echo "Serving the IMR Determinations Archive on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	@# The background worker parses uploaded letters (it re-queues pending ones first and waits
	@# out database outages); it stops when the web server stops.
	@DEBUG=$${DEBUG:-1}; export DEBUG; \
	$(PY) manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

## worker: run one more background worker (several may run, on several machines)
worker: $(VENV)/.runtime
	DEBUG=$${DEBUG:-1} $(PY) manage.py worker

# The browser tests' npm packages (axe-core, pinned in package-lock.json), when npm is installed.
node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund; else \
	echo "npm not found: the accessibility test needs node_modules/axe-core (apt-get install npm)"; fi

## test: install dev requirements (and axe-core with npm), lint, check migrations, run the whole suite
test: $(VENV)/.dev node_modules/.package-lock.json
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

PGDATA_DIR = $${IMR_VAR_DIR:-var}/pgdata

## db-stop: stop the embedded PostgreSQL (it is left running between commands on purpose)
db-stop:
	$(PY) -c "import sys; from pathlib import Path; from imr_archive.embedded_db import stop; print('stopped' if stop(Path(sys.argv[1]).resolve()) else 'not running')" "$(PGDATA_DIR)"

## db-upgrade: copy a var/pgdata made by the old embedded server (PostgreSQL 16) into the current
## one; the old directory is kept as var/pgdata-16 until you remove it
db-upgrade: $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-upgrade.txt
	$(PY) -m imr_archive.embedded_upgrade "$(PGDATA_DIR)"
