# Préau: `make run` serves the demo school, `make test` runs the checks and the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test audit bench lint messages install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The portal's own address (PORTAL_URL) follows PORT unless set: LTI and CAS messages carry it.
run: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/preau migrate --noinput
	DEBUG=$${DEBUG:-1} PORTAL_URL=$${PORTAL_URL:-http://127.0.0.1:$(PORT)} $(BIN)/preau demo --if-empty
	DEBUG=$${DEBUG:-1} PORTAL_URL=$${PORTAL_URL:-http://127.0.0.1:$(PORT)} PORT=$(PORT) $(BIN)/preau serve

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/preau makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

# Known vulnerabilities in the pinned dependencies (pip-audit; see docs/operations.md).
audit: $(STAMP)
	$(BIN)/python .ci/audit.py

bench: $(STAMP)
	$(BIN)/python -m preau.bench

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Refresh the English catalogue after changing French strings, translate, then compile.
messages: $(STAMP)
	cd src/preau && DEBUG=1 ../../$(BIN)/preau makemessages -l en --no-location \
		--ignore '*/tests/*' --ignore 'bench/*'
	cd src/preau && DEBUG=1 ../../$(BIN)/preau compilemessages -l en

clean:
	rm -rf $(VENV) staticfiles
