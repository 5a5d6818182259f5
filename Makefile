# Two commands set Shelf up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHELF := $(BIN)/shelf
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: run serve test lint format install clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,browser]'
	touch $@

install: $(VENV)/.installed

run: install
	$(SHELF) messages --compile
	$(SHELF) migrate --noinput
	$(SHELF) loadsample
	$(SHELF) collectstatic --noinput --verbosity 0
# The task worker (file extraction) runs beside gunicorn and stops with it.
	$(SHELF) db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/gunicorn shelf.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --preload

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

# Extract the marked strings into shelf/locale/*/django.po, merge, compile the
# .mo files, and list what still needs translating (pure Python: no gettext).
messages: install
	$(SHELF) messages --export $(or $(TODO),var/translations-todo.json)
	-$(SHELF) messages --check

clean:
	rm -rf $(VENV) static
