#!/usr/bin/env bash
# The prepared GPU check (issue 11): inference FOV/s at batch 1..64, training steps/s and a
# short whole inference for every installed Keras backend (TensorFlow, JAX, PyTorch) and
# precision (float32, bfloat16, mixed), in under 5 minutes on one NVIDIA GPU; one JSON file.
#
#   bash benchmarks/gpu_check.sh [OUT.json] [gpu_check.py options]
#
# OUT.json defaults to $OUT/gpu_check.json when $OUT is set, else ./gpu_check.json.
# Options (benchmarks/gpu_check.py --help): --backends jax,torch, --device cpu|gpu|auto,
# --weights model.weights.h5 (the 7M model as a portable file: ffn-core convert --checkpoint
# .../model.ckpt-7000000 --model-args '{"depth": 9, "fov_size": [33, 33, 17], "deltas": [8, 8,
# 4]}' --out model.weights.h5; default random weights), --budget-s 280, --quick.
#
# Needs, in the Python it runs (PYTHON, default .venv/bin/python when present, else python3):
# keras >= 3, numpy, scipy, h5py, pillow, scikit-image (the engine's own imports on this path)
# and at least one backend with its CUDA build (torch; jax[cuda12]; tensorflow[and-cuda]).
# TensorFlow is not needed: each backend runs in its own process, weights travel as
# *.weights.h5 (h5py). Without network: pip install --no-index --find-links WHEELS keras ...
# The repository itself is not installed; it runs from this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$([ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)}
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then
    out=$1
    shift
else
    out=${OUT:-.}/gpu_check.json
fi
nvidia-smi --query-gpu=name,driver_version,memory.used,memory.total --format=csv || true
exec "$PYTHON" benchmarks/gpu_check.py "$out" "$@"
