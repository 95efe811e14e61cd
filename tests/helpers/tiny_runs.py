"""Tiny training runs for the trainer, tuning and export tests: tiny training configs (a few hundred generated dates, a model of a
few thousand parameters) and the subprocess scenarios of `harness.py`."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import yaml

from helpers.tiny_configs import TINY_MODEL
from keras_attention.data import dates

ROOT = Path(__file__).resolve().parents[2]
HARNESS = ROOT / "tests" / "trainer" / "harness.py"
TIMEOUT = 240  # seconds any training subprocess may take before the test gives up


def write_tiny_config(directory, num_train=256, num_dev=0, source=None, target=None, model=None, **training):
    """Writes TSV files of generated dates and a tiny config that trains on them; returns its path.

    `source` overrides `source.*` keys (e.g. the tokenizer), `target` `target.*` keys, `model`
    `model.*` keys, `training` `training.*` keys.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    pairs = dates.generate_pairs(num_train + num_dev, seed=3)
    dates.write_tsv(pairs[:num_train], directory / "train.tsv")
    # One length bucket: full batches only, so that step counts are num_train / batch_size.
    data = {"format": "tsv", "train": str(directory / "train.tsv"), "buckets": 1}
    if num_dev:
        dates.write_tsv(pairs[num_train:], directory / "dev.tsv")
        data["dev"] = str(directory / "dev.tsv")
    config = {
        "data": data,
        "source": {"lowercase": True, "max_length": 48, **(source or {})},
        "target": {"max_length": 16, **(target or {})},
        "model": {**TINY_MODEL, **(model or {})},
        "training": {
            "batch_size": 32,
            "epochs": 1,
            "learning_rate": 0.01,
            "attention_images": 0,
            **training,
        },
        "decoding": {"max_length": 16},
    }
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def python_env(**extra):
    """Environment of a subprocess that imports this checkout."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", **extra}


def harness_command(*args):
    return [sys.executable, str(HARNESS), *map(str, args)]


def harness_result(output):
    """The JSON that `harness.py` printed on its `RESULT` line."""
    lines = [line for line in output.splitlines() if line.startswith("RESULT ")]
    assert lines, output[-3000:]
    return json.loads(lines[-1][len("RESULT ") :])


def free_ports(count):
    """`count` ports of 127.0.0.1 that were free a moment ago."""
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def run_workers(*args, count=2):
    """Runs `harness.py ARGS` as each worker of a local cluster; returns their completed processes."""
    addresses = [f"127.0.0.1:{port}" for port in free_ports(count)]
    processes = []
    for index in range(count):
        tf_config = {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": index}}
        processes.append(
            subprocess.Popen(
                harness_command(*(str(arg).format(index=index) for arg in args)),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=python_env(TF_CONFIG=json.dumps(tf_config)),
            )
        )
    results = []
    try:
        for process in processes:
            stdout, stderr = process.communicate(timeout=TIMEOUT)
            results.append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return results
