# Two commands a user needs: `make report` (set up and build the default pack) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: report test lab clean-notebook data illustrative bench clean

report: $(INSTALLED)
	$(BIN)/python -m analysis build

test: $(INSTALLED)
	$(BIN)/python -m pytest

# JupyterLab on the report notebook; in a git clone, outputs are stripped from the notebook on every
# commit (nbstripout's git filter). As root, JupyterLab needs --allow-root.
lab: $(INSTALLED)
	@if git rev-parse --git-dir >/dev/null 2>&1; then $(BIN)/nbstripout --install && \
		echo "nbstripout set up: notebook outputs are stripped when you commit (make clean-notebook strips the file)"; fi
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(if $(filter 0,$(shell id -u)),--allow-root) \
		notebooks/quarterly_report.ipynb

# Strip saved outputs from the notebook in place (what the git filter does on commit).
clean-notebook: $(INSTALLED)
	$(BIN)/nbstripout notebooks/*.ipynb

# RAW=FOLDER reads raw data from FOLDER (police-uk/<downloads>/ and ons/) instead of ../shared/data.
data: $(INSTALLED)
	$(BIN)/python -m analysis data $(if $(RAW),--raw $(RAW))

illustrative: $(INSTALLED)
	$(BIN)/python -m analysis illustrative

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

# Deletes what builds wrote (packs as their manifests list them, staging folders, the cache) and the
# virtualenv; files you put in outputs/ stay.
clean:
	if [ -x $(BIN)/python ]; then $(BIN)/python -m analysis clean; fi
	rm -rf $(VENV)

bench: $(INSTALLED)
	$(BIN)/python -m analysis.bench
