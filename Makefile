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
	@# --compile-bytecode: the .pyc files are written once here. Without them every Python process (each xdist worker,
	@# each CLI and server subprocess of the tests) compiles sqlalchemy, pydantic, fastapi… again (~2 s CPU each) when
	@# PYTHONDONTWRITEBYTECODE is set (it is in our sandboxes). pip compiles by default.
	@$(VENV)/bin/uv pip install -q --compile-bytecode --python $(PY) -e '.[dev]' || $(VENV)/bin/pip install -q -e '.[dev]'
	@touch $(STAMP)

# The label demo: both dairy-label samples (UHT milk box, powder can), then each one's report and carbon label.
LABEL_SAMPLES := label_uht_milk label_milk_powder
demo: setup
	$(VENV)/bin/milkprint demo --out-dir out/demo
	$(VENV)/bin/milkprint demo --method dairy-carbon-label --out-dir out/demo
	@for s in $(LABEL_SAMPLES); do \
		$(VENV)/bin/milkprint report src/milkprint/samples/$$s -o out/demo/$$s/report.pdf && \
		$(VENV)/bin/milkprint label src/milkprint/samples/$$s -o out/demo/$$s/label.svg || exit 1; \
	done

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks scripts

typecheck: setup
	$(VENV)/bin/mypy

# The whole suite, in parallel on every core (pytest-xdist; `make unit PYTEST_WORKERS=0` runs it in one process).
# worksteal: a worker that runs out takes tests from another's queue (tests take 0.01 s to a minute).
PYTEST_WORKERS ?= auto
unit: setup
	$(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --dist worksteal

test: lint typecheck unit

bench: setup
	$(PY) benchmarks/bench_meters.py
	$(PY) benchmarks/bench_scada_import.py --keep

bench-import: setup
	$(PY) benchmarks/bench_scada_import.py --keep

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
