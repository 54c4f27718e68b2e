# The README's commands. Each target creates .venv/ when missing and installs what it needs first.
#   make run    ingest corpus/ into the embedded Chroma folder, then answer QUESTION on the command line
#   make test   install test tools too, then run the whole suite
# Override the torch install for other machines, e.g.
#   make run TORCH_SPEC=torch TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
TORCH_PIP_ARGS ?=
BIN := $(VENV)/bin
QUESTION ?= When is the deadline of the 2024 Town Twinning call?

.PHONY: run test ingest eval lint bench clean

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

# The evaluation report on the held-out test set (committed under eval/reports/).
eval: ingest
	$(BIN)/assistant eval --questions eval/test.jsonl --compare \
		--json eval/reports/latest.json --html eval/reports/latest.html

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check assistant tests bench
	$(BIN)/ruff format --check assistant tests bench

bench: $(VENV)/.installed-test
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/ask_latency.py

clean:
	rm -rf .data .pytest_cache
