# Two commands set everything up on a fresh Linux machine with Python >= 3.10:
#   make run    install into .venv and launch the app (headless: run the demo pipeline)
#   make test   install into .venv with the test extras and run the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The tests run every backend: JAX and PyTorch's CPU build (a plain "pip install torch" on
# Linux takes the CUDA build, several GB).
TORCH_CPU ?= torch==2.13.0

.PHONY: run test install install-test desktop-entry

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install -e ".[test,jax]"
	$(PY) -m pip install "$(TORCH_CPU)" --index-url https://download.pytorch.org/whl/cpu
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(PY) main.py

# Engine tests and GUI tests run in separate processes (TensorFlow and napari's GL
# canvas must not share one); GUI tests start a virtual display through pytest-xvfb.
test: install-test
	$(PY) -m pytest tests/core tests/test_architecture.py tests/test_style.py
	$(PY) -m pytest tests/app

desktop-entry: install
	sh resources/install-desktop-entry.sh
