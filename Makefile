# Two commands: `make run` serves the site with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install db demo clean-db bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

db: install
	$(FLASK) db upgrade
	$(FLASK) geo load --if-empty

demo: db
	$(FLASK) seed-demo --if-empty

run: demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

# The suite runs on SQLite; with LEADERS_TEST_DATABASE_URL set it runs again on PostgreSQL.
test: install
	scripts/test-services.sh
	$(BIN)/pytest
	@if [ -n "$$LEADERS_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		LEADERS_TEST_DB=postgresql $(BIN)/pytest -m "not e2e and not sqlite_only"; \
	fi
