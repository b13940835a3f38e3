# Two commands do everything: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test explore lint bench pictures screens clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The stamp files re-install when pyproject.toml changes.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# The package's bytecode is compiled first: where PYTHONDONTWRITEBYTECODE is set (as on these
# machines) Python would otherwise compile it afresh at every start (~0.1 s, bench/).
demo: $(VENV)/.installed
	$(BIN)/python -m compileall -q peerreview_tui
	$(BIN)/peerreview demo

# Lint, types and the architecture contract first: they take seconds and fail fast.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Every core: the Pilot tests wait on whole app start-ups, and the machines have two or more.
test: lint
	$(BIN)/python -m pytest -n auto --dist worksteal

# The property and fuzz tests with new random draws, ten times as many (make test's are fixed).
explore: $(VENV)/.installed-test
	HYPOTHESIS_PROFILE=explore $(BIN)/python -m pytest -n auto --dist worksteal \
		tests/test_signed_work_properties.py tests/test_sync_properties.py \
		tests/test_faults_fuzz.py tests/test_schedule_fuzz.py

bench: $(VENV)/.installed-test
	$(BIN)/python bench/run.py

# The README's pictures of the demo letter and deck (needs LibreOffice and poppler-utils).
pictures: $(VENV)/.installed
	$(BIN)/python docs/make_pictures.py

# The README's screenshots of the app on the demo review (Textual draws them as SVG).
screens: $(VENV)/.installed
	$(BIN)/python docs/make_screens.py

clean:
	rm -rf $(VENV) build *.egg-info
