# LeaseKeeper — the two commands are `make run` and `make test`; the rest are helpers.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
LK := $(VENV)/bin/leasekeeper
PORT ?= 8000
PYTEST_ARGS ?=
CATALOGUES := $(wildcard backend/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

.PHONY: run test check lint format i18n-extract frontend clean help

help:
	@echo "make run    install, migrate, seed demo data (empty database only), serve on http://127.0.0.1:$(PORT)"
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

run: $(VENV)/.installed $(COMPILED) frontend
	$(LK) db upgrade
	$(LK) demo
	PORT=$(PORT) $(LK) serve

check: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: $(VENV)/.installed $(COMPILED) check
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Collect new user-facing messages into the catalogues (then translate them in the .po files).
i18n-extract: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -k N_ -o backend/translations/messages.pot --no-location --omit-header backend
	$(VENV)/bin/pybabel update -i backend/translations/messages.pot -d backend/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache $(COMPILED)
