# The two commands of the README: `make run` (quick start) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-clock install messages lint demo clean lock bench bench-smoke

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs exactly the versions (and hashes) in the lock file; `make lock` refreshes it from pyproject.toml.
$(STAMP): $(BIN)/python requirements/dev.txt
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

# Compile the zh_Hans catalogues with Babel: no gettext needed.
messages: install
	@for dir in locale */locale; do \
		if ls $$dir/*/LC_MESSAGES/django.po >/dev/null 2>&1; then \
			$(BIN)/pybabel compile --use-fuzzy --statistics -D django -d $$dir || exit 1; \
		fi; \
	done

run: messages
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py seed_demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: messages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite again with the clock set to 00:30 and 23:30 in Shanghai on 31 December (16:30 and 15:30 UTC):
# the first is still the 30th in UTC, the second an hour from a new month and year. Browser and worker tests
# run on the real clock only.
CLOCK_MOMENTS := 2027-12-30T16:30:00+00:00 2027-12-31T15:30:00+00:00
test-clock: messages
	@for moment in $(CLOCK_MOMENTS); do \
		echo "== tests with the clock at $$moment =="; \
		SWS_FROZEN_CLOCK=$$moment $(BIN)/python -m pytest -q -m "not browser and not worker" $(PYTEST_ARGS) || exit 1; \
	done

# Speed, one table of ratios (bench/README.md): builds the district data set when missing, needs PostgreSQL
# and Redis (BENCH_DATABASE_URL, BENCH_BROKER_URL); wrk is installed with apt-get when missing.
bench: messages
	$(BIN)/python -W ignore bench/run.py $(BENCH_ARGS)

# Every bench once at a tiny size (a few hundred rows, a second of load, no figures checked): CI runs it.
bench-smoke: messages
	$(BIN)/python -W ignore bench/run.py --smoke $(BENCH_ARGS)
	DATABASE_URL=$${BENCH_IMPORTS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sws_bench_imports_smoke} \
		$(BIN)/python -W ignore bench/imports_bench.py --rows 100

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Refresh the lock files after changing the dependencies in pyproject.toml (needs the package index).
PIP_COMPILE_FLAGS := --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet pip-tools
	.venv-lock/bin/pip-compile $(PIP_COMPILE_FLAGS) --upgrade -o requirements/base.txt pyproject.toml
	.venv-lock/bin/pip-compile $(PIP_COMPILE_FLAGS) --upgrade --extra dev -o requirements/dev.txt pyproject.toml
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
