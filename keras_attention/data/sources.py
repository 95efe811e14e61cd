"""Loads the train / dev / test pairs that a `DataConfig` names."""

import dataclasses
from pathlib import Path

from keras_attention.data import dates
from keras_attention.data.readers import read_jsonl, read_parallel, read_tsv
from keras_attention.errors import DataError

SPLITS = ("train", "dev", "test")


@dataclasses.dataclass
class Splits:
    """Text pairs of a run: `train` always, `dev` and `test` possibly empty lists.

    Attributes:
        train: list of `(source, target)` training pairs.
        dev: list of validation pairs.
        test: list of held-out pairs.
        skipped: split name -> `ParallelText` of each split that had lines skipped
            (`DataConfig.on_error: skip`); see `ParallelText.describe_skipped`.
    """

    train: list
    dev: list
    test: list
    skipped: dict = dataclasses.field(default_factory=dict)


def load_splits(data_config):
    """Returns the `Splits` that `data_config` describes.

    For the `dates` task, dev and test are generated held-out dates whose sources (also after
    lowercasing and collapsing whitespace) never occur in the training set. For the file tasks,
    each named file is read with the reader of its format and `data_config.on_error`.

    Raises:
        DataError: a named file is missing (the message names the config key) or malformed.
    """
    if data_config.task == "dates":
        train, held_out = dates.train_test_split(
            data_config.num_train, data_config.num_dev + data_config.num_test, data_config.seed
        )
        return Splits(train, held_out[: data_config.num_dev], held_out[data_config.num_dev :])
    texts = {split: read_split(data_config, split) for split in SPLITS if getattr(data_config, split)}
    return Splits(
        *(texts[split].pairs if split in texts else [] for split in SPLITS),
        skipped={split: text for split, text in texts.items() if text.skipped},
    )


def read_split(data_config, split):
    """Reads the file(s) of one split (`"train"`, `"dev"` or `"test"`) of a file task.

    Returns:
        `ParallelText`.
    """
    return read_pairs(data_config, getattr(data_config, split), f"data.{split}")


def read_pairs(data_config, path, key, target_path=None):
    """Reads one corpus in the format of `data_config.task`, with its fields and `on_error`.

    Args:
        data_config: `DataConfig` whose `task` (`tsv`, `anki`, `jsonl` or `parallel`), fields,
            suffixes and `on_error` apply.
        path: the file; for `parallel`, the path before the suffixes, or the source file when
            `target_path` is given.
        key: what named `path`, for the error of a missing file (a config key, an option).
        target_path: `parallel`: the target file (then `path` is the source file and the
            suffixes are not used).

    Returns:
        `ParallelText`.
    """
    if data_config.task == "parallel":
        if target_path is None:
            source_path = _existing(path + data_config.source_suffix, f"{key} + data.source_suffix")
            target_path = _existing(path + data_config.target_suffix, f"{key} + data.target_suffix")
        else:
            source_path, target_path = _existing(path, key), _existing(target_path, key)
        return read_parallel(source_path, target_path, on_error=data_config.on_error)
    path = _existing(path, key)
    if data_config.task == "jsonl":
        return read_jsonl(path, data_config.source_field, data_config.target_field, on_error=data_config.on_error)
    return read_tsv(path, on_error=data_config.on_error, attribution=data_config.task == "anki")


def _existing(path, key):
    if not Path(path).is_file():
        resolved = " (a relative path in a YAML config is resolved against the directory of the config file)"
        raise DataError(f"{key}: no such file {str(path)!r}{resolved if key.startswith('data.') else ''}")
    return path
