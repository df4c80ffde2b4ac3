# dermasim: the two commands a newcomer runs are `make demo` and `make test`.
# The first interpreter on PATH that is Python 3.11 or newer (or: make PYTHON=/path/to/python).
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3.11 python3 python; do \
	command -v $$p >/dev/null 2>&1 && \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && \
	{ echo $$p; break; }; done)
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: demo test validate calibrate bench lint typecheck clean help

help:
	@echo "make demo      install into .venv and compare the bundled protocols (figures in $(OUT)/)"
	@echo "make test      install into .venv with test extras and run the test suite"
	@echo "make validate  run the slow validation tests and write the validation report ($(OUT)/validation/)"
	@echo "make calibrate refit the posterior to the bundled evidence (calibration/; resumable)"
	@echo "make bench     run the benchmarks, write benchmarks/results.json"
	@echo "make lint      ruff check and format check;  make typecheck  mypy"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "make: dermasim needs Python 3.11 or newer on PATH (python3), or make PYTHON=/path/to/python" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[plot,fast]"
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed-base

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed-test $(VENV)/.installed-base

demo: $(VENV)/.installed-base
	MPLBACKEND=Agg $(BIN)/dermasim compare --days 730 --out $(OUT)

test: $(VENV)/.installed-test
	MPLBACKEND=Agg $(BIN)/python -m pytest -m "not slow" -q

validate: $(VENV)/.installed-test
	MPLBACKEND=Agg $(BIN)/python -m pytest -m slow -q
	MPLBACKEND=Agg $(BIN)/dermasim validate --out $(OUT)/validation
	$(BIN)/dermasim permeability-validate --out $(OUT)/validation

calibrate: $(VENV)/.installed-base
	$(BIN)/dermasim calibrate --out calibration

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[bench,plot]"
	@touch $@

bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/run.py --out benchmarks/results.json

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks examples docs
	$(BIN)/ruff format --check src tests benchmarks examples docs

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(OUT) build dist src/*.egg-info
