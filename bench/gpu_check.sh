#!/usr/bin/env bash
# Checks a GPU machine before a long run: Keras and this package install there, the
# backend-agnostic layer and model tests pass under JAX on its GPU, and a training step of the
# seq2seq model is faster on the GPU than on the CPU (hidden sizes 256 and 1024). Prints a short
# table last; about 7.5 minutes on a 2-core CPU, about 4 on the lent H200 (each part has a time
# limit).
#
# The tests compare against NumPy at tolerances of 1e-5, so they run with JAX's float32 matrix
# products at full precision (JAX_DEFAULT_MATMUL_PRECISION=highest). JAX's GPU default is
# TensorFloat-32, which rounds the inputs of a product to 10 mantissa bits: on an H200 that moved
# 60 of the tests' outputs by up to 1.2e-3 (2026-12-04). The steps/s are measured at the default.
#
# Written for the lent GPU machine of the `device` tool (Python 3.12, JAX and PyTorch, no
# TensorFlow, no network): run `bash bench/gpu_wheels.sh` here first, then carry `.whl` there.
# Without a GPU (e.g. a dry run on a laptop) it measures the CPU alone and says so. Results are in
# BENCHMARKS.md ("GPU check").
#
# Usage: [PYTHON=python3] [SITE=/tmp/site] bash bench/gpu_check.sh
set -uo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
site="${SITE:-/tmp/site}"
export KERAS_BACKEND=jax XLA_PYTHON_CLIENT_PREALLOCATE=false TF_CPP_MIN_LOG_LEVEL=3
export KERAS_HOME="${site}/.keras" PYTHONPATH="${site}${PYTHONPATH:+:${PYTHONPATH}}"
started=${SECONDS}
summary=()

install_wheels() {
    # Keras, this package and whichever of Keras's dependencies the interpreter lacks, from .whl/.
    local wanted=(keras keras-attention-toolkit) module
    for module in namex optree; do
        "${python}" -c "import ${module}" 2>/dev/null || wanted+=("${module}")
    done
    echo "== installing ${wanted[*]} from .whl into ${site}"
    "${python}" -m pip install --quiet --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --find-links .whl --target "${site}" "${wanted[@]}"
}

if ! install_wheels; then
    echo "gpu_check: could not install the wheels of .whl (run bench/gpu_wheels.sh first)" >&2
    exit 1
fi
# -P: the package is imported from the installed wheel, not from this checkout.
"${python}" -P -c 'import keras, keras_attention, jax; print("keras", keras.__version__, "on", keras.backend.backend(), "| keras_attention from", keras_attention.__file__); print("jax", jax.__version__, "devices:", jax.devices())'
gpu=$("${python}" -P -c 'import jax; print(" ".join(sorted({d.device_kind for d in jax.devices() if d.platform == "gpu"})))' 2>/dev/null)
if [ -n "${gpu}" ]; then
    summary+=("| device | GPU: ${gpu} |")
else
    echo "== no GPU visible to JAX: the tests run on the CPU and only CPU speeds are measured"
    summary+=("| device | no GPU visible to JAX: CPU only |")
fi

echo "== backend-agnostic tests under KERAS_BACKEND=jax ($([ -n "${gpu}" ] && echo GPU || echo CPU))"
log="${site}/gpu_check_tests.log"
# pytest-xdist workers share the GPU (no preallocation). About 6 minutes on a 2-core CPU; the
# lent machine has 16 cores and the GPU, so it gets less time.
workers=$(( $(nproc) >= 16 ? 8 : 2 ))
limit=$(( $(nproc) >= 16 ? 300 : 400 ))
JAX_DEFAULT_MATMUL_PRECISION=highest timeout "${limit}" "${python}" -P -m pytest -q -p no:cacheprovider -m "not slow" -n "${workers}" \
    tests/layers tests/models 2>&1 | tee "${log}" | tail -5
tests_status=${PIPESTATUS[0]}
summary+=("| tests (layers, models; jax, float32 products at full precision) | $(grep -E '(passed|failed|error)' "${log}" | tail -1 | tr -d '=' | xargs) (exit ${tests_status}) |")

steps_per_second() {
    # Prints training steps/s of the seq2seq model at hidden size $2 on JAX platforms $1 (`cpu`,
    # or empty for JAX's default: the GPU where there is one).
    JAX_PLATFORMS="$1" timeout 40 "${python}" -P - "$2" <<'EOF'
import sys
import time

import keras
import numpy as np

from keras_attention.config import ModelConfig, TrainingConfig
from keras_attention.models import build_seq2seq, compile_seq2seq

hidden, batch, length, vocabulary = int(sys.argv[1]), 64, 20, 1000
keras.utils.set_random_seed(0)
config = ModelConfig(
    embedding_dim=hidden // 2, encoder_units=hidden // 2, decoder_units=hidden,
    attention_units=hidden, attentional_units=hidden,
)
model = compile_seq2seq(build_seq2seq(config, vocabulary, vocabulary), TrainingConfig())
rng = np.random.default_rng(0)
ids = lambda: rng.integers(4, vocabulary, size=(batch, length)).astype("int32")
inputs, targets = {"source": ids(), "target_in": ids()}, ids()
for _ in range(3):  # compiles the step
    model.train_on_batch(inputs, targets)
steps, started = 0, time.perf_counter()
while steps < 50 and time.perf_counter() - started < 5:
    keras.ops.convert_to_numpy(model.train_on_batch(inputs, targets)[0])
    steps += 1
print(f"{steps / (time.perf_counter() - started):.2f}")
EOF
}

for hidden in 256 1024; do
    echo "== training steps/s, hidden ${hidden} (batch 64, lengths 20, vocabulary 1000)"
    cpu=$(steps_per_second cpu "${hidden}" | tail -1)
    echo "cpu: ${cpu:-failed}"
    if [ -n "${gpu}" ]; then
        on_gpu=$(steps_per_second "" "${hidden}" | tail -1)
        echo "gpu: ${on_gpu:-failed}"
        ratio=$("${python}" -c "print(f'{float(\"${on_gpu:-0}\") / float(\"${cpu:-0}\"):.1f}x')" 2>/dev/null || echo "n/a")
        summary+=("| steps/s, hidden ${hidden} | CPU ${cpu:-failed}, GPU ${on_gpu:-failed}, GPU/CPU ${ratio} |")
    else
        summary+=("| steps/s, hidden ${hidden} | CPU ${cpu:-failed}, GPU not measured (none) |")
    fi
done

echo
echo "== gpu_check summary ($((SECONDS - started)) s)"
echo "| check | result |"
echo "| --- | --- |"
printf '%s\n' "${summary[@]}"
[ "${tests_status}" -eq 0 ]
