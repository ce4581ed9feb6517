# Two commands: `make run` serves the site with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install db demo clean-db bench assets

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

# The map's third-party JavaScript: pinned by package-lock.json, copied into static/vendor/
# (not committed). Runs again only when the lockfile changes.
VENDOR := static/vendor
VENDOR_STAMP := $(VENDOR)/.installed-stamp
$(VENDOR_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR)/leaflet $(VENDOR)/leaflet.markercluster
	mkdir -p $(VENDOR)/leaflet $(VENDOR)/leaflet.markercluster
	cp -R node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
		node_modules/leaflet/dist/images node_modules/leaflet/LICENSE $(VENDOR)/leaflet/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
		node_modules/leaflet.markercluster/dist/MarkerCluster.css \
		node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css \
		node_modules/leaflet.markercluster/MIT-LICENCE.txt $(VENDOR)/leaflet.markercluster/
	touch $(VENDOR_STAMP)

assets: $(VENDOR_STAMP)

run: demo assets
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

# The suite runs on SQLite; with LEADERS_TEST_DATABASE_URL set it runs again on PostgreSQL.
# In TEST_WORKERS processes (pytest-xdist; `make test TEST_WORKERS=0` runs in one), each with
# its own PostgreSQL database <LEADERS_TEST_DATABASE_URL's>_gw<N>.
TEST_WORKERS ?= auto
test: install assets
	scripts/test-services.sh
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal
	@if [ -n "$$LEADERS_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		LEADERS_TEST_DB=postgresql $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal -m "not e2e and not sqlite_only"; \
	fi
