# symcost: set-up, demo, tests, benchmarks. Only Python 3 and pip are needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench lint reports docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	mkdir -p reports
	$(PY) -m symcost analyze examples/ma_separation.yaml --format json -o reports/ma_separation.json
	$(PY) -m symcost analyze examples/ma_separation.yaml --format md --figure ma_separation.svg -o reports/ma_separation.md
	@echo "--- runtime (device concurrency, compute only) ---"
	$(PY) -m symcost analyze examples/ma_separation.yaml --format text

reports: demo
	$(PY) scripts/make_reports.py

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/run.py --out benchmarks/results.md

# API reference from the docstrings (pdoc, the `docs` extra): docs/api/index.html
docs: $(STAMP)
	$(PY) -m pip install --quiet -e '.[docs]'
	$(PY) -m pdoc symcost --docformat numpy -o docs/api
	@echo "API reference: docs/api/index.html"

lint: $(STAMP)
	$(VENV)/bin/ruff check symcost tests benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis .ruff_cache docs/api
