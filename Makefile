# dumpcheck: every target installs what it needs by itself (venv, packages, PostgreSQL binaries).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.dumpcheck-installed
DUMP ?= fixtures/demo/dumps/products_never_dumped.dump
PRISMA ?= fixtures/demo/schema.prisma
# Extra server majors the test suite exercises (cross-version restores).
TEST_MAJORS ?= 15 17

.PHONY: install test lint check fixtures verify-dump bench bench-big clean

install: $(STAMP)

# The row-hashing extension (src/dumpcheck/_native) compiles against xxHash's header: installed
# when we are root on Debian (CI); without it pip builds dumpcheck without the extension, and
# the fingerprints take the slower Python path.
$(STAMP): pyproject.toml src/dumpcheck/_native/rowhash.c
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "dumpcheck needs Python 3.12+; found " + sys.version.split()[0])'
	@if [ ! -f /usr/include/xxhash.h ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get install -y -q libxxhash-dev >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -q libxxhash-dev) >/dev/null 2>&1 || true; fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/dumpcheck postgres list >/dev/null
	@$(BIN)/python -m compileall -q src >/dev/null
	@touch $(STAMP)

# uuid-ossp, a contrib extension some real schemas declare, needs libossp-uuid16; the nightly
# page's test renders runs/index.html in headless Chromium (/usr/bin/chromium). Both installed
# when we are root on Debian (CI); without Chromium that test skips, or fails under CI=true.
test: install
	@for m in $(TEST_MAJORS); do $(BIN)/dumpcheck postgres install $$m >/dev/null || exit 3; done
	@if ! ldconfig -p 2>/dev/null | grep -q libossp-uuid.so.16 && [ "$$(id -u)" = 0 ] \
		&& command -v apt-get >/dev/null; then \
		apt-get install -y -q libossp-uuid16 >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -q libossp-uuid16) >/dev/null 2>&1 || true; fi
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get install -y -q chromium >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -q chromium) >/dev/null 2>&1 || true; fi
	@bash tests/suite.sh $(TEST_MAJORS)

lint: install
	$(BIN)/ruff check src tests pipeline fixtures
	$(BIN)/ruff format --check src tests pipeline fixtures
	$(BIN)/mypy --strict src pipeline tests fixtures

check: lint test

fixtures: install
	$(BIN)/python fixtures/generate.py

# make itself exits 2 whenever a recipe fails, so the job's own exit code is printed too.
verify-dump: install
	@code=0; $(BIN)/python -m pipeline.nightly --dump "$(DUMP)" --prisma "$(PRISMA)" \
		--runs-dir runs || code=$$?; \
	echo "dumpcheck exit code: $$code (0 ok, 1 findings, 2 bad input, 3 environment)"; \
	exit $$code

# Bytecode is compiled first: with PYTHONDONTWRITEBYTECODE set (as on CI machines) every
# command would otherwise compile its modules again and the start-up figures would be wrong.
bench: install
	@$(BIN)/python -m compileall -q src >/dev/null
	$(BIN)/python -m tests.bench

# Plain inventory of a generated 10 GB dump (about 10 GB free in /tmp, a few minutes): time
# grows linearly and peak RSS stays flat from 0.1 to 10 GB.
bench-big: install
	@$(BIN)/python -m compileall -q src >/dev/null
	$(BIN)/python -m tests.bench_inventory --size-gb 10 --also-gb 0.1,1 --inserts-gb 0.01 --tables 100

clean:
	rm -rf $(VENV) build src/*.egg-info .mypy_cache .ruff_cache .pytest_cache
