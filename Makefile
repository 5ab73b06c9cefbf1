# Two commands for a newcomer (README): `make chat` and `make test`.
# Everything is idempotent: a warm `make chat` only checks and starts.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# A CPU build of torch. Where PyPI would hand you the multi-GB CUDA build, add
# TORCH_INDEX=--index-url=https://download.pytorch.org/whl/cpu
TORCH       ?= torch==2.13.0
TORCH_INDEX ?=

.PHONY: chat setup deps models index test eval bench clean

chat: setup                 ## set everything up, then open the chat on http://127.0.0.1:7860
	$(BIN)/python -m app

setup: deps models index    ## venv + packages, verified models, current index

deps: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check $(TORCH_INDEX) $(TORCH)
	CMAKE_ARGS="-DLLAVA_BUILD=OFF" $(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

models: deps                ## fetch, assemble and verify the default models (no-op when verified)
	$(BIN)/python -m provision

index: models               ## index seeds/ (no-op when nothing changed)
	$(BIN)/python -m index

test: deps models           ## the linter, then the whole test suite
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

eval: setup                 ## retrieval hit@k on the project's gold set
	$(BIN)/python -m eval.retrieval

bench: setup                ## speed, memory and scaling: a table, bench/results/bench.json and retrieval.png
	$(BIN)/python -m bench

clean:                      ## remove the index (models and venv stay)
	rm -rf data/index
