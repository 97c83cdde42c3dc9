# Two commands set everything up on a fresh Linux machine with Python >= 3.10:
#   make run    install into .venv and launch the app (headless: run the demo pipeline)
#   make test   install into .venv with the test extras and run the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test install install-test desktop-entry

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) main.py

# Engine tests and GUI tests run in separate processes (TensorFlow and napari's GL
# canvas must not share one); GUI tests start a virtual display through pytest-xvfb.
test: install
	$(PY) -m pytest tests/core tests/test_architecture.py tests/test_style.py
	$(PY) -m pytest tests/app

desktop-entry: install
	sh resources/install-desktop-entry.sh
