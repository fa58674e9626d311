# Two commands do everything on a fresh Debian machine with Python 3.11:
#   make run   — virtualenv, install, migrate, demo data, serve http://127.0.0.1:8000
#   make test  — virtualenv, install, the whole test suite (browser tests when Chromium exists,
#                checked with axe-core and, when npm exists, HTML_CodeSniffer)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
# Both cores: the suite splits across two pytest-xdist workers (each with its own test DB).
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=

.PHONY: run test install system-deps htmlcs lint check bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; install Python 3.11 (or run make PYTHON=python3)"; exit 1; }
	$(MAKE) system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# WeasyPrint needs Pango and fonts. Installed with apt when missing and we are root.
system-deps:
	@if ldconfig -p | grep -q libpango-1.0 && fc-list | grep -qi dejavu; then :; \
	elif [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null; \
	else echo "Please install: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"; exit 1; fi

# HTML_CodeSniffer, the browser tests' second accessibility checker beside axe-core (npm,
# tests/browser/htmlcs/package-lock.json). Without npm the browser tests say loudly that only
# axe-core ran; CI (REFLECT_REQUIRE_HTMLCS=1) fails instead.
HTMLCS_DIR := tests/browser/htmlcs
HTMLCS_STAMP := $(HTMLCS_DIR)/node_modules/.installed

$(HTMLCS_STAMP): $(HTMLCS_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(HTMLCS_DIR) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "NOTE: npm not found, so the browser tests check pages with axe-core only (not HTML_CodeSniffer). Install it with: apt-get install -y nodejs npm"; fi

htmlcs: $(HTMLCS_STAMP)

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@echo "Web server on http://$(HOST) and a task worker (cohort exports) beside it; Ctrl-C stops both."
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py db_worker & worker=$$!; \
	$(BIN)/python manage.py runserver $(HOST)

test: install htmlcs
	@if [ -x /usr/bin/chromium ]; then echo "Chromium found: browser tests will run."; \
	else echo "NOTE: /usr/bin/chromium not found, so the browser tests (tests/browser) are SKIPPED. Install it with: apt-get install -y chromium"; fi
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

check: install
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=$$(python3 -c 'import secrets;print(secrets.token_urlsafe(64))') \
		$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 test-media
