"""Loads the training corpus and the dev / test pairs that a `DataConfig` names."""

import dataclasses
from pathlib import Path

from keras_attention.config.text import VOCABULARY_SAMPLES
from keras_attention.data import dates
from keras_attention.data.corpus import PairList, scan_files
from keras_attention.errors import DataError
from keras_attention.options.data import corpus_format

SPLITS = ("train", "dev", "test")


@dataclasses.dataclass
class Splits:
    """Text of a run: the training corpus, and dev and test pairs (possibly empty lists).

    Attributes:
        train: the training corpus, `PairList` (`dates`) or `CorpusFiles` (file tasks), streamed
            by `keras_attention.data.pipeline.corpus_dataset`; its `sample` is what the
            vocabularies are learned from.
        dev: list of `(source, target)` validation pairs.
        test: list of held-out pairs.
        skipped: split name -> `ParallelText` of the dev and test splits that had lines skipped
            (`DataConfig.on_error: skip`; the training corpus counts its own, `train.skipped_by_reason()`).
    """

    train: object
    dev: list
    test: list
    skipped: dict = dataclasses.field(default_factory=dict)


def load_splits(data_config, sample_size=None, seed=0):
    """Returns the `Splits` that `data_config` describes.

    For the `dates` task, dev and test are generated held-out dates whose sources (also after
    lowercasing and collapsing whitespace) never occur in the training set. For the file tasks,
    the training files are scanned once (`keras_attention.data.corpus.scan_files`: checked,
    counted and sampled, not kept), and the dev and test files are read with the reader of their
    format; all with `data_config.on_error`.

    Args:
        data_config: `DataConfig`.
        sample_size: the most pairs of the training corpus sample (`RunConfig.vocabulary_sample_size`);
            `None`: `data_config.vocabulary_sample`, else the `char` and `sentencepiece` default.
        seed: seed of the training corpus sample.

    Raises:
        DataError: a named file is missing (the message names the config key) or malformed.
    """
    if sample_size is None:
        sample_size = data_config.vocabulary_sample or VOCABULARY_SAMPLES["char"]
    if data_config.format == "dates":
        train, held_out = dates.train_test_split(
            data_config.num_train, data_config.num_dev + data_config.num_test, data_config.seed
        )
        return Splits(
            PairList(train, sample_size, seed),
            held_out[: data_config.num_dev],
            held_out[data_config.num_dev :],
        )
    corpus = scan_files(data_config, sample_size, seed)
    texts = {split: read_split(data_config, split) for split in SPLITS[1:] if getattr(data_config, split)}
    return Splits(
        corpus,
        *(texts[split].pairs if split in texts else [] for split in SPLITS[1:]),
        skipped={split: text for split, text in texts.items() if text.skipped},
    )


def read_split(data_config, split):
    """Reads the file(s) of one split (`"dev"` or `"test"`; `"train"` of a single file) of a file task into memory.

    Returns:
        `ParallelText`.
    """
    return read_pairs(data_config, getattr(data_config, split), f"data.{split}")


def read_pairs(data_config, path, key, target_path=None):
    """Reads one corpus in the format of `data_config.format`, with its fields and `on_error`.

    Args:
        data_config: `DataConfig` whose `format` (a file format of
            `keras_attention.options.data.FILE_FORMATS`), fields, suffixes and `on_error` apply.
        path: the file; for a paired format (`parallel`), the path before the suffixes, or the
            source file when `target_path` is given.
        key: what named `path`, for the error of a missing file (a config key, an option).
        target_path: paired format: the target file (then `path` is the source file and the
            suffixes are not used).

    Returns:
        `ParallelText`.
    """
    file_format = corpus_format(data_config.format)
    if file_format.paired:
        if target_path is None:
            source_path = _existing(path + data_config.source_suffix, f"{key} + data.source_suffix")
            target_path = _existing(path + data_config.target_suffix, f"{key} + data.target_suffix")
        else:
            source_path, target_path = _existing(path, key), _existing(target_path, key)
        paths = (source_path, target_path)
    else:
        paths = (_existing(path, key),)
    return file_format.read(paths, data_config.on_error, (data_config.source_field, data_config.target_field))


def _existing(path, key):
    if not Path(path).is_file():
        resolved = " (a relative path in a YAML config is resolved against the directory of the config file)"
        raise DataError(f"{key}: no such file {str(path)!r}{resolved if key.startswith('data.') else ''}")
    return path
