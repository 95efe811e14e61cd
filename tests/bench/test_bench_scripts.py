"""Every bench script still starts and prints its table on a tiny size (the benchmarks themselves
are not part of the test suite: see BENCHMARKS.md).

The `keras-attention` commands that the quality, summarization and ensemble benches start run in
the test process instead (`in_process_commands`): the same arguments, without a TensorFlow
start-up each. Their other children (the PyTorch reference, the memory and scale measurements,
which measure a fresh process) still start as the benches start them."""

import contextlib
import importlib
import json
import sys
import warnings
from pathlib import Path

import pytest
import yaml

from helpers.tiny_configs import TINY_MODEL
from keras_attention import cli
from keras_attention.config import DataConfig, ModelConfig, RunConfig, TextConfig, TrainingConfig
from keras_attention.trainer import train

BENCH = Path(__file__).resolve().parents[2] / "bench"
DATES_CONFIG = Path(__file__).resolve().parents[2] / "training" / "configs" / "dates.yaml"


@pytest.fixture(scope="module")
def dates_run(tmp_path_factory):
    """A run trained for one epoch on 256 generated dates."""
    config = RunConfig(
        data=DataConfig(format="dates", num_train=256, num_dev=32, num_test=32),
        source=TextConfig(tokenizer="char", lowercase=True, max_length=48),
        target=TextConfig(tokenizer="char", max_length=16),
        model=ModelConfig(**TINY_MODEL),
        training=TrainingConfig(batch_size=32, epochs=1, attention_images=0),
    )
    output = tmp_path_factory.mktemp("bench") / "run"
    train(config, output, verbose=0, log=lambda line: None)
    return str(output)


def bench_module(name):
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))


def bench_main(name):
    return bench_module(name).main


