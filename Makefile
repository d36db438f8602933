# Two commands a user needs: `make report` (set up and build the default pack) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: report test lab data illustrative bench clean

report: $(INSTALLED)
	$(BIN)/python -m analysis build

test: $(INSTALLED)
	$(BIN)/python -m pytest

lab: $(INSTALLED)
	$(BIN)/jupyter lab notebooks/

data: $(INSTALLED)
	$(BIN)/python -m analysis data

illustrative: $(INSTALLED)
	$(BIN)/python -m analysis illustrative

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

clean:
	rm -rf $(VENV) outputs/*/ outputs/.staging-*

bench: $(INSTALLED)
	$(BIN)/python -m analysis.bench
