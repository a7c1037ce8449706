# labsite: `make run` starts the site with demo data, `make test` runs the whole test suite.
# Both create the virtualenv (.venv) and install what they need on a fresh machine with Python 3.11.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo PDUs are simulated on 127.0.0.1:8021-8022 (see inventory/services/demo_power.py).
DEMO_PDU_PASSWORD ?= labsite-demo-pdu
export DEMO_PDU_PASSWORD

.PHONY: run test lint venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.dev

run: $(VENV)/.runtime
	DEBUG=true $(BIN)/python manage.py init_db --demo
	@echo
	@echo "labsite is starting at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/, API: http://$(HOST):$(PORT)/api/docs/)"
	@echo
	@# The simulated PDUs and the worker (PDU readings, booking-driven power, notifications) run beside the
	@# server and stop with it.
	DEBUG=true $(BIN)/python manage.py pdu_simulator --port 8021 --count 2 --on & sim=$$!; \
	DEBUG=true $(BIN)/python manage.py run_worker & worker=$$!; \
	trap 'kill $$sim $$worker 2>/dev/null; wait $$sim $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .test-media
