# The front door: every target installs what it needs into .venv from the package registry.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo
HOME_DIR ?= .

.PHONY: install test demo lint bench browser-check daily regions messages clean

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

# The report in a real headless browser (Debian's chromium; `make test` runs the same tests
# when a chromium is installed, and says it skipped them when not).
browser-check: $(STAMP)
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	$(BIN)/python -m pytest -q -rs tests/test_report_browser.py

daily: $(STAMP)
	$(BIN)/batch-ship --home $(HOME_DIR) daily

regions: $(STAMP)
	$(BIN)/python scripts/refresh_regions.py

# The message catalogs: extract the messages, update batch_ship/locale/zh/.../batch_ship.po
# (then translate what is new) and compile the .mo shipped in the package.
messages: $(STAMP)
	$(BIN)/python scripts/messages.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache $(DEMO_DIR)
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
