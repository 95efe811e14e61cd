"""End to end through the `keras-attention` command: train the dates model, translate, evaluate,
and every user error path (clear message, exit status 2, no traceback).

The training run and one translation run in a fresh process, as a user starts them; the other
commands run in the test process (`helpers.cli_calls.run_cli`), where an uncaught exception fails
the test as a traceback would."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.cli_calls import run_cli

from keras_attention.data import dates

ROOT = Path(__file__).resolve().parent.parent
DATES_CONFIG = ROOT / "training" / "configs" / "dates.yaml"


def cli(*args, stdin=None, cwd=None):
    """Runs `keras-attention ARGS` in a fresh Python process."""
    return subprocess.run(
        [sys.executable, "-m", "keras_attention.cli", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env={**os.environ, "PYTHONWARNINGS": "default", "PYTHONPATH": str(ROOT)},
        timeout=900,
    )


def assert_user_error(result, *fragments):
    """`result`, a `run_cli` result, is a user error: exit status 2 and every fragment on stderr."""
    status, _, err = result
    assert status == 2, err
    for fragment in fragments:
        assert fragment in err


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory):
    """The shipped dates config, trained once for the whole session."""
    output = tmp_path_factory.mktemp("runs") / "dates"
    started = time.perf_counter()
    result = cli("train", "--config", DATES_CONFIG, "--output", output, "--verbose", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    print(f"dates training run: {time.perf_counter() - started:.0f} s\n{result.stdout}")
    return output


def test_training_reaches_99_percent_exact_match_on_held_out_dates(run_dir):
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["test"]["sentences"] == 2000
    assert summary["test"]["exact_match"] >= 0.99, summary["test"]
    assert "nrefs:1" in summary["test"]["bleu_signature"]
    assert summary["skipped_lines"] == {} and summary["long_pairs"]["train"]["long_pairs"] == 0
    assert 0 <= summary["padding"]["bucketed"] < summary["padding"]["plain"]
    for name in ("config.yaml", "model.keras", "vocab/source.txt", "vocab/target.txt", "history.csv"):
        assert (run_dir / name).is_file()


def test_translate_in_fresh_process_equals_in_library(run_dir):
    from keras_attention.runs import load_run

    sentences = [source for source, _ in dates.generate_pairs(300, seed=42)]
    expected = load_run(run_dir).translator().translate(sentences).translations
    result = cli("translate", "--model", run_dir, stdin="\n".join(sentences) + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == expected
    assert sum(e == t for e, (_, t) in zip(expected, dates.generate_pairs(300, seed=42))) >= 297


def test_translate_arguments(run_dir, capsys, monkeypatch):
    status, out, err = run_cli(capsys, monkeypatch, "translate", "--model", run_dir, "Tuesday, March 3, 1998", "3rd of july 2021")
    assert status == 0, err
    assert out.splitlines() == ["1998-03-03", "2021-07-03"]


def test_translate_ten_thousand_lines_from_stdin(run_dir, capsys, monkeypatch):
    sentences = [source for source, _ in dates.generate_pairs(10000, seed=5)]
    sentences[17] = ""
    status, out, err = run_cli(capsys, monkeypatch, "translate", "--model", run_dir, stdin="\n".join(sentences) + "\n")
    assert status == 0, err
    lines = out.split("\n")
    assert len(lines) == 10001 and lines[-1] == ""
    assert lines[17] == ""


def test_translate_uses_batched_calls(run_dir):
    from keras_attention.runs import load_run

    translator = load_run(run_dir).translator(batch_size=256)
    calls = []
    batch_function = translator.translate_batch

    def counting(sentences):
        calls.append(int(sentences.shape[0]))
        return batch_function(sentences)

    translator.translate_batch = counting
    translator.translate([source for source, _ in dates.generate_pairs(1000, seed=8)])
    assert calls == [256, 256, 256, 232]


def test_empty_long_and_unknown_inputs(run_dir, capsys, monkeypatch):
    long_line = "3 march 1998 " + "x" * 200
    stdin = f"\n   \n{long_line}\n3 march 1998 日本\n"
    status, out, err = run_cli(capsys, monkeypatch, "translate", "--model", run_dir, stdin=stdin)
    assert status == 0, err
    lines = out.split("\n")
    assert lines[:2] == ["", ""] and len(lines) == 5
    assert "1 of 4 inputs were longer than the model's maximum of 48 source tokens and were truncated" in err
    assert "source tokens were outside the vocabulary and were mapped to <unk>" in err


def test_evaluate_json_and_hypotheses(run_dir, tmp_path, capsys, monkeypatch):
    pairs = dates.generate_pairs(200, seed=77)
    dates.write_tsv(pairs, tmp_path / "test.tsv")
    arguments = ["--data", tmp_path / "test.tsv", "--json", "--hypotheses", tmp_path / "hyp.tsv"]
    status, out, err = run_cli(capsys, monkeypatch, "evaluate", "--model", run_dir, *arguments)
    assert status == 0, err
    scores = json.loads(out)
    assert scores["sentences"] == 200 and scores["exact_match"] >= 0.97
    assert scores["hypotheses"] == str(tmp_path / "hyp.tsv")
    assert scores["bleu_signature"].startswith("nrefs:1")
    assert all(0 <= scores[name] <= 100 for name in ("rouge_1", "rouge_2", "rouge_l")) and scores["rouge_1"] > 50
    rows = [line.split("\t") for line in (tmp_path / "hyp.tsv").read_text(encoding="utf-8").splitlines()]
    assert [(row[0], row[1]) for row in rows] == pairs
    exact = sum(row[1] == row[2] for row in rows) / len(rows)
    assert exact == pytest.approx(scores["exact_match"])


def test_evaluate_text_report_writes_hypotheses_into_the_run(run_dir, tmp_path, capsys, monkeypatch):
    pairs = dates.generate_pairs(20, seed=1)
    dates.write_tsv(pairs, tmp_path / "held-out.tsv")
    status, out, err = run_cli(capsys, monkeypatch, "evaluate", "--model", run_dir, "--data", tmp_path / "held-out.tsv")
    assert status == 0, err
    assert "exact match:" in out and "BLEU:" in out and "nrefs:1" in out
    assert re.search(r"^ROUGE-1/2/L: \d+\.\d\d / \d+\.\d\d / \d+\.\d\d  \(rouge-score F1, stemmed\)$", out, re.M)
    written = run_dir / "hypotheses" / "held-out.tsv"
    assert f"hypotheses:  {written}" in out
    rows = [line.split("\t") for line in written.read_text(encoding="utf-8").splitlines()]
    assert [(row[0], row[1]) for row in rows] == pairs and all(len(row) == 3 for row in rows)


def test_evaluate_without_hypotheses(run_dir, tmp_path, capsys, monkeypatch):
    dates.write_tsv(dates.generate_pairs(5, seed=2), tmp_path / "unwritten.tsv")
    arguments = ["--data", tmp_path / "unwritten.tsv", "--no-hypotheses"]
    status, out, err = run_cli(capsys, monkeypatch, "evaluate", "--model", run_dir, *arguments)
    assert status == 0, err
    assert "hypotheses:" not in out
    assert not (run_dir / "hypotheses" / "unwritten.tsv").exists()


def test_missing_model_directory(tmp_path, capsys, monkeypatch):
    assert_user_error(run_cli(capsys, monkeypatch, "translate", "--model", tmp_path / "nope", "x"), "does not exist")


@pytest.mark.parametrize("missing", ["vocab/target.txt", "model.keras", "config.yaml"])
def test_incomplete_model_directory(run_dir, tmp_path, capsys, monkeypatch, missing):
    broken = tmp_path / "broken"
    shutil.copytree(run_dir, broken)
    (broken / missing).unlink()
    result = run_cli(capsys, monkeypatch, "translate", "--model", broken, "x")
    assert_user_error(result, f"is incomplete: missing {missing}")


def test_corrupt_model_file(run_dir, tmp_path, capsys, monkeypatch):
    broken = tmp_path / "broken"
    shutil.copytree(run_dir, broken)
    (broken / "model.keras").write_text("not a model")
    result = run_cli(capsys, monkeypatch, "translate", "--model", broken, "x")
    assert_user_error(result, "model.keras: not a Keras model archive")


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("model:\n  attention: bahdanau\n  hidden: 3\n", ["line 3: model.hidden: unknown key"]),
        ("training:\n  epochs: three\n", ["line 2: training.epochs: expected int, got str 'three'"]),
        ("model:\n  attention: cosine\n", ["model.attention: expected one of"]),
        ("model:\n  attention_units: -5\n", ["model.attention_units: expected a positive integer, got -5"]),
    ],
)
def test_bad_config(tmp_path, capsys, monkeypatch, text, fragments):
    config = tmp_path / "bad.yaml"
    config.write_text(text)
    result = run_cli(capsys, monkeypatch, "train", "--config", config, "--output", tmp_path / "run")
    assert_user_error(result, str(config), *fragments)
    assert not (tmp_path / "run").exists()


def test_train_refuses_to_replace_a_run(run_dir, capsys, monkeypatch):
    result = run_cli(capsys, monkeypatch, "train", "--config", DATES_CONFIG, "--output", run_dir)
    assert_user_error(result, "already holds a run; pass --overwrite")


def test_evaluate_bad_data_file(run_dir, tmp_path, capsys, monkeypatch):
    data = tmp_path / "bad.tsv"
    data.write_text("3 march 1998\t1998-03-03\nno tab here\n")
    result = run_cli(capsys, monkeypatch, "evaluate", "--model", run_dir, "--data", data)
    assert_user_error(result, f"{data}, line 2: expected 2 tab-separated fields")


def write_formats(pairs, directory):
    """`pairs` in every reader format; returns `{format: [path, ...]}` as `--data` takes them."""
    dates.write_tsv(pairs, directory / "pairs.tsv")
    (directory / "pairs.anki").write_text("".join(f"{s}\t{t}\tCC-BY 2.0 #{i}\n" for i, (s, t) in enumerate(pairs)))
    (directory / "pairs.jsonl").write_text(
        "".join(json.dumps({"source": s, "target": t, "id": i}) + "\n" for i, (s, t) in enumerate(pairs))
    )
    (directory / "pairs.src").write_text("".join(s + "\n" for s, _ in pairs))
    (directory / "pairs.tgt").write_text("".join(t + "\n" for _, t in pairs))
    return {
        "tsv": [directory / "pairs.tsv"],
        "anki": [directory / "pairs.anki"],
        "jsonl": [directory / "pairs.jsonl"],
        "parallel": [directory / "pairs.src", directory / "pairs.tgt"],
    }


def test_evaluate_and_translate_read_every_format(run_dir, tmp_path, capsys, monkeypatch):
    pairs = dates.generate_pairs(30, seed=5)
    files = write_formats(pairs, tmp_path)
    status, out, err = run_cli(capsys, monkeypatch, "translate", "--model", run_dir, *[source for source, _ in pairs])
    assert status == 0, err
    expected_translations = out
    scores = {}
    for file_format, paths in files.items():
        status, out, err = run_cli(
            capsys, monkeypatch, "evaluate", "--model", run_dir, "--format", file_format, "--data", *paths, "--json", "--no-hypotheses"
        )
        assert status == 0, err
        scores[file_format] = json.loads(out)
        status, out, err = run_cli(
            capsys, monkeypatch, "translate", "--model", run_dir, "--format", file_format, "--input", paths[0]
        )
        assert (status, out) == (0, expected_translations), (file_format, err)
    assert scores["tsv"]["sentences"] == 30 and scores["tsv"]["exact_match"] >= 0.9
    assert all(result == scores["tsv"] for result in scores.values()), scores
    status, out, err = run_cli(capsys, monkeypatch, "evaluate", "--model", run_dir, "--data", files["tsv"][0], "--json")
    assert status == 0 and json.loads(out)["sentences"] == 30, "the dates run reads tsv by default"


@pytest.mark.parametrize(
    "file_format, text, message",
    [
        ("tsv", "3 march 1998\t1998-03-03\nno tab here\n", "line 2: expected 2 tab-separated fields"),
        ("anki", "3 march 1998\t1998-03-03\tCC-BY\n3 march 1998\t1998-03-03\n", "line 2: expected 3 tab-separated fields"),
        ("jsonl", '{"source": "3 march 1998", "target": "1998-03-03"}\n{"source": 3}\n', "line 2: field 'source' should be a string"),
        ("jsonl", '{"source": "3 march 1998", "target": "1998-03-03"}\nnot json\n', "line 2: not valid JSON"),
    ],
)
def test_bad_lines_of_every_format_name_the_file_and_line(run_dir, tmp_path, capsys, monkeypatch, file_format, text, message):
    data = tmp_path / f"bad.{file_format}"
    data.write_text(text)
    for command in (["evaluate", "--data", data], ["translate", "--input", data], ["plot", "--output", tmp_path / "a.png", "--input", data]):
        status, _, err = run_cli(capsys, monkeypatch, command[0], "--model", run_dir, "--format", file_format, *command[1:])
        assert status == 2 and f"{data}, {message}" in err, (command, err)


def test_bad_parallel_files_name_the_file_and_line(run_dir, tmp_path, capsys, monkeypatch):
    (tmp_path / "a.src").write_text("3 march 1998\n\n")
    (tmp_path / "a.tgt").write_text("1998-03-03\n1998-03-04\n")
    (tmp_path / "short.tgt").write_text("1998-03-03\n")
    evaluate = ["evaluate", "--model", run_dir, "--format", "parallel", "--data"]
    status, _, err = run_cli(capsys, monkeypatch, *evaluate, tmp_path / "a.src", tmp_path / "a.tgt")
    assert status == 2 and f"{tmp_path / 'a.src'}, line 2: the source line is empty" in err, err
    status, _, err = run_cli(capsys, monkeypatch, *evaluate, tmp_path / "a.src", tmp_path / "short.tgt")
    assert status == 2 and "short.tgt has 1 lines but" in err, err
    status, _, err = run_cli(capsys, monkeypatch, *evaluate, tmp_path / "a")
    assert status == 2 and "this run has no data.source_suffix" in err, err
    status, _, err = run_cli(capsys, monkeypatch, "translate", "--model", run_dir, "--format", "parallel", "--input", tmp_path / "a.src")
    assert status == 2 and f"{tmp_path / 'a.src'}, line 2: the line is empty" in err, err


def test_input_options_refuse_what_they_cannot_read(run_dir, tmp_path, capsys, monkeypatch):
    dates.write_tsv(dates.generate_pairs(3, seed=1), tmp_path / "a.tsv")
    status, _, err = run_cli(capsys, monkeypatch, "evaluate", "--model", run_dir, "--data", tmp_path / "a.tsv", tmp_path / "a.tsv")
    assert status == 2 and "--data: --format tsv takes one file, got 2" in err, err
    status, _, err = run_cli(capsys, monkeypatch, "translate", "--model", run_dir, "--input", tmp_path / "a.tsv", "3 march 1998")
    assert status == 2 and "not both" in err, err
    status, _, err = run_cli(capsys, monkeypatch, "translate", "--model", run_dir, "--input", tmp_path / "missing.tsv")
    assert status == 2 and f"--input: no such file '{tmp_path / 'missing.tsv'}'" in err, err


def test_plot_reads_its_sentences_from_a_file(run_dir, tmp_path, capsys, monkeypatch):
    (tmp_path / "pairs.jsonl").write_text(json.dumps({"source": "3 march 1998", "target": "1998-03-03"}) + "\n")
    status, out, err = run_cli(
        capsys, monkeypatch, "plot", "--model", run_dir, "--output", tmp_path / "a.png", "--format", "jsonl", "--input", tmp_path / "pairs.jsonl"
    )
    assert status == 0 and "(1 sentence)" in out, err
    assert (tmp_path / "a.png").stat().st_size > 1000
