SHELL := /bin/bash
# Developer entry points. `make demo` and `make test` are the README's Quick start.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
BACKENDS_STAMP := $(VENV)/.backends-stamp
# The PyTorch backend tests need only the CPU build; this version's CPU wheel is on our machines.
TORCH_VERSION ?= 2.13.0
EXAMPLES := "Tuesday, March 3, 1998" "3rd of july 2021" "12/25/1999" "  01.02.2003" "7 Aug 65"

.PHONY: setup demo test bench

$(STAMP): setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

$(BACKENDS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[backends]" "torch==$(TORCH_VERSION)"
	touch $(BACKENDS_STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/keras-attention train --config training/configs/dates.yaml --output runs/dates --overwrite
	@echo "translations of a few examples:"
	@$(BIN)/keras-attention translate --model runs/dates $(EXAMPLES) | paste -d '\t' <(printf '%s\n' $(EXAMPLES)) -

# Two pytest workers (pytest-xdist): most tests spend their time tracing graphs on one core.
# `loadscope` hands out whole scopes (tests/conftest.py's `fixture_scope`: a module, or all of
# tests/export and of tests/trainer, which share session fixtures), so no fixture is built twice.
test: $(BACKENDS_STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadscope --durations=20
	PYTHON=$(BIN)/python bash tests/backends.sh -n 2 --dist loadscope

# Every benchmark (about 3.5 hours), appended to BENCHMARKS.md with the date and commit.
bench: $(STAMP)
	test -d runs/dates || $(BIN)/keras-attention train --config training/configs/dates.yaml --output runs/dates
	$(BIN)/python bench/run_all.py --model runs/dates --append BENCHMARKS.md
