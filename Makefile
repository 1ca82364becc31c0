# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# make run is the demo: a throwaway secret and a bootstrap admin (change both in production).
DEMO_ENV := DVK_DEMO=1 DVK_ADMIN_USERNAME=$${DVK_ADMIN_USERNAME:-admin} DVK_ADMIN_PASSWORD=$${DVK_ADMIN_PASSWORD:-dvk-demo-2025}

.PHONY: run test install migrate serve clean
.DEFAULT_GOAL := run

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# axe-core for the accessibility tests: a test asset pinned by tests/e2e/package-lock.json,
# never served by the app. Without npm the tests say so and skip (CI installs npm and requires it).
AXE := tests/e2e/node_modules/axe-core/axe.min.js
$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/e2e --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility tests will be skipped (apt-get install npm)"; fi

install: $(VENV)/.installed

migrate: install
	$(DEMO_ENV) $(BIN)/dvk migrate

run: install
	$(DEMO_ENV) $(BIN)/dvk migrate
	$(DEMO_ENV) $(BIN)/dvk serve --host 127.0.0.1 --port 8000

test: install $(AXE)
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache tests/e2e/node_modules
