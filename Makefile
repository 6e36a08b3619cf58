# ceengine — `make run` serves the courses; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
PORT ?= 5000
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: audio help install node-deps system-deps db run test test-fast lint bench clean

help:  ## Show the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## Create .venv and install the project with its test tools

$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

node-deps: $(NODE_STAMP)  ## Install the Node credential checker's packages (tests/credentials) from package-lock.json

system-deps:  ## Install Debian's chromium, poppler-utils, PostgreSQL and Redis when absent (needs root)
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	  else echo "WARNING: cannot install$$missing (no apt-get); those tests will be skipped"; fi; \
	fi

db: install  ## Create or upgrade the SQLite database under instance/ and sync courses/
	$(BIN)/ceengine db upgrade
	$(BIN)/ceengine courses sync

run: db  ## Serve on http://127.0.0.1:$(PORT)
	$(BIN)/ceengine run --host 127.0.0.1 --port $(PORT)

test: install node-deps system-deps lint  ## Lint, then every test: unit, SQLite and PostgreSQL, browser (on both cores)
	$(BIN)/pytest -n 2 --dist worksteal

test-fast: install  ## Run the tests without the browser
	$(BIN)/pytest -m "not browser"

lint: install  ## ruff check, ruff format --check, and the import contracts (docs/architecture.md)
	$(BIN)/ruff check ceengine tests benchmarks
	$(BIN)/ruff format --check ceengine tests benchmarks
	$(BIN)/lint-imports

bench: install system-deps  ## Run the benchmark harness and print its table
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m benchmarks

audio:  ## Make the MP3 beside each course recording that has only Ogg (Debian's oggdec and lame)
	@command -v lame >/dev/null && command -v oggdec >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq lame vorbis-tools >/dev/null; }
	@for ogg in courses/*/media/*.ogg tests/fixtures/courses/*/media/*.ogg; do \
	  mp3="$${ogg%.ogg}.mp3"; \
	  [ -e "$$mp3" ] || { oggdec --quiet -o - "$$ogg" | lame --quiet -m m -b 32 - "$$mp3" && echo "Made $$mp3"; }; \
	done

clean:  ## Remove .venv, node_modules and caches (keeps instance/)
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache *.egg-info
