# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: setup demo test lint browser

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $@

demo: setup
	$(BIN)/carrier-assess demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The HTML report is opened in headless Chromium and its print read back with pdftotext,
# and the workbooks opened in headless LibreOffice, by the tests (Debian's packages).
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1 \
	    || ! command -v soffice >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
	  echo "installing chromium, LibreOffice Calc, poppler-utils and CJK fonts (Debian packages) for the report tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends chromium libreoffice-calc-nogui fonts-noto-cjk poppler-utils >/dev/null) \
	  || echo "could not install chromium or LibreOffice: their tests will say so"; fi

# Two pytest workers: most of the suite's time is dbt's and the batch's own Python, which one
# process runs on one core. Each test file runs whole on one worker (`--dist loadfile`): a
# file's module fixtures (a warehouse built by dbt) are built once, not once on each worker. The
# files marked slow are handed out first, in collection order (`--no-loadscope-reorder`;
# tests/conftest.py), so both workers finish together (docs/benchmarks.md, issue 21).
test: setup lint browser
	$(BIN)/pytest -q -n 2 --dist loadfile --no-loadscope-reorder
