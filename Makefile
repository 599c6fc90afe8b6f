# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint format clean bench bench-validation bench-cli bench-report bench-pdf bench-year bench-web browser test-previous docs-pictures

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
# print the Word report with Debian's LibreOffice Writer (Liberation fonts stand in for Arial), driven
# through its UNO bridge (python3-uno) as `sakip report --format pdf` does. Each is installed when missing.
browser:
	@test -x /usr/bin/chromium || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
	@test -x /usr/bin/soffice || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libreoffice-writer fonts-liberation; }
	@/usr/bin/python3 -c "import uno" 2>/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-uno; }
	@test -x /usr/lib/libreoffice/program/scalc || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libreoffice-calc; }

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

# A large agency's year workbook (each layout) against its twelve monthly files (not part of the tests).
bench-year: $(STAMP)
	$(BIN)/python -m bench.year_workbook $(if $(REPEAT),--repeat $(REPEAT))

# The month-start rush against the real `sakip web` and its workers (DB=postgresql: two workers).
bench-web: $(STAMP)
	$(BIN)/python -m bench.month_start --db $(DB)

bench-validation: $(STAMP)
	$(BIN)/python bench/validation_speed.py

# The commands a steward types, cold and with `sakip server start`, against their import floors.
bench-cli: $(STAMP)
	$(BIN)/python -m bench.cli_speed $(if $(REPEAT),--repeat $(REPEAT))

clean:
	rm -rf $(VENV) $(PREVIOUS) sakip-data .pytest_cache .ruff_cache

# The report's tests on the releases before the pinned matplotlib and python-docx: a second
# environment from the lock, those two installed over it (what a user upgrading late has).
PREVIOUS := .venv-previous
PREVIOUS_PINS := "matplotlib==3.10.9" "python-docx==1.1.2"
test-previous: browser
	test -x $(PREVIOUS)/bin/python || $(PYTHON) -m venv $(PREVIOUS)
	$(PREVIOUS)/bin/pip install -q --upgrade "pip==26.3" || true
	$(PREVIOUS)/bin/pip install -q -c requirements.lock -e ".[dev]"
	$(PREVIOUS)/bin/pip install -q $(PREVIOUS_PINS)
	$(PREVIOUS)/bin/python -c "import matplotlib, docx, importlib.metadata as m; print('matplotlib', matplotlib.__version__, 'python-docx', m.version('python-docx'))"
	$(PREVIOUS)/bin/pytest -q tests/report

# The README's picture of the first printed pages of BAB III of the 2022 report (its PDF, LibreOffice).
docs-pictures: $(STAMP) browser
	$(BIN)/python -m tests.report.page_picture docs/lkjip-page.png

# Year-end report benchmark (not part of the tests): N agencies x 12 months, CSV only against every
# format; DASK=1 also runs on a local cluster of two Dask workers.
AGENCIES ?= 40
bench-report: $(STAMP)
	$(BIN)/python -m bench.report --agencies $(AGENCIES) $(if $(DASK),--dask) $(if $(KEEP),--keep $(KEEP)) $(if $(REPEAT),--repeat $(REPEAT))

# The PDF of one OPD's report against its docx-only report and LibreOffice's bare start (not a test).
bench-pdf: $(STAMP) browser
	$(BIN)/python -m bench.pdf $(if $(REPEAT),--repeat $(REPEAT))
