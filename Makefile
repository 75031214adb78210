# Two commands from a fresh clone: `make demo` and `make test`. Both set up what they need, idempotently.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PYTHON  ?= python3

.PHONY: setup system demo test lint typecheck unit bench bench-import clean

setup: system $(STAMP)

system:
	@scripts/setup-system.sh

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install -q --disable-pip-version-check uv
	@$(VENV)/bin/uv pip install -q --python $(PY) -e '.[dev]' || $(VENV)/bin/pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: setup
	$(VENV)/bin/milkprint demo --out-dir out/demo

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks scripts

typecheck: setup
	$(VENV)/bin/mypy

unit: setup
	$(VENV)/bin/pytest -q

test: lint typecheck unit

bench: setup
	$(PY) benchmarks/bench_meters.py
	$(PY) benchmarks/bench_scada_import.py --keep

bench-import: setup
	$(PY) benchmarks/bench_scada_import.py --keep

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
