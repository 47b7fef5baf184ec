# LeaseKeeper — the two commands are `make run` and `make test`; the rest are helpers.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
LK := $(VENV)/bin/leasekeeper
PORT ?= 8000
PYTEST_ARGS ?=
CATALOGUES := $(wildcard backend/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)
# The field app (pwa/): its files other than installed packages and the build, and two stamps kept inside
# those git-ignored folders, so deleting node_modules or dist also forgets that they were made.
PWA := $(wildcard pwa/package.json)
PWA_SOURCES := $(if $(PWA),$(shell find pwa \( -path pwa/node_modules -o -path pwa/dist \) -prune -o -type f -print))
PWA_INSTALLED := pwa/node_modules/.lk-installed
PWA_TESTED := pwa/dist/.lk-tested

.PHONY: run test check lint format i18n-extract frontend pwa clean help

help:
	@echo "make run    install, migrate, seed demo data (empty database only), serve on http://127.0.0.1:$(PORT)"
	@echo "            and run the worker (scheduled jobs, notification delivery) beside the server"
	@echo "make test   install test dependencies, lint, type-check and run the whole suite"

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

backend/translations/%/LC_MESSAGES/messages.mo: backend/translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

frontend:
	@if [ -f pwa/package.json ]; then cd pwa && npm ci && npm run build; fi

# `make test` runs the app's unit tests and builds it (the end-to-end tests serve pwa/dist); both steps are
# skipped while nothing under pwa/ changed since the last successful run.
pwa: $(if $(PWA),$(PWA_TESTED))

$(PWA_INSTALLED): pwa/package.json pwa/package-lock.json
	cd pwa && npm ci
	touch $@

$(PWA_TESTED): $(PWA_INSTALLED) $(PWA_SOURCES)
	cd pwa && npm test && npm run build
	touch $@

# The worker (scheduled jobs, notification delivery) runs beside the server and stops with it.
run: $(VENV)/.installed $(COMPILED) frontend
	$(LK) db upgrade
	$(LK) demo
	$(LK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	PORT=$(PORT) $(LK) serve

check: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The end-to-end tests (tests/e2e) share one browser and run one after another on one worker (loadgroup).
test: $(VENV)/.installed $(COMPILED) check pwa
	$(PY) -m pytest -n 2 --dist loadgroup --durations=25 $(PYTEST_ARGS)

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Collect new user-facing messages into the catalogues (then translate them in the .po files).
i18n-extract: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -o backend/translations/messages.pot --no-location --omit-header backend sync
	$(VENV)/bin/pybabel update -i backend/translations/messages.pot -d backend/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache $(COMPILED) $(PWA_INSTALLED) $(PWA_TESTED)
