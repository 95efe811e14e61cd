"""The setup of a run reports skipped lines, long pairs and the padding bucketing saves, and returns
them for the run summary (`train` puts them there: tests/test_cli.py checks a trained run's)."""

import tensorflow as tf
from helpers.tiny_configs import TINY_MODEL

from keras_attention.config import RunConfig
from keras_attention.data import dates
from keras_attention.data.sources import load_splits
from keras_attention.trainer.setup import prepare_data


def test_the_setup_of_a_file_with_bad_lines_and_long_pairs_reports_them(tmp_path):
    pairs = dates.generate_pairs(300, seed=3)
    lines = [f"{source}\t{target}" for source, target in pairs]
    lines[10] = "no tab here"
    lines[20] = "x\t "
    lines[30] = "Tuesday, March 3, 1998 and some more words\t1998-03-03"
    (tmp_path / "train.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = RunConfig.from_dict(
        {
            "data": {"format": "tsv", "train": str(tmp_path / "train.tsv"), "on_error": "skip", "length_policy": "filter", "buckets": 4},
            "source": {"max_length": 32},
            "target": {"max_length": 10},
            "model": TINY_MODEL,
            "training": {"epochs": 1, "batch_size": 32},
        }
    )
    logged = []
    splits = load_splits(config.data, config.vocabulary_sample_size(), seed=0)
    summary = prepare_data(config, splits, tf.distribute.get_strategy(), logged.append).report
    assert f"warning: {tmp_path / 'train.tsv'}: skipped 2 of 300 lines: 1 empty target (first: line 21), 1 missing tab (first: line 11)" in logged
    assert "warning: train: 1 of 298 pairs were longer than max_length (source 32: 1, target 10: 0) and were filtered out" in logged
    assert any(line.startswith("bucketing: padding is ") for line in logged)
    assert summary["skipped_lines"] == {"train": {"missing tab": 1, "empty target": 1}}
    assert summary["long_pairs"]["train"]["long_pairs"] == 1 and summary["long_pairs"]["train"]["policy"] == "filter"
    assert 0 <= summary["padding"]["bucketed"] < summary["padding"]["plain"]
