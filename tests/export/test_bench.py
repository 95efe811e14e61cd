"""bench/export.py starts and prints its side-by-side table (smoke test, `--quick`)."""

import subprocess
import sys

import pytest
from conftest import ROOT
from tiny_runs import python_env

pytestmark = pytest.mark.requires_tensorflow


def test_export_bench_prints_its_table(export_of):
    run = export_of("greedy").run
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "export.py"), "--model", str(run), "--quick"],
        capture_output=True,
        text=True,
        env=python_env(),
        timeout=240,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    lines = completed.stdout.splitlines()
    assert lines[1].split() == ["decoding", "measure", "SavedModel", "Translator", "ratio"]
    assert [line.split()[0] for line in lines[2:]] == ["greedy"] * 4
    assert "translations identical" in lines[0]
