# One word per task: `make site`, `make test`, `make serve`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip install --disable-pip-version-check -q -c requirements/constraints.txt
RUNTIME := $(VENV)/.runtime-installed
TESTDEPS := $(VENV)/.test-installed

.PHONY: site test test-fast serve lint validate install bench differential lock clean

site: $(RUNTIME)  ## Build the site into site/ (creates .venv and installs on first run)
	$(BIN)/papershelf build

test: $(TESTDEPS)  ## Run the whole test suite
	$(BIN)/python -m pytest

# Unit tests and small real builds, no Chromium: well under a minute.
test-fast: $(TESTDEPS)  ## Run the quick part of the suite (not browser, not slow)
	$(BIN)/python -m pytest -q -m "not browser and not slow"

# mkdocs serve --dirty --no-strict (a rebuild rewrites only the pages an edit changed),
# watching folders with the system's file events (build_tools/serve.py).
serve: $(RUNTIME)  ## Live preview at http://127.0.0.1:8000/ ; edits in papers/ rebuild
	$(BIN)/papershelf serve

lint: $(TESTDEPS)
	$(BIN)/ruff check plugins build_tools tests
	$(BIN)/ruff format --check plugins build_tools tests

# BENCH_FLAGS: e.g. `--workdir /dev/shm/bench` to build on a RAM disk (docs/performance.md).
bench: $(TESTDEPS)  ## Benchmark builds at 300, 1,000, 10,000 and 50,000 synthetic papers (slow)
	$(BIN)/papershelf bench --out docs/performance.json --plot docs/performance.svg $(BENCH_FLAGS)

# Random seeded edits of a generated list; after each, `papershelf build` (quick, --dirty
# or full) must give the clean build's site byte for byte (build_tools/differential.py).
differential: $(RUNTIME)  ## Check incremental builds against clean ones (long: 300 edits)
	$(BIN)/papershelf differential --steps 300

# VALIDATE_FLAGS: CI passes `--new-since HEAD^1` on pull requests (duplicates are
# reported on the file the pull request adds).
validate: $(RUNTIME)  ## Check every entry and tags.yml (what CI and pre-commit run)
	$(BIN)/papershelf validate $(VALIDATE_FLAGS)

install: $(TESTDEPS)  ## Create .venv and install the pinned runtime and test dependencies

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): $(VENV)/bin/python pyproject.toml requirements/constraints.txt
	$(PIP) -e .
	touch $@

$(TESTDEPS): $(RUNTIME)
	$(PIP) -e '.[test]'
	touch $@

lock: $(VENV)/bin/python  ## Re-freeze requirements/constraints.txt from pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/python -m pip freeze --exclude-editable > requirements/constraints.txt

clean:
	rm -rf site .site-* $(VENV)
