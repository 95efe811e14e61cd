"""Helpers of the tuning tests: tiny search configs and `keras-attention tune` subprocesses."""

import json
import subprocess
import sys
from pathlib import Path

import yaml
from helpers.tiny_runs import python_env, write_tiny_config

# Two small choices keep every trial to a few seconds (most of it tracing the model).
TINY_SEARCH = {
    "encoder_units": {"choices": [8, 12]},
    "learning_rate": {"min": 0.005, "max": 0.02, "sampling": "log"},
}


def write_tiny_search(directory, tuning, num_dev=0, **training):
    """Writes a tiny training config (see `write_tiny_config`) with a `tuning` section; returns its path.

    `tuning` overrides keys of the tuning section, whose search is `TINY_SEARCH` unless given.
    """
    path = write_tiny_config(directory, num_dev=num_dev, **training)
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["model"]["bidirectional"] = False
    config["tuning"] = {"search": TINY_SEARCH, "seed": 1, **tuning}
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def tune_command(config, output, *options):
    """The `keras-attention tune` command line for `config` into `output`."""
    return [sys.executable, "-m", "keras_attention.cli", "tune", "--config", str(config), "--output", str(output),
            "--verbose", "0", *map(str, options)]


def start_tune(config, output, log_path, **environment):
    """Starts `keras-attention tune` with its output going to `log_path`; returns the process."""
    handle = open(log_path, "w", encoding="utf-8")
    return subprocess.Popen(
        tune_command(config, output), stdout=handle, stderr=subprocess.STDOUT, env=python_env(**environment)
    )


def trial_log(output):
    """All lines of the search's trial logs (`trials/*.jsonl`)."""
    lines = []
    for path in sorted((Path(output) / "trials").glob("*.jsonl")):
        lines += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return lines


def report_trials(output):
    """The trials of the search's `trials.json` report."""
    return json.loads((Path(output) / "trials.json").read_text(encoding="utf-8"))["trials"]
