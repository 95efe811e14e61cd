#!/usr/bin/env bash
# Puts into .whl/ the wheels that bench/gpu_check.sh installs on the lent GPU machine, which has
# Python 3.12, JAX and PyTorch, no TensorFlow, and no network: Keras, the Keras dependencies that
# machine lacks (namex, optree), each at the version of this checkout's environment, and a wheel of
# this package. .whl/ is ignored through .git/info/exclude, as the device tool's README asks.
#
# Usage: PYTHON=.venv/bin/python bash bench/gpu_wheels.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
exclude="$(git rev-parse --git-path info/exclude)"
grep -qxF '/.whl/' "${exclude}" 2>/dev/null || echo '/.whl/' >> "${exclude}"
rm -rf .whl
mkdir .whl
pinned=$("${python}" -c 'from importlib.metadata import version; print(" ".join(f"{name}=={version(name)}" for name in ("keras", "namex", "optree")))')
platforms=()
for platform in manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64; do
    platforms+=(--platform "${platform}")
done
# shellcheck disable=SC2086 # one argument per pinned requirement
"${python}" -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    "${platforms[@]}" -d .whl ${pinned}
"${python}" -m pip wheel --quiet --no-deps --no-build-isolation -w .whl .
ls -1 .whl
du -sh .whl
