# Homeward: `make run` to try it, `make test` to check it. Both install what they need first.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export PATH := $(CURDIR)/.venv/bin:$(PATH)
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := .venv/bin/python
HW := .venv/bin/homeward

.PHONY: install run test lint types unit test-sqlite test-postgres browser bench demo clean

$(UV):
	python3 -m venv .tools && .tools/bin/pip install -q uv

# The lock file pins every Python package; npm's lock pins the front-end ones.
.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python python3.11
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: .venv/.installed node_modules/.installed

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

bench: install
	$(HW) bench

clean:
	rm -rf .venv node_modules var staticfiles .tools
