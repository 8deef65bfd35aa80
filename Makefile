# voice_service — run `make help` for the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP_PY := $(VENV)/.installed
STAMP_JS := node_modules/.installed

.PHONY: help install lock assets db demo run serve test test-fast fuzz bench bench-journey lint format typecheck clean

# Colour only on a terminal: piped into a file or another command, the help is plain text.
help: ## Show this help
	@if [ -t 1 ]; then on=$$(printf '\033[36m'); off=$$(printf '\033[0m'); else on=; off=; fi; \
	awk -v on="$$on" -v off="$$off" 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %s%-14s%s %s\n", on, $$1, off, $$2}' $(MAKEFILE_LIST)

LOCK := requirements/dev.lock

$(STAMP_PY): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# Every dependency pinned with hashes; then the project itself without resolving again.
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

lock: $(STAMP_PY) ## Re-pin every dependency with hashes into requirements/dev.lock (after editing pyproject.toml)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
		--python-platform x86_64-unknown-linux-gnu --no-header -q -o $(LOCK)

$(STAMP_JS): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install: $(STAMP_PY) $(STAMP_JS) ## Create the virtual environment and install Python and front-end packages

static/app.css: $(STAMP_JS) assets/app.scss assets/init.mjs assets/favicon.svg
	mkdir -p static
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/
	cp assets/init.mjs assets/favicon.svg static/
	npx sass --load-path=node_modules --no-source-map --style=compressed assets/app.scss static/app.css

assets: static/app.css ## Build the CSS and JavaScript from GOV.UK Frontend (npm registry)

db: $(STAMP_PY) ## Create or upgrade the database (DATABASE_URL, default a SQLite file under var/)
	$(BIN)/voice-service db upgrade

demo: db ## Load demo responses if the database has none
	$(BIN)/voice-service demo load --if-empty

run: install assets demo ## Set everything up and serve on http://127.0.0.1:8000
	$(BIN)/voice-service serve --host $(HOST) --port $(PORT)

serve: install assets db ## Serve what is already set up (HOST=, PORT= change the address; no demo data)
	$(BIN)/voice-service serve --host $(HOST) --port $(PORT)

# Test processes for `make test` (pytest-xdist). Whole files go to one process, so a module's server
# or browser starts once; `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= 2

test: install assets ## Run every test (SQLite and PostgreSQL; browser tests in Chromium), TEST_WORKERS processes
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

test-fast: $(STAMP_PY) ## Run the tests that need neither PostgreSQL nor a browser
	$(BIN)/pytest -m "not postgres and not browser"

fuzz: install ## schemathesis: 20,000 generated API requests against a running instance
	FUZZ_MIN_CASES=20000 FUZZ_MAX_EXAMPLES=3000 $(BIN)/pytest tests/fuzz -p no:cacheprovider

# Extra arguments for the benchmarks (later ones win), e.g. `make bench THROUGHPUT_ARGS="--pairs 9 --duration 5"
# CRASH_ARGS="--cycles 100 --min-acked 50000 --pg-cycles 20"` for the longer runs; docs/benchmarks.md has the rest.
THROUGHPUT_ARGS ?=
CRASH_ARGS ?=
JOURNEY_ARGS ?=

bench: $(STAMP_PY) ## Load, crash, report and journey benchmarks on loopback, about 15 min (not part of `make test`); figures in docs/benchmarks.md
	$(BIN)/python bench/throughput.py --database sqlite,postgresql --prefill 0,500000 $(THROUGHPUT_ARGS)
	$(BIN)/python bench/crash.py $(CRASH_ARGS)
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/journey.py $(JOURNEY_ARGS)

bench-journey: $(STAMP_PY) ## The HTML journey benchmark: respondents walking surveys page by page (JOURNEY_ARGS="--workers 2")
	$(BIN)/python bench/journey.py $(JOURNEY_ARGS)

lint: $(STAMP_PY) ## ruff lint and format check, mypy (strict for forms/ and analysis/), bandit
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit -q -r forms analysis voice_service --severity-level medium

typecheck: $(STAMP_PY) ## mypy alone (strict for forms/ and analysis/)
	$(BIN)/mypy

format: $(STAMP_PY) ## Format the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: ## Remove the virtual environment, built assets and local data
	rm -rf $(VENV) node_modules static var .pytest_cache .mypy_cache .ruff_cache
