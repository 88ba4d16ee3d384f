# Needs nothing but python3: the first target bootstraps uv into .tools/, uv installs the rest.
PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
# The real interpreter, not a pyenv shim: uv compares paths and would rebuild .venv on every run.
export UV_PYTHON ?= $(shell $(PYTHON) -c 'import sys; print(sys.executable)')
export UV_LINK_MODE = copy
RUN := $(UV) run --frozen

.PHONY: install system-deps demo test test-unit lint up down bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check 'uv>=0.5'

.venv/.synced: $(UV) uv.lock pyproject.toml */*/pyproject.toml cli/pyproject.toml
	$(UV) sync --frozen --all-packages --group dev
	@touch $@

install: .venv/.synced

system-deps:
	bash scripts/system-deps.sh

demo: install
	$(RUN) hirestream demo

test: install system-deps lint
	$(RUN) pytest -q

test-unit: install
	$(RUN) pytest -q -m "not integration and not e2e"

lint: install
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) lint-imports
	$(RUN) mypy libs/contracts/src libs/kit/src libs/skills/src services/intake/src \
		services/parser/src services/scorer/src services/notifier/src cli/src

up:
	docker compose up -d --build

down:
	docker compose down -v

bench: install
	$(RUN) hirestream bench pipeline --applications 300 --output docs/bench-results.jsonl

clean:
	rm -rf .venv $(TOOLS) .hirestream
