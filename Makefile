# The README's commands. Each target creates .venv/ when missing and installs what it needs first.
#   make run    ingest corpus/ into the embedded Chroma folder, answer QUESTION once on the command line,
#               then serve the API, the widget and its demo page where ASSISTANT_HOST/ASSISTANT_PORT say
#               (default http://127.0.0.1:8000; `assistant serve` prints the address it listens on)
#   make test   install test tools and Debian's chromium (browser tests) too, then run the whole suite
# Override the torch install for other machines, e.g.
#   make run TORCH_SPEC=torch TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
TORCH_PIP_ARGS ?=
BIN := $(VENV)/bin
QUESTION ?= When is the deadline of the 2024 Town Twinning call?

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test ingest eval lint bench clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch first, pinned, so sentence-transformers finds it satisfied and no CUDA wheels are pulled in.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q $(TORCH_PIP_ARGS) "$(TORCH_SPEC)"
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed-run
	$(BIN)/pip install -q -e ".[test]"
	touch $@

ingest: $(VENV)/.installed-run
	$(BIN)/assistant ingest

run: ingest
	$(BIN)/assistant ask "$(QUESTION)"
	$(BIN)/assistant serve

# The evaluation report on the held-out test set: into eval/reports/local/ (git-ignored) by default;
# `make eval UPDATE_REPORT=1` replaces the committed eval/reports/latest.{json,html}.
UPDATE_REPORT ?= 0
ifneq ($(filter eval,$(MAKECMDGOALS)),)
ifeq ($(filter 0 1,$(UPDATE_REPORT)),)
$(error UPDATE_REPORT must be 0 (report into eval/reports/local/) or 1 (update the committed report), not "$(UPDATE_REPORT)")
endif
endif
EVAL_REPORTS := $(if $(filter 1,$(UPDATE_REPORT)),eval/reports,eval/reports/local)

eval: ingest
	$(BIN)/assistant eval --questions eval/test.jsonl --compare \
		--json $(EVAL_REPORTS)/latest.json --html $(EVAL_REPORTS)/latest.html

# Browser tests drive Debian's chromium with Playwright (never `playwright install`, which downloads a browser).
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

test: $(VENV)/.installed-test chromium
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check assistant tests bench
	$(BIN)/ruff format --check assistant tests bench

# Bench-only packages (the naive LangChain pipeline, profilers) come with the `bench` extra.
$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(BIN)/pip install -q -e ".[test,bench]"
	touch $@

# All sections into bench/RESULTS.md (bench/run.py --only NAME,... re-runs some; --quick is a smoke run).
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run.py

clean:
	rm -rf .data .pytest_cache
