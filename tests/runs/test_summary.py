"""The training summary: typed attributes, and the same mapping as its summary.json."""

import json

from keras_attention.runs import RunLayout, TrainingSummary


def a_summary(**changes):
    fields = dict(
        output="runs/x",
        parameters=1234,
        train_pairs=256,
        epochs=2,
        steps=16,
        resumed_from=None,
        strategy="auto",
        replicas=1,
        mixed_precision=None,
        training_seconds=3.5,
        data={"skipped_lines": {"train": {"missing tab": 1}}, "padding": {"plain": 0.4, "bucketed": 0.1}},
        final={"loss": 0.5},
    )
    return TrainingSummary(**{**fields, **changes})


def test_the_summary_reads_as_attributes_and_as_the_mapping_of_its_json(tmp_path):
    summary = a_summary(test={"bleu": 12.5})
    assert summary.epochs == summary["epochs"] == 2 and summary["skipped_lines"] == {"train": {"missing tab": 1}}
    assert list(summary) == [
        "output",
        "parameters",
        "train_pairs",
        "epochs",
        "steps",
        "resumed_from",
        "strategy",
        "replicas",
        "mixed_precision",
        "training_seconds",
        "skipped_lines",
        "padding",
        "final",
        "test",
    ]
    summary.write(tmp_path)
    saved = json.loads(RunLayout(tmp_path).summary.read_text())
    assert saved == summary == summary.to_dict() and summary == a_summary(test={"bleu": 12.5})
    assert summary != a_summary(test={"bleu": 12.0})


def test_a_summary_without_test_pairs_has_no_test_key():
    summary = a_summary()
    assert summary.test is None and "test" not in summary and len(summary) == 13
