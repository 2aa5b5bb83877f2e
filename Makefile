# Two commands on a fresh Debian machine with python3 and make:
#   make demo   — offline demo: fake servers, SQLite, collect, score, dashboard
#   make test   — ruff, mypy and the whole pytest suite (installs what the tests need): every test
#                 on SQLite, then again on PostgreSQL the tests that take the selected database
#                 (scripts/run-pytest.sh; OSSIMPACT_TEST_PASSES=sqlite|postgres for one pass)
PY_VERSION_OK := $(shell python3 -c 'import sys; print(int(sys.version_info >= (3, 11)))')
UV := .uv/bin/uv
VENV := .venv
STAMP := $(VENV)/.synced

.PHONY: demo test lint typecheck pytest bench system-deps dashboard clean

$(UV):
	@test "$(PY_VERSION_OK)" = "1" || { echo "python3 >= 3.11 is needed"; exit 2; }
	python3 -m venv .uv
	.uv/bin/pip install --quiet "uv==0.13.8"

$(STAMP): $(UV) pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --locked --quiet
	@touch $(STAMP)

# Debian packages the tests need: chromium for the browser tests, postgresql for parity tests.
system-deps:
	@bash scripts/system-deps.sh

demo: $(STAMP)
	$(VENV)/bin/ossimpact demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP) system-deps
	bash scripts/run-pytest.sh

test: lint typecheck pytest

bench: $(STAMP)
	$(VENV)/bin/python -m benchmarks

clean:
	rm -rf $(VENV) .uv .mypy_cache .ruff_cache test-artifacts
