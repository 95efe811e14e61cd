#!/usr/bin/env bash
# Runs the layer and model tests, and those of the decoding loop and ensembles, under the JAX and PyTorch Keras
# backends; the plain `pytest` run covers TensorFlow. Tests that need TensorFlow are marked
# `requires_tensorflow` and skipped there.
# Under PyTorch the `learning` tests (short model.fit runs to a stated accuracy) are left out by
# default: on this CPU they take about 2.5 minutes there, against 15 seconds under JAX, and the
# numeric tests already check every layer against NumPy on that backend.
#
# Needs the `backends` extra (`pip install -e ".[backends]"`). Usage:
#   PYTHON=.venv/bin/python bash tests/backends.sh [pytest arguments]
#   BACKENDS="tensorflow jax torch" TORCH_MARKERS="not slow" bash tests/backends.sh
set -uo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python}"
status=0
for backend in ${BACKENDS:-jax torch}; do
    markers="not slow"
    if [ "${backend}" = torch ]; then
        markers="${TORCH_MARKERS:-not slow and not learning}"
    fi
    echo "== KERAS_BACKEND=${backend} (-m \"${markers}\")"
    # XLA's unoptimized CPU code: the tests compile many small graphs once each, and compiling
    # them takes longer than running them (the JAX part took 119 s instead of 176 s on 2026-12-04;
    # set XLA_FLAGS to override).
    XLA_FLAGS="${XLA_FLAGS:---xla_backend_optimization_level=0}" KERAS_BACKEND="${backend}" "${python}" -m pytest -q -m "${markers}" tests/layers tests/models tests/decoding/test_shrinking_loop.py tests/decoding/test_controls.py tests/decoding/test_ensemble.py "$@" || status=1
done
exit "${status}"
