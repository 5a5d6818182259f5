# Two commands set Shelf up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHELF := $(BIN)/shelf
HOST ?= 127.0.0.1
PORT ?= 8000
# gunicorn.conf.py: WORKERS defaults to the number of cores, THREADS to 8.
export HOST PORT WORKERS THREADS

.PHONY: run serve test lint format install lock clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs exactly the versions in requirements.lock, each checked against its
# hash, then Shelf itself without resolving anything again; pip check fails
# when pyproject.toml asks for something the lock lacks (run `make lock`).
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

install: $(VENV)/.installed

# After changing dependencies in pyproject.toml: pin them all again, with hashes.
# `make lock UPGRADE=1` also moves every pin to the newest allowed version.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet "pip-tools>=7.4"
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links --extra dev --extra browser \
		$(if $(UPGRADE),--upgrade) -o requirements.lock pyproject.toml

run: install
	$(SHELF) messages --compile
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

# Extract the marked strings into shelf/locale/*/django.po, merge, compile the
# .mo files, and list what still needs translating (pure Python: no gettext).
messages: install
	$(SHELF) messages --export $(or $(TODO),var/translations-todo.json)
	-$(SHELF) messages --check

clean:
	rm -rf $(VENV) static