@pytest.fixture
def in_process_commands(monkeypatch):
    """Makes the benches' `run_command` run `keras-attention` commands in this process, their
    output going to the same log file, and fail as `run_command` fails; other commands run as before."""
    quality_budget = bench_module("quality_budget")
    started_as_before = quality_budget.run_command

    def run_command(command, log_path):
        if Path(command[0]).name != "keras-attention":
            return started_as_before(command, log_path)
        monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)  # the command replaces it
        with open(log_path, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            status = cli.main([str(part) for part in command[1:]])
        if status:
            tail = Path(log_path).read_text(encoding="utf-8")[-3000:]
            raise SystemExit(f"{' '.join(map(str, command))} failed ({status}):\n{tail}")

    for name in ("quality_budget", "summarization", "ensemble"):
        monkeypatch.setattr(bench_module(name), "run_command", run_command)


def table_rows(text):
    """Markdown table rows (heading row included), or the rows of `decoding.py`'s plain table."""
    return [
        line
        for line in text.splitlines()
        if (line.startswith("| ") and "---" not in line) or line.startswith(("greedy, ", "beam 5, "))
    ]


@pytest.mark.parametrize(
    "name, argv, rows",
    [
        ("training_throughput", ["--quick"], 3),
        ("padding", ["--config", str(DATES_CONFIG), "--buckets", "2"], 0),
        ("attention_variants", ["--quick", "--variants", "bahdanau"], 2),
        ("decoding", ["--quick", "--generic-lstm-kernels"], 4),  # the whole script, and its option
        ("attention_keys", ["--quick"], 7),
        ("memory", ["--quick"], 6),
        ("tracing", ["--quick"], 2),
        ("first_step", ["--quick"], 3),
    ],
)
def test_bench_script_prints_its_table(name, argv, rows, dates_run, capsys):
    if name in ("decoding", "memory", "tracing"):
        argv = [*argv, "--model", dates_run]
    bench_main(name)(argv)
    output = capsys.readouterr().out
    if rows:
        assert len(table_rows(output)) == rows, output
    else:
        assert "padding saved" in output, output


def test_quality_budget_trains_both_systems_and_tabulates_them(tmp_path, capsys, in_process_commands):
    if not (BENCH.parents[1] / "shared" / "data" / "bible").is_dir():
        pytest.skip("../shared/data/bible is absent: the quality bench trains on it")
    results = tmp_path / "results.jsonl"
    bench_main("quality_budget")(["--quick", "--work", str(tmp_path / "work"), "--results", str(results)])
    rows = table_rows(capsys.readouterr().out)
    assert len(rows) == 3 and "| ours |" in rows[1] and "| torch |" in rows[2], rows
    recorded = [json.loads(line) for line in results.read_text().splitlines()]
    assert [result["system"] for result in recorded] == ["ours", "torch"]
    assert all(result["steps"] > 0 and "case:lc" in result["bleu_signature"] for result in recorded)


def test_summarization_bench_scores_lead_8_and_a_copy_model(tmp_path, capsys, in_process_commands):
    if not (BENCH.parents[1] / "shared" / "data" / "debian-descriptions").is_dir():
        pytest.skip("../shared/data/debian-descriptions is absent: the summarization bench trains on it")
    results = tmp_path / "results.jsonl"
    argv = ["--quick", "--systems", "lead-8", "copy", "--work", str(tmp_path / "work"), "--results", str(results)]
    bench_main("summarization")(argv)
    rows = table_rows(capsys.readouterr().out)
    assert len(rows) == 3 and rows[1].startswith("| lead-8 | - | - | - |") and rows[2].startswith("| copy | 0.02 |"), rows
    lead, copy = [json.loads(line) for line in results.read_text().splitlines()]
    assert lead["sentences"] == copy["sentences"] == 20 and copy["steps"] > 0
    assert 0 < lead["rouge_l"] <= 100 and 0 <= copy["repetition"] <= 1


def test_scale_bench_measures_the_first_step_memory_and_throughput(tmp_path, capsys):
    bible = BENCH.parents[1] / "shared" / "data" / "bible"
    if not bible.is_dir():
        pytest.skip("../shared/data/bible is absent: the scale bench generates its corpora from it")
    config = yaml.safe_load((BENCH.parent / "training" / "configs" / "bible-en-es.yaml").read_text())
    config["data"] = {"format": "tsv", "train": str(bible / "web-sparv.train.tsv"), "buckets": 2}
    # Character vocabularies: WordPiece learning (pure Python) would take most of the smoke run.
    for side in ("source", "target"):
        config[side].update(tokenizer="char", vocabulary_size=300)
    config["model"].update(TINY_MODEL)
    config["training"].update(batch_size=16, shuffle_buffer=100)
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(config))
    bench_main("scale")(["--quick", "--config", str(tmp_path / "tiny.yaml"), "--directory", str(tmp_path / "scale")])
    output = capsys.readouterr().out
    rows = table_rows(output)
    assert len(rows) == 5 and rows[1].startswith("| 3,000 |"), output
    assert [row.split(" | ")[0] for row in rows[3:]] == ["| in-memory", "| streamed"], output
    assert "Streamed input pipeline alone" in output


def test_ensemble_bench_scores_single_runs_checkpoint_averaging_and_ensembles(tmp_path, capsys, in_process_commands):
    if not (BENCH.parents[1] / "shared" / "data" / "bible").is_dir():
        pytest.skip("../shared/data/bible is absent: the ensemble bench trains on it")
    results = tmp_path / "results.jsonl"
    work = tmp_path / "work"
    bench_main("ensemble")(["--quick", "--seeds", "0", "1", "--work", str(work), "--results", str(results)])
    rows = table_rows(capsys.readouterr().out)
    systems = ["single: seed-0", "single: seed-1", "checkpoint average: seed-0", "ensemble of 2", "ensemble of 2, mean log-probability"]
    assert [row.split(" | ")[0][2:] for row in rows[1:]] == systems, rows
    assert [row.split(" | ")[1] for row in rows[1:]] == ["greedy"] * len(systems)
    assert rows[1].endswith("| 1.00x |"), rows
    recorded = [json.loads(line) for line in results.read_text().splitlines()]
    assert len(recorded) == 5 and all(result["seconds"] > 0 and 0 <= result["bleu"] <= 100 for result in recorded)
    # The runs stay in --work, and a later call keeps them instead of training again.
    trained = {path: path.stat().st_mtime for path in work.glob("seed-*/model.keras")}
    assert bench_module("ensemble").train_runs(None, [0, 1], 0.1, work) == [work / "seed-0", work / "seed-1"]
    assert {path: path.stat().st_mtime for path in work.glob("seed-*/model.keras")} == trained and len(trained) == 2
