"""The line every benchmark prints first: date, commit, CPU, cores and library versions."""

import datetime
import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_name():
    """The CPU model from /proc/cpuinfo, else what `platform` knows."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def describe():
    """One line: date, commit, CPU, cores, Python, TensorFlow and Keras versions."""
    import keras
    import tensorflow as tf

    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return (
        f"{datetime.date.today().isoformat()}, commit {commit.stdout.strip() or 'unknown'}, {cpu_name()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, TensorFlow {tf.__version__}, "
        f"Keras {keras.__version__}"
    )
