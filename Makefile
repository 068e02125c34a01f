# Two commands do all the set-up on a machine with only python3: `make demo`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The demo installs what it runs (the engine and the console); the tests add their tools and the
# optional extras (pyarrow, dask), several times the size.
DEMO_STAMP := $(VENV)/.installed-demo
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test install lint bench clean

# The pip that venv installs (Python 3.11 or later) installs an editable pyproject project: no upgrade, one step
# less on a fresh clone. Wheels rather than building a newer version from its sources.
PIP := $(BIN)/python -m pip install --quiet --prefer-binary

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(DEMO_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e '.[serve]'
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e '.[test]'
	touch $@ $(DEMO_STAMP)

install: $(TEST_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/prevoyance evaluate examples/famille-diarra.yaml
	$(BIN)/prevoyance why examples/famille-diarra.yaml allocations_familiales
	$(BIN)/prevoyance why examples/refus-stage.yaml allocations_familiales --ce-qui-changerait
	@echo "Console et API : $(BIN)/prevoyance serve, puis ouvrez http://127.0.0.1:8000/"

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

# Both cores; a work unit is one test, or a whole file for the few that share a costly fixture or a browser
# (tests/conftest.py, docs/tests.md).
test: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n auto --dist loadgroup

bench: $(TEST_STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
