# Two commands do all the set-up on a machine with only python3: `make demo`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/prevoyance evaluate examples/famille-diarra.yaml
	$(BIN)/prevoyance why examples/famille-diarra.yaml allocations_familiales
	$(BIN)/prevoyance why examples/refus-stage.yaml allocations_familiales --what-if
	@echo "Console et API : $(BIN)/prevoyance serve, puis ouvrez http://127.0.0.1:8000/"

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
