# Two commands do everything on a fresh machine: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
VNU := node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: build test lint check clean

build: $(INSTALLED)  ## build the sample archive into build/
	$(BIN)/python generate.py build

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint constraints.txt --editable ".[dev]"
	touch $@

$(VNU): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: $(INSTALLED) $(VNU)  ## lint, then every test (unit, end-to-end, HTML validity)
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .

check: $(INSTALLED)  ## report every problem in the sources without writing build/
	$(BIN)/python generate.py check

clean:
	rm -rf build .build.partial .build.old .cache .pytest_cache .ruff_cache
