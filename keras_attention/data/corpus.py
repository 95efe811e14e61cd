"""Training corpora: read once before training to check, count and sample, then streamed by `tf.data`.

Two kinds, with the same interface (`size`, `sample`, `describe_skipped`, `skipped_by_reason`,
`text_dataset`, `head`):

- `PairList`: pairs held in memory (the generated `dates` task, or a list a script builds).
- `CorpusFiles`: the training files of a file task (`tsv`, `anki`, `jsonl`, `parallel`): one
  file or several (a glob pattern or a list of paths), plain or gzip-compressed (`.gz`).
  `scan_files` reads them once in Python, without TensorFlow: every line is checked with the
  format's rules (`keras_attention.data.formats`), so `on_error: raise` stops at the
  first bad line, naming the file and line, before anything is trained, and `skip` counts the
  skipped lines by reason (TSV and Anki files a block of lines at a time, `blocks`). The same
  pass counts the usable pairs and draws a seeded uniform sample of them (`Reservoir`) for
  learning the vocabularies and for the length report.
  During training, `tf.data` reads the files again each epoch and holds no more than its
  shuffle buffer, so memory does not grow with the corpus.

Shuffling is windowed: the file order is shuffled (seeded), then the lines pass through a shuffle
buffer of `shuffle_buffer` lines. `text_dataset` reads one epoch; `corpus_dataset` builds each
epoch anew with a seed of its own (`keras_attention.data.positions`).

Sharding (`shard=(index, count)`, one shard per multi-worker worker): by file when there are at
least as many files as shards (each worker reads only its files), else by line (each worker reads
every file and keeps every `count`-th line). Either way each pair is read by exactly one shard.
"""

import collections
import dataclasses
import glob
import itertools
import random
from pathlib import Path

import numpy as np
import tensorflow as tf

from keras_attention.data.blocks import block_lines, clean_tsv_block, line_blocks
from keras_attention.data.readers import LineProblems, check_file
from keras_attention.data.reservoir import Reservoir
from keras_attention.errors import DataError
from keras_attention.options.data import corpus_format

_PARSE_CHUNK = 1024
_INTERLEAVED_FILES = 4


class PairList:
    """Training pairs held in memory.

    Args:
        pairs: list of `(source, target)` strings.
        sample_size: the most pairs in `sample`.
        seed: seed of the sample.
    """

    def __init__(self, pairs, sample_size, seed=0):
        self.pairs = list(pairs)
        self.size = len(self.pairs)
        self.sample = (
            self.pairs if self.size <= sample_size else random.Random(seed).sample(self.pairs, sample_size)
        )

    def head(self, count=None):
        """The first `count` pairs (all with `None`)."""
        return self.pairs[:count]

    def describe_skipped(self):
        """Nothing is skipped in memory: `[]`."""
        return []

    def skipped_by_reason(self):
        """Nothing is skipped in memory: `{}`."""
        return {}

    def text_dataset(self, shuffle_buffer=None, seed=0, shard=(0, 1)):
        """A `tf.data.Dataset` of `(source, target)` string scalars (see the module docstring)."""
        sources, targets = (list(side) for side in zip(*self.pairs)) if self.pairs else ([], [])
        dataset = tf.data.Dataset.from_tensor_slices((sources, targets))
        if shard[1] > 1:
            dataset = dataset.shard(shard[1], shard[0])
        return dataset.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=False) if shuffle_buffer else dataset


