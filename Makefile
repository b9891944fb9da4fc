# ZPP Brabant — developer commands. On a fresh clone with Python 3.11:
#   make run    the site at http://127.0.0.1:8000 with demo data (Ctrl-C stops it)
#   make test   the whole pytest suite (make test ARGS="-k release -x")

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv install run test fuzz bench messages stop-db clean distclean

help:
	@echo "make run        start the site with demo data on http://127.0.0.1:8000 (HOST/PORT to change)"
	@echo "make test       run the test suite (ARGS=\"...\" passes options to pytest)"
	@echo "make fuzz       fuzz every form with Hypothesis (CI runs it too)"
	@echo "make bench      run all benchmarks; BENCH=name runs one, BENCH_RESET=1 regenerates the data"
	@echo "make messages   update and compile the Dutch translations"
	@echo "make stop-db    stop the embedded PostgreSQL (data stays in var/pgdata)"
	@echo "make install    create .venv and install the project (done by the targets above)"
	@echo "make clean      remove caches and build output; distclean also removes .venv and var/"

# The virtualenv is (re)installed when pyproject.toml changes.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -e ".[dev]"
	@touch $(STAMP)

venv install: $(STAMP)

run: $(STAMP)
	@$(PY) scripts/run.py

test: $(STAMP)
	$(PY) -m pytest -m "not fuzz" $(ARGS)

# Hypothesis fuzzing of every form (200 examples each; about a quarter of an hour).
fuzz: $(STAMP)
	$(PY) -m pytest -m fuzz $(ARGS)

bench: $(STAMP)
	@$(PY) -m bench.run $(if $(filter 1 yes true,$(BENCH_RESET)),--reset) $(BENCH)

messages: $(STAMP)
	$(PY) manage.py makemessages -l nl --ignore='$(VENV)/*' --ignore='var/*' --ignore='staticfiles/*' --ignore='node_modules/*'
	$(PY) manage.py compilemessages -l nl --ignore='$(VENV)' --ignore='var' --ignore='staticfiles' --ignore='node_modules'

stop-db:
	@if [ -x $(PY) ]; then $(PY) -m zppbrabant.embedded_db stop; else echo "no $(VENV): nothing to stop"; fi

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -rf .pytest_cache .hypothesis staticfiles tests/artifacts *.egg-info build dist

distclean: stop-db clean
	rm -rf $(VENV) var
