# The README's commands. `make demo` and `make test` work on a fresh Debian/Ubuntu machine with
# Python 3.11+: they install what is missing, then run.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The CPU build of torch that the tests use; any other torch request pulls CUDA packages.
TORCH ?= torch==2.13.0

DEMO_PACKAGES := poppler-utils
TEST_PACKAGES := poppler-utils postgresql chromium chromium-driver fonts-dejavu-core docker-compose

.PHONY: demo test test-fast lint typecheck bench schemas migration clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.core: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install --quiet "$(TORCH)"
	$(BIN)/pip install --quiet -e ".[dev,rexomni,postgres,train]"
	touch $@ $(VENV)/.core

demo: $(VENV)/.core
	@scripts/system-deps.sh $(DEMO_PACKAGES)
	$(BIN)/sld demo

test: $(VENV)/.dev
	@scripts/system-deps.sh $(TEST_PACKAGES)
	$(BIN)/python -m pytest -n 2 --durations=15

# Everything but the slow tests, for quick checks while working.
test-fast: $(VENV)/.dev
	$(BIN)/python -m pytest -n 2 -m "not slow"

lint: $(VENV)/.dev
	$(BIN)/ruff check sld pipelines tests benchmarks
	$(BIN)/ruff format --check sld pipelines tests benchmarks
	$(BIN)/mypy sld pipelines benchmarks

bench: $(VENV)/.dev
	$(BIN)/python -m benchmarks.digitise

schemas: $(VENV)/.core
	$(BIN)/sld schema --out schemas

# A new database revision from the change to sld/store/tables.py: make migration MESSAGE="..."
migration: $(VENV)/.core
	@test -n "$(MESSAGE)" || { echo 'say what changed: make migration MESSAGE="..."'; exit 1; }
	$(BIN)/python -c 'import sys; from sld.store.migrate import autogenerate_revision as new; print(new(sys.argv[1]))' "$(MESSAGE)"

clean:
	rm -rf $(VENV) out sample sld.db .pytest_cache .mypy_cache .ruff_cache
