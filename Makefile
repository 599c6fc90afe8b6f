# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint format clean bench bench-validation bench-cli bench-report browser

FILES ?= 1400
DB ?= sqlite

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade "pip==26.3" || true
	$(BIN)/pip install -q -c requirements.lock -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/sakip demo

# The browser tests drive Debian's chromium (Playwright never downloads a browser); the rendering tests
# print the Word report with Debian's LibreOffice Writer (Liberation fonts stand in for Arial).
# Each is installed when missing.
browser:
	@test -x /usr/bin/chromium || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
	@test -x /usr/bin/soffice || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libreoffice-writer fonts-liberation; }

# The suite in TEST_WORKERS pytest-xdist processes (2: this 2-core machine; `auto` takes every core),
# each with its own Prefect server, PostgreSQL schemas and temporary folders. A module's tests stay in
# one process (--dist loadscope), so a module fixture (a year's pipeline, a printed report) runs once.
TEST_WORKERS ?= 2
test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadscope

lint: $(STAMP)
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Province-scale benchmark (not part of the tests); RESULTS=bench/results.md also writes markdown.
bench: $(STAMP)
	$(BIN)/python -m bench.run --files $(FILES) --db $(DB) $(if $(SCALING),--scaling $(SCALING)) $(if $(RESULTS),--results $(RESULTS))

bench-validation: $(STAMP)
	$(BIN)/python bench/validation_speed.py

# The commands a steward types, cold and with `sakip server start`, against their import floors.
bench-cli: $(STAMP)
	$(BIN)/python -m bench.cli_speed $(if $(REPEAT),--repeat $(REPEAT))

clean:
	rm -rf $(VENV) sakip-data .pytest_cache .ruff_cache

# Year-end report benchmark (not part of the tests): N agencies x 12 months, CSV only against every
# format; DASK=1 also runs on a local cluster of two Dask workers.
AGENCIES ?= 40
bench-report: $(STAMP)
	$(BIN)/python -m bench.report --agencies $(AGENCIES) $(if $(DASK),--dask) $(if $(KEEP),--keep $(KEEP)) $(if $(REPEAT),--repeat $(REPEAT))
