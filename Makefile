# Dossier: two commands on a fresh Debian/Ubuntu machine.
#   make run   - set everything up, initialise the embedded archive, serve http://127.0.0.1:8000
#   make test  - set everything up, run the linters and the whole test suite

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DOSSIER_HOME ?= $(CURDIR)/var

# Debian packages the app needs at run time, and the extra ones the tests need.
RUN_PACKAGES := tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra tesseract-ocr-eng \
                poppler-utils fonts-noto-cjk qpdf
TEST_PACKAGES := chromium

.PHONY: run test lint init serve worker sysdeps sysdeps-test venv clean distclean

# The worker (OCR of uploads) runs beside the web server and stops with it.
run: sysdeps venv init
	@$(BIN)/dossier worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/dossier serve --host $(HOST) --port $(PORT)

test: sysdeps sysdeps-test venv lint
	$(BIN)/pytest

# Style, types and the layers (the contracts are in pyproject.toml).
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

init: venv
	@$(BIN)/dossier init

serve: venv
	$(BIN)/dossier serve --host $(HOST) --port $(PORT)

worker: venv
	$(BIN)/dossier worker

sysdeps:
	@bash tools/install-debian-packages.sh $(RUN_PACKAGES)

sysdeps-test:
	@bash tools/install-debian-packages.sh $(TEST_PACKAGES)

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "make: python3.11 (or python3 >= 3.11) is needed" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "make: Python >= 3.11 is needed, found $$($(PYTHON) --version)" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "make: cannot create a venv; install python3-venv" >&2; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

clean:
	rm -rf build dist *.egg-info .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
