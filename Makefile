# Two commands do everything on a fresh machine: `make build` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
VNU := node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: build test test-dates lint check clean

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

# The tests that read dates, run two years ahead under Debian's faketime: none may depend on today.
# (The preview server's and browser tests are left out: libfaketime breaks their timed waits.)
DATE_TESTS := tests/test_cli.py tests/test_incremental.py tests/test_random_edits.py tests/test_site.py \
	tests/test_content.py tests/test_bad_input.py tests/test_feeds_meta.py tests/test_sample_site.py \
	tests/test_search.py tests/test_arabic.py tests/test_compress.py tests/test_assets_writer.py \
	tests/test_newsroom.py tests/test_images.py tests/test_import.py tests/test_import_site.py

test-dates: $(INSTALLED) $(VNU)  ## the date-sensitive tests, two years ahead (needs faketime)
	faketime -f '+730d' $(BIN)/pytest -q -p no:cacheprovider $(DATE_TESTS)

lint: $(INSTALLED)
	$(BIN)/ruff check .

check: $(INSTALLED)  ## report every problem in the sources without writing build/
	$(BIN)/python generate.py check

clean:
	rm -rf build .build.partial .build.old .cache .pytest_cache .ruff_cache
