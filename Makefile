# Majal — developer tasks.  `make help` lists them.
#
# Everything runs from a fresh clone on Debian with python3, node and npm present.  Slow steps (virtualenv,
# pip install, npm ci) are guarded by stamp files, so running a target again is fast.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON      ?= python3
VENV        ?= .venv
BIN         := $(VENV)/bin
DEMO_ARGS   ?=
PYTEST_ARGS ?=
# pytest-xdist workers for `make test` (0: a single process); the PostgreSQL tests all run on one of them
PYTEST_WORKERS ?= 2
LANGUAGES   ?= ar fr en

VENDOR       := src/majal/web/static/vendor
TRANSLATIONS := src/majal/translations
POT          := $(TRANSLATIONS)/messages.pot
BROKER_UP   = $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 1883), 1).close()" 2>/dev/null
CHROMIUM     := /usr/bin/chromium

# Stamps live inside the directory they describe, so deleting .venv or the vendor folder resets them.
VENV_STAMP   := $(BIN)/python
DEMO_STAMP   := $(VENV)/.majal-install-demo.stamp
TEST_STAMP   := $(VENV)/.majal-install-test.stamp
ASSETS_STAMP := $(VENDOR)/.majal-assets.stamp

# Directories that exist in this checkout (git does not keep empty ones).
LINT_PATHS := $(wildcard src tests bench)

NPM_FLAGS := --ignore-scripts --no-audit --no-fund --loglevel=error

# $(call apt_install,PACKAGE): install a Debian package, showing apt's output only when it fails
define apt_install
log=$$(mktemp -t majal-apt.XXXXXX.log); \
if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(1); } >"$$log" 2>&1; then \
  cat "$$log" >&2; echo "error: could not install $(1) with apt-get (log above)" >&2; exit 1; \
fi; \
rm -f "$$log"
endef

.PHONY: help venv install install-test assets chromium broker demo test lint messages clean distclean

help: ## Show this list
	@echo "Majal — make targets:"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) \
	  | awk 'BEGIN {FS = ":.*## "}; {printf "  %-13s %s\n", $$1, $$2}'
	@echo
	@echo "Variables: PYTHON=$(PYTHON)  DEMO_ARGS='$(DEMO_ARGS)'  PYTEST_ARGS='$(PYTEST_ARGS)'"

# --- Python ----------------------------------------------------------------------------------------------------

venv: $(VENV_STAMP) ## Create the .venv virtualenv if it is missing

$(VENV_STAMP):
	@echo ">> creating $(VENV) with $(PYTHON)"
	@if ! $(PYTHON) -m venv $(VENV) >/dev/null 2>&1; then \
	  rm -rf $(VENV); \
	  if [ "$$(id -u)" = 0 ] && [ "$$($(PYTHON) -c 'import sys; print(sys.executable)')" = /usr/bin/python3 ]; then \
	    echo ">> installing Debian's python3-venv (apt-get)"; \
	    log=$$(mktemp -t majal-apt.XXXXXX.log); \
	    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv; } >"$$log" 2>&1; then \
	      cat "$$log" >&2; echo "error: could not install python3-venv with apt-get (log above)" >&2; exit 1; \
	    fi; \
	    rm -f "$$log"; \
	    $(PYTHON) -m venv $(VENV); \
	  else \
	    echo "error: '$(PYTHON) -m venv' failed. On Debian: sudo apt-get install python3-venv" >&2; \
	    exit 1; \
	  fi; \
	fi
	@$(BIN)/python -m pip install --quiet --upgrade pip

install: $(DEMO_STAMP) ## Install Majal into .venv (pip install -e .)

$(DEMO_STAMP): pyproject.toml | $(VENV_STAMP)
	@echo ">> pip install -e ."
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

install-test: $(TEST_STAMP) ## Install Majal with its test extras (pip install -e '.[test]')

$(TEST_STAMP): pyproject.toml | $(VENV_STAMP)
	@echo ">> pip install -e '.[test]'"
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(DEMO_STAMP)

# --- Front-end assets (npm registry -> our own static folder, no CDN) --------------------------------------------

assets: $(ASSETS_STAMP) ## Fetch front-end assets with npm and copy them into src/majal/web/static/vendor/

