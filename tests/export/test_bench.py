"""bench/export.py runs and prints its side-by-side table (smoke test, `--quick`, in-process)."""

import runpy

import pytest
from helpers.export_inputs import ROOT

pytestmark = pytest.mark.requires_tensorflow


def test_export_bench_prints_its_table(export_of, capsys):
    run = export_of("greedy").run
    capsys.readouterr()  # what the fixture's export printed
    bench = runpy.run_path(str(ROOT / "bench" / "export.py"), run_name="bench_export")
    bench["main"](["--model", str(run), "--quick"])
    lines = capsys.readouterr().out.splitlines()
    assert "translations identical" in lines[0]
    assert lines[1].split() == ["decoding", "measure", "SavedModel", "Translator", "ratio"]
    assert [line.split()[:2] for line in lines[2:]] == [
        ["greedy", "load"],
        ["greedy", "p50"],
        ["greedy", "p95"],
        ["greedy", "batch-64"],
    ]
