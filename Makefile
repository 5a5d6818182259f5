# Two commands set Shelf up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHELF := $(BIN)/shelf
HOST ?= 127.0.0.1
PORT ?= 8000
# gunicorn.conf.py: WORKERS defaults to the number of cores, THREADS to 8.
export HOST PORT WORKERS THREADS

.PHONY: run serve test lint format install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,browser]'
	touch $@

install: $(VENV)/.installed

run: install
	$(SHELF) migrate --noinput
	$(SHELF) loadsample
	$(SHELF) collectstatic --noinput --verbosity 0
# The task worker (file extraction) runs beside gunicorn and stops with it.
	$(SHELF) db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/gunicorn -c gunicorn.conf.py shelf.wsgi

serve: run

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) static