$(ASSETS_STAMP): package.json $(wildcard package-lock.json)
	@if [ -f package-lock.json ]; then \
	  echo ">> npm ci"; npm ci $(NPM_FLAGS); \
	else \
	  echo ">> npm install (no package-lock.json yet)"; npm install $(NPM_FLAGS); \
	fi
	@echo ">> copying assets into $(VENDOR)/"
	@rm -rf $(VENDOR)
	@mkdir -p $(VENDOR)/leaflet/images $(VENDOR)/htmx $(VENDOR)/swagger-ui $(VENDOR)/axe
	@cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css $(VENDOR)/leaflet/
	@cp node_modules/leaflet/dist/images/* $(VENDOR)/leaflet/images/
	@cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	@cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui/
	@cp node_modules/axe-core/axe.min.js $(VENDOR)/axe/
	@mkdir -p $(VENDOR)/leaflet-heat && cp node_modules/leaflet.heat/dist/leaflet-heat.js $(VENDOR)/leaflet-heat/
	@touch $@

# --- Browser for the Playwright tests (Debian's chromium, never `playwright install`) ----------------------------

chromium: ## Make sure /usr/bin/chromium exists (installs the Debian package when run as root)
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo ">> installing Debian's chromium (apt-get)"; \
	  $(call apt_install,chromium); \
	else \
	  echo "error: $(CHROMIUM) is missing. The browser tests need Debian's chromium:" >&2; \
	  echo "         sudo apt-get update && sudo apt-get install -y chromium" >&2; \
	  exit 1; \
	fi

# --- Everyday targets -------------------------------------------------------------------------------------------

demo: install assets ## Run the demo (http://127.0.0.1:8000); extra options via DEMO_ARGS=...
	$(BIN)/majal demo $(DEMO_ARGS)

lint: install-test ## ruff check + mypy
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/mypy

test: lint assets chromium broker ## Lint, type-check, then run pytest (extra options via PYTEST_ARGS=...)
	@echo ">> pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)"
	@status=0; $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then \
	  echo "error: pytest collected no tests (exit code 5) — treating that as a failure" >&2; \
	fi; \
	exit $$status

broker: ## Make sure an MQTT broker answers on 127.0.0.1:1883 (installs and starts Debian's mosquitto when root)
	@if $(BROKER_UP); then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "error: no MQTT broker on 127.0.0.1:1883. The sensor tests need one:" >&2; \
	  echo "         sudo apt-get install -y mosquitto && sudo mosquitto -d -c /etc/mosquitto/mosquitto.conf" >&2; \
	  exit 1; \
	fi; \
	if ! command -v mosquitto >/dev/null; then \
	  echo ">> installing Debian's mosquitto (apt-get)"; \
	  $(call apt_install,mosquitto); \
	fi; \
	echo ">> starting mosquitto"; \
	mosquitto -d -c /etc/mosquitto/mosquitto.conf; \
	for i in 1 2 3 4 5 6 7 8 9 10; do $(BROKER_UP) && exit 0; sleep 0.5; done; \
	echo "error: mosquitto did not answer on 127.0.0.1:1883" >&2; exit 1

messages: install ## Extract messages to messages.pot and update the ar/fr/en catalogues
	$(BIN)/pybabel extract -F babel.cfg -o $(POT) \
	  --project=Majal --version="$$($(BIN)/python -c 'import importlib.metadata as m; print(m.version("majal"))')" \
	  --add-comments=TRANSLATORS: --sort-by-file src
	@for lang in $(LANGUAGES); do \
	  echo "$(BIN)/pybabel update -i $(POT) -d $(TRANSLATIONS) -D messages -l $$lang --init-missing"; \
	  $(BIN)/pybabel update -i $(POT) -d $(TRANSLATIONS) -D messages -l $$lang --init-missing; \
	done

clean: ## Remove node_modules, vendored assets, build output and caches (keeps .venv)
	rm -rf node_modules $(VENDOR) .pytest_cache .mypy_cache .ruff_cache build dist
	find . \( -path ./$(VENV) -o -path ./node_modules -o -path ./.git \) -prune -o \
	  -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean ## `clean`, and also remove the .venv virtualenv
	rm -rf $(VENV)
