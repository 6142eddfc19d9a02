# ardesk: `make demo` to try it, `make test` to prove it, `make bench` for the figures.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_SIZE ?= small
HOST ?= 127.0.0.1:8000

.PHONY: install system-packages demo serve test test-fast lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium drives the browser tests (never a browser download).
system-packages:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing Debian's chromium for the browser tests"; \
		(apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

demo: install
	$(BIN)/ardesk migrate --no-input
	$(BIN)/ardesk demo load --size $(DEMO_SIZE) --if-empty
	$(BIN)/ardesk runserver $(HOST)

serve: install
	$(BIN)/ardesk runserver $(HOST)

test: install system-packages
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -p no:cacheprovider -m "not slow and not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks || true

typecheck: install
	$(BIN)/mypy

bench: install
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var build *.egg-info .pytest_cache .mypy_cache .ruff_cache
