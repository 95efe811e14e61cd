"""The `data` section: where the training pairs come from, and how they become batches."""

import dataclasses
import functools
import typing
from pathlib import Path

from keras_attention.config.checks import choice, positive_int, require
from keras_attention.config.renamed import warn_renamed
from keras_attention.options.data import FILE_FORMATS, LENGTH_POLICIES, ON_ERROR, TASKS


@dataclasses.dataclass
class DataConfig:
    """Where the training pairs come from, and how they become batches.

    Relative file paths in a YAML config are resolved against the directory of the config file
    when it is loaded (`RunConfig.from_yaml`), so a config works from any working directory; the
    config saved with a run holds the resolved absolute paths. In a config built from a dict they
    are used as given (relative to the working directory).

    Args:
        format: where pairs come from, one of `TASKS`: the built-in task or a file format
            (`keras_attention.options.data.FILE_FORMATS`). `task`, its name before, still works
            (as a key and an argument) with a deprecation warning.
            `dates` (built-in generated dates task);
            `tsv` (files of `source<TAB>target` lines);
            `anki` (Anki / Tatoeba exports: `source<TAB>target<TAB>attribution` lines);
            `parallel` (two line-aligned plain-text files, `PATH + source_suffix` and
            `PATH + target_suffix`, the OPUS / WMT form);
            `jsonl` (one JSON object per line, text in `source_field` and `target_field`).
        train: training file(s) of a file format: a path, a glob pattern (`corpus/part-*.tsv.gz`) or
            a list of them, plain or gzip-compressed (`.gz`); for `parallel`, the path (pattern)
            before the suffixes. Training streams them with `tf.data` (see
            `keras_attention.data.corpus`): memory does not grow with their size.
        dev: validation file (file formats, optional).
        test: held-out file scored at the end of training (file formats, optional).
        source_suffix: `parallel`: suffix of the source files, e.g. `.en`.
        target_suffix: `parallel`: suffix of the target files, e.g. `.es`.
        source_field: `jsonl`: name of the source text field.
        target_field: `jsonl`: name of the target text field.
        on_error: what a malformed line does (missing tab, empty side, invalid UTF-8, bad JSON,
            missing field): `raise` stops with an error naming the file and line; `skip` leaves
            the line out and counts it by reason in the training report. A missing or empty
            file and files of different lengths always raise.
        length_policy: what happens to a training or validation pair with more tokens than
            `source.max_length` or `target.max_length`: `truncate` it or `filter` it out; either
            way it is counted in the training report.
        buckets: number of length buckets for batching (`tf.data` `bucket_by_sequence_length`);
            pairs of similar length are batched together, which saves padding. 1 turns it off.
        cache: cache the tokenized training pairs in memory after the first epoch, so that later
            epochs do not tokenize again; memory then grows with the corpus, so leave it off for
            corpora that do not fit in memory.
        vocabulary_sample: the most training pairs (sentences per side) that the vocabularies
            are learned from and the length report counts: a seeded uniform sample, drawn in the
            one pass that checks the training files. `null` (the default) takes the smallest
            default of the two sides' tokenizers (`VOCABULARY_SAMPLES`: 6,000 for `wordpiece`,
            whose learner is slow, 100,000 for `char` and `sentencepiece`), which keeps
            vocabulary learning under 30 s on 2 CPU cores for any corpus size (BENCHMARKS.md).
        num_train: number of generated training pairs (`dates` task).
        num_dev: number of generated validation pairs (`dates` task).
        num_test: number of generated held-out pairs, never in the training set (`dates` task).
        seed: seed of the generated data (`dates` task).
    """

    format: str = "dates"
    train: typing.Union[str, typing.List[str], None] = None
    dev: typing.Optional[str] = None
    test: typing.Optional[str] = None
    source_suffix: typing.Optional[str] = None
    target_suffix: typing.Optional[str] = None
    source_field: str = "source"
    target_field: str = "target"
    on_error: str = "raise"
    length_policy: str = "truncate"
    buckets: int = 8
    cache: bool = False
    vocabulary_sample: typing.Optional[int] = None
    num_train: int = 20000
    num_dev: int = 1000
    num_test: int = 2000
    seed: int = 0

    def validate(self, key="data"):
        choice(self.format, TASKS, f"{key}.format")
        choice(self.on_error, ON_ERROR, f"{key}.on_error")
        choice(self.length_policy, LENGTH_POLICIES, f"{key}.length_policy")
        positive_int(self.buckets, f"{key}.buckets")
        if self.vocabulary_sample is not None:
            positive_int(self.vocabulary_sample, f"{key}.vocabulary_sample")
        if isinstance(self.train, list):
            require(
                bool(self.train), f"{key}.train", "expected a path, a glob pattern or a non-empty list of them, got []"
            )
        if self.format in FILE_FORMATS:
            require(self.train is not None, f"{key}.train", f"required for format {self.format!r}, got null")
        else:
            for name in ("train", "dev", "test"):
                require(
                    getattr(self, name) is None,
                    f"{key}.{name}",
                    f"files are only read for formats {list(FILE_FORMATS)}, got {getattr(self, name)!r} "
                    f"with format {self.format!r}",
                )
            positive_int(self.num_train, f"{key}.num_train")
            positive_int(self.num_dev, f"{key}.num_dev")
            positive_int(self.num_test, f"{key}.num_test")
        for name in ("source_suffix", "target_suffix"):
            if self.format == "parallel":
                require(bool(getattr(self, name)), f"{key}.{name}", "required for format 'parallel', got null")
            else:
                require(
                    getattr(self, name) is None,
                    f"{key}.{name}",
                    f"only used by format 'parallel', got {getattr(self, name)!r} with format {self.format!r}",
                )
        for name in ("source_field", "target_field"):
            require(bool(getattr(self, name)), f"{key}.{name}", "expected a field name, got ''")

    def resolve_paths(self, directory):
        """Makes relative `train`, `dev` and `test` paths absolute, relative to `directory`."""
        if isinstance(self.train, list):
            self.train = [_resolved(path, directory) for path in self.train]
        else:
            self.train = _resolved(self.train, directory)
        self.dev, self.test = _resolved(self.dev, directory), _resolved(self.test, directory)


def _resolved(path, directory):
    """`path` (a file or glob pattern) made absolute against `directory`; `None` stays `None`."""
    if path is None or Path(path).is_absolute():
        return path
    return str((Path(directory) / path).resolve())


# `data.task` was renamed `data.format` (`RENAMED_KEYS`); the old name keeps working, with a warning.
def _data_config_init(init):
    @functools.wraps(init)
    def __init__(self, *args, task=None, **kwargs):
        if task is not None:
            if "format" in kwargs:
                raise TypeError("DataConfig got both task and format; task is the deprecated name of format")
            warn_renamed("data.task")
            kwargs["format"] = task
        init(self, *args, **kwargs)

    return __init__


def _task(self):
    warn_renamed("data.task")
    return self.format


def _set_task(self, value):
    warn_renamed("data.task")
    self.format = value


DataConfig.__init__ = _data_config_init(DataConfig.__init__)
DataConfig.task = property(_task, _set_task, doc="Deprecated name of `format`.")