@dataclasses.dataclass
class CorpusFiles:
    """Training files, scanned once (see `scan_files`).

    Attributes:
        format: the file format (`keras_attention.options.data.FILE_FORMATS`).
        files: list of tuples: `(path,)`, or `(source_path, target_path)` for `parallel`.
        fields: `jsonl`: `(source_field, target_field)`.
        on_error: `raise` or `skip`, as in the data config.
        size: number of usable pairs.
        lines: number of lines read (of each side, for `parallel`).
        sample: seeded uniform sample of the usable pairs, a list of `(source, target)`.
        skipped: origin (the file, or both files) -> reason -> number of skipped lines.
        first_skipped: origin -> reason -> line number of the first line skipped for that reason.
        file_lines: origin -> number of lines read, for the files with skipped lines.
    """

    format: str
    files: list
    fields: tuple
    on_error: str
    size: int
    lines: int
    sample: list
    skipped: dict
    first_skipped: dict
    file_lines: dict

    def describe_skipped(self):
        """One line per file with skipped lines, e.g. `"a.tsv: skipped 3 of 120 lines: 2 missing tab
        (first: line 17), 1 empty target (first: line 40)"`."""
        return _describe_skipped(self.skipped, self.first_skipped, self.file_lines)

    def skipped_by_reason(self):
        """reason -> number of skipped lines, over all files."""
        total = collections.Counter()
        for counts in self.skipped.values():
            total.update(counts)
        return dict(total)

    def head(self, count=None):
        """The first `count` usable pairs (all with `None`), in file order, read from the files."""
        pairs = (
            pair
            for paths in self.files
            for pair in _file_pairs(corpus_format(self.format), paths, LineProblems("skip"), self.fields)
        )
        return list(itertools.islice(pairs, count))

    def text_dataset(self, shuffle_buffer=None, seed=0, shard=(0, 1)):
        """A `tf.data.Dataset` of `(source, target)` string scalars read from the files.

        Args:
            shuffle_buffer: shuffle the file order and then the lines through a buffer of this
                many lines; `None` reads in file order.
            seed: shuffle seed (an int, or an int64 scalar tensor); every pass over the dataset
                reads the same order.
            shard: `(index, count)`: read only shard `index` of `count` (see the module docstring).
        """
        index, count = shard
        by_file = count > 1 and len(self.files) >= count
        files = tf.data.Dataset.range(len(self.files))
        if by_file:
            files = files.shard(count, index)
        if shuffle_buffer:
            files = files.shuffle(len(self.files), seed=seed, reshuffle_each_iteration=False)
        lines = files.interleave(
            self._numbered_lines,
            cycle_length=min(len(self.files), _INTERLEAVED_FILES),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )
        if count > 1 and not by_file:
            lines = lines.shard(count, index)
        if shuffle_buffer:
            lines = lines.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=False)
        pairs = lines.batch(_PARSE_CHUNK).map(self._parse, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        return pairs.unbatch()

    def _numbered_lines(self, file_index):
        """`(file_index, line_number, raw_source, raw_target)` of one file (of one pair of files)."""
        sides = [
            tf.data.TextLineDataset(
                tf.gather(tf.constant([str(paths[side]) for paths in self.files]), file_index),
                compression_type=tf.gather(
                    tf.constant(["GZIP" if Path(paths[side]).suffix == ".gz" else "" for paths in self.files]),
                    file_index,
                ),
            )
            for side in range(len(self.files[0]))
        ]
        if len(sides) == 1:
            sides.append(sides[0].map(lambda line: tf.constant(b"")))
        numbers = tf.data.Dataset.counter(start=1)
        return tf.data.Dataset.zip((tf.data.Dataset.from_tensors(file_index).repeat(), numbers, *sides))

    def _parse(self, file_indices, line_numbers, raw_sources, raw_targets):
        sources, targets = tf.py_function(
            self._parse_lines, [file_indices, line_numbers, raw_sources, raw_targets], [tf.string, tf.string]
        )
        sources.set_shape([None])
        targets.set_shape([None])
        return sources, targets

    def _parse_lines(self, file_indices, line_numbers, raw_sources, raw_targets):
        """Python side of `_parse`: the usable pairs of a batch of lines (the readers' rules)."""
        problems = LineProblems(self.on_error)
        file_format = corpus_format(self.format)
        pairs = []
        for file_index, line_number, raw_source, raw_target in zip(
            file_indices.numpy(), line_numbers.numpy(), raw_sources.numpy(), raw_targets.numpy()
        ):
            raws = (raw_source.rstrip(b"\r\n"), raw_target.rstrip(b"\r\n"))
            pair = file_format.parse_line(raws, self.files[file_index], int(line_number), problems, self.fields)
            if pair is not None:
                pairs.append(pair)
        sources, targets = zip(*pairs) if pairs else ((), ())
        return np.array(sources, dtype=object), np.array(targets, dtype=object)


def training_files(task, train, source_suffix=None, target_suffix=None):
    """The training files that `data.train` names: a path, a glob pattern, or a list of either.

    Returns:
        Sorted list of tuples `(path,)`, or `(source_path, target_path)` for a paired format
        (`parallel`: `train` is then the path before the suffixes; a pattern is matched against
        the source files).

    Raises:
        DataError: a path or pattern names no file.
    """
    paired = corpus_format(task).paired
    patterns = [train] if isinstance(train, str) else list(train)
    files = []
    for pattern in patterns:
        suffix = source_suffix if paired else ""
        matches = sorted(glob.glob(pattern + suffix)) if glob.has_magic(pattern) else [pattern + suffix]
        matches = [match for match in matches if Path(match).is_file()]
        if not matches:
            key = "data.train + data.source_suffix" if paired else "data.train"
            raise DataError(
                f"{key}: no such file {pattern + suffix!r} (a relative path in a YAML config is resolved "
                f"against the directory of the config file)"
            )
        for match in matches:
            if paired:
                target = match[: len(match) - len(source_suffix)] + target_suffix
                if not Path(target).is_file():
                    raise DataError(
                        f"data.train + data.target_suffix: no such file {target!r} (the target file of {match!r})"
                    )
                files.append((match, target))
            else:
                files.append((match,))
    return files


def scan_files(data_config, sample_size, seed=0):
    """Reads the training files of a file task once: checks every line, counts, samples.

    Args:
        data_config: `DataConfig` of a file task.
        sample_size: the most pairs in the sample.
        seed: seed of the sample.

    Returns:
        `CorpusFiles`.

    Raises:
        DataError: a file is missing or empty, parallel files differ in length, no line is usable,
            or (`on_error: raise`) a line is malformed; the message names the file and line.
    """
    files = training_files(data_config.format, data_config.train, data_config.source_suffix, data_config.target_suffix)
    fields = (data_config.source_field, data_config.target_field)
    sample = Reservoir(sample_size, seed)
    skipped, first_skipped, file_lines = {}, {}, {}
    for paths in files:
        problems = LineProblems(data_config.on_error)
        size_before = sample.seen
        for count, pair_at in _file_pair_blocks(corpus_format(data_config.format), paths, problems, fields):
            sample.offer(count, pair_at)
        if problems.skipped:
            origin = " + ".join(str(path) for path in paths)
            skipped[origin], first_skipped[origin] = dict(problems.skipped), dict(problems.first_skipped)
            file_lines[origin] = sample.seen - size_before + sum(problems.skipped.values())
    size = sample.seen
    lines = size + sum(sum(counts.values()) for counts in skipped.values())
    if not size:
        reasons = "; ".join(_describe_skipped(skipped, first_skipped, file_lines))
        raise DataError(f"data.train: no usable lines in {len(files)} file(s); {reasons}")
    return CorpusFiles(
        data_config.format, files, fields, data_config.on_error, size, lines, sample.items, skipped, first_skipped, file_lines
    )


def _describe_skipped(skipped, first_skipped, file_lines):
    return [
        f"{origin}: skipped {sum(counts.values()):,} of {file_lines[origin]:,} lines: "
        + ", ".join(
            f"{count:,} {reason} (first: line {first_skipped[origin][reason]})"
            for reason, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        )
        for origin, counts in skipped.items()
    ]


def _file_pair_blocks(file_format, paths, problems, fields):
    """Yields the usable pairs of one file (one pair of files) block by block, as `(count, pair_at)`
    (`pair_at(i)` gives pair i of the block), reporting the other lines to `problems`. Blocks of
    a tab-separated format take the fast path of `keras_attention.data.blocks`."""
    if file_format.tsv_columns is None:
        pairs = _file_pairs(file_format, paths, problems, fields)
        while block := list(itertools.islice(pairs, _PARSE_CHUNK)):
            yield len(block), block.__getitem__
        return
    check_file(paths[0], "training pairs")
    for first_line, block in line_blocks(paths[0]):
        checked = clean_tsv_block(block, file_format.tsv_columns, first_line == 1)
        if checked is not None:
            yield checked.count, checked.pair
            continue
        numbered = enumerate(block_lines(block), start=first_line)
        pairs = [file_format.parse_line((raw,), paths, line_number, problems, fields) for line_number, raw in numbered]
        pairs = [pair for pair in pairs if pair is not None]
        yield len(pairs), pairs.__getitem__


def _file_pairs(file_format, paths, problems, fields):
    """Yields the usable pairs of one file (one pair of files), reporting the others to `problems`."""
    for path in paths:
        check_file(path, "training pairs")
    for line_number, source_raw, target_raw in file_format.numbered_lines(paths):
        pair = file_format.parse_line((source_raw, target_raw), paths, line_number, problems, fields)
        if pair is not None:
            yield pair
