# The front door: every target installs what it needs into .venv from the package registry.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo
HOME_DIR ?= .

.PHONY: install test demo lint bench daily regions clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check batch_ship tests bench scripts
	$(BIN)/ruff format --check batch_ship tests bench scripts
	$(BIN)/mypy

demo: $(STAMP)
	bash scripts/demo.sh $(DEMO_DIR)

bench: $(STAMP)
	$(BIN)/python -m bench

daily: $(STAMP)
	$(BIN)/batch-ship --home $(HOME_DIR) daily

regions: $(STAMP)
	$(BIN)/python scripts/refresh_regions.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache $(DEMO_DIR)
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
