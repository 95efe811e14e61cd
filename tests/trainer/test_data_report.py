"""The fit glue reports skipped lines, long pairs and the padding bucketing saves, and records them."""

import json

from helpers.tiny_configs import TINY_MODEL
from keras_attention.config import RunConfig
from keras_attention.data import dates
from keras_attention.trainer import train


def test_training_on_a_file_with_bad_lines_and_long_pairs(tmp_path):
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
    summary = train(config, tmp_path / "run", verbose=0, log=logged.append)
    assert f"warning: {tmp_path / 'train.tsv'}: skipped 2 of 300 lines: 1 empty target (first: line 21), 1 missing tab (first: line 11)" in logged
    assert "warning: train: 1 of 298 pairs were longer than max_length (source 32: 1, target 10: 0) and were filtered out" in logged
    assert any(line.startswith("bucketing: padding is ") for line in logged)
    saved = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert saved == summary
    assert summary["skipped_lines"] == {"train": {"missing tab": 1, "empty target": 1}}
    assert summary["long_pairs"]["train"]["long_pairs"] == 1 and summary["long_pairs"]["train"]["policy"] == "filter"
    assert 0 <= summary["padding"]["bucketed"] < summary["padding"]["plain"]
