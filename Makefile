# Homeward: `make run` to try it, `make test` to check it. Both install what they need first.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export PATH := $(CURDIR)/.venv/bin:$(PATH)
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := .venv/bin/python
HW := .venv/bin/homeward

.PHONY: lock install run test lint types unit test-sqlite test-postgres browser bench bench-national demo clean

$(UV):
	python3 -m venv .tools && .tools/bin/pip install -q uv

# requirements.lock pins every Python package by version and hash (make lock rewrites it);
# package-lock.json pins the front-end ones.
.venv/.installed: pyproject.toml requirements.lock | $(UV)
	test -x .venv/bin/python || $(UV) venv -q --python python3.11 .venv
	$(UV) pip install -q --python .venv/bin/python --require-hashes -r requirements.lock
	$(UV) pip install -q --python .venv/bin/python --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: .venv/.installed node_modules/.installed

lock: | $(UV)
	$(UV) pip compile pyproject.toml --group dev --generate-hashes --python-version 3.11 --no-header -q -o requirements.lock

run: install
	$(HW) serve

demo: install
	$(HW) migrate --noinput
	$(HW) demo --seed 1 --years 1

lint: install
	$(PY) -m ruff check homeward
	$(PY) -m ruff format --check homeward

types: install
	$(PY) -m mypy homeward

# The whole suite on SQLite, then again on PostgreSQL when one is reachable.
test: install lint types
	$(PY) -m homeward.testrun

# Benchmarks run on their own database under var/bench/, never the demo one.
BENCH_DB := $(CURDIR)/var/bench/homeward.sqlite3
bench: install
	mkdir -p var/bench
	rm -f $(BENCH_DB) $(BENCH_DB)-wal $(BENCH_DB)-shm
	HOMEWARD_SQLITE_PATH=$(BENCH_DB) $(HW) migrate --noinput -v0
	HOMEWARD_SQLITE_PATH=$(BENCH_DB) $(HW) demo --seed 1 --years 3
	HOMEWARD_SQLITE_PATH=$(BENCH_DB) $(HW) bench --json var/bench/results.json
	@if $(PY) -c "import psycopg, sys; psycopg.connect('$(BENCH_NATIONAL_URL)'.rsplit('/', 1)[0] + '/postgres', connect_timeout=3).close()" 2>/dev/null; \
	then $(MAKE) --no-print-directory bench-national; \
	else echo "PostgreSQL is not reachable at $(BENCH_NATIONAL_URL): national-scale benchmark not run"; fi

# National scale: ten years of national volume in PostgreSQL (docs/operations.md). Drops and recreates
# the database in BENCH_NATIONAL_URL.
BENCH_NATIONAL_URL ?= $(or $(HOMEWARD_BENCH_NATIONAL_URL),postgres://postgres@127.0.0.1:5432/homeward_national)
BENCH_NATIONAL_YEARS ?= 10
bench-national: install
	mkdir -p var/bench
	$(PY) -m homeward.demo.recreate_database '$(BENCH_NATIONAL_URL)'
	DATABASE_URL='$(BENCH_NATIONAL_URL)' $(HW) migrate --noinput -v0
	DATABASE_URL='$(BENCH_NATIONAL_URL)' $(HW) demo --national --seed 1 --years $(BENCH_NATIONAL_YEARS)
	DATABASE_URL='$(BENCH_NATIONAL_URL)' $(HW) bench_national --json var/bench/national.json

clean:
	rm -rf .venv node_modules var staticfiles .tools
