"""Readers of parallel text, with errors that name the file and line.

Formats:

- `read_tsv`: `source<TAB>target` lines; with `attribution=True`, the Anki / Tatoeba form
  `source<TAB>target<TAB>attribution` (the attributions are kept in `ParallelText.attributions`).
- `read_parallel`: two line-aligned plain-text files, line i of one translating line i of the
  other (the OPUS / WMT form).
- `read_jsonl`: one JSON object per line, the texts in two named string fields.
- `read_sentences`: one sentence per line (sources to translate, one side of a parallel corpus).

All files are UTF-8 (a leading byte-order mark is ignored) with `\\n` or `\\r\\n` line ends, plain or
gzip-compressed (a name ending in `.gz`).

`parse_tsv_line`, `parse_jsonl_line` and `parse_parallel_lines` apply the same line rules to one
line at a time, for the streaming training input (through the formats of
`keras_attention.data.formats`).

Two kinds of problems:

- File problems always raise `DataError`: a missing file, an empty file, two parallel files of
  different lengths, and a file in which no line could be used.
- Line problems (a missing or extra tab, an empty source or target, invalid UTF-8, a line that is
  not a JSON object, a missing or non-string field) follow `on_error`: `"raise"` (the default)
  raises `DataError` naming the file and line; `"skip"` leaves the line out and counts it by
  reason in `ParallelText.skipped`, so that nothing is dropped silently.
"""

import collections
import dataclasses
import gzip
import itertools
import json
from pathlib import Path

from keras_attention.options.checks import check_choice
from keras_attention.options.data import ON_ERROR
from keras_attention.errors import DataError


@dataclasses.dataclass
class ParallelText:
    """Pairs read from a corpus, and the lines that were skipped.

    Attributes:
        origin: the file (or files) read, for messages.
        pairs: list of `(source, target)` strings, in file order.
        skipped: `collections.Counter` of skipped lines by reason (`"missing tab"`,
            `"empty target"`, ...); empty with `on_error="raise"`.
        first_skipped: reason -> line number of the first line skipped for that reason.
        attributions: third-column strings of an Anki / Tatoeba file (one per pair), else `None`.
    """

    origin: str
    pairs: list
    skipped: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    first_skipped: dict = dataclasses.field(default_factory=dict)
    attributions: list = None

    def describe_skipped(self):
        """One line saying how many lines were skipped and why, or `""` when none were.

        Example: `"a.tsv: skipped 3 of 120 lines: 2 missing tab (first: line 17), 1 empty target
        (first: line 40)"`.
        """
        total = sum(self.skipped.values())
        if not total:
            return ""
        return f"{self.origin}: skipped {total} of {total + len(self.pairs)} lines: {self.skipped_reasons()}"

    def skipped_reasons(self):
        """The skipped-line counts by reason, most frequent first, as one string."""
        return ", ".join(
            f"{count} {reason} (first: line {self.first_skipped[reason]})"
            for reason, count in sorted(self.skipped.items(), key=lambda item: (-item[1], item[0]))
        )


class LineProblems:
    """Raises or counts the line problems of one reading, as `on_error` says."""

    def __init__(self, on_error):
        check_choice(on_error, ON_ERROR, "on_error")
        self.on_error = on_error
        self.skipped = collections.Counter()
        self.first_skipped = {}

    def report(self, path, line_number, reason, message):
        if self.on_error == "raise":
            raise DataError(f"{path}, line {line_number}: {message}")
        self.skipped[reason] += 1
        self.first_skipped.setdefault(reason, line_number)


def check_file(path, expected):
    """`path` as a `Path`; raises `DataError` if it is missing or empty (`expected`: what it should hold)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty; expected {expected}")
    return path


def raw_lines(path):
    """Yields `(line_number, bytes)` of a file (gzip-compressed when its name ends in `.gz`), line ends removed."""
    path = Path(path)
    with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as handle:
        for line_number, raw in enumerate(handle, start=1):
            yield line_number, raw.rstrip(b"\r\n")


def decode_line(raw, path, line_number, problems):
    """The text of a line, or `None` (after reporting) when it is not UTF-8."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.report(
            path,
            line_number,
            "invalid UTF-8",
            f"not valid UTF-8 (byte {error.start}: {raw[error.start:error.start + 1]!r})",
        )
        return None
    return text.removeprefix("\ufeff") if line_number == 1 else text


def _decoded_lines(path, problems):
    """Yields `(line_number, text)` of the UTF-8 lines of a file; the others are reported."""
    for line_number, raw in raw_lines(path):
        text = decode_line(raw, path, line_number, problems)
        if text is not None:
            yield line_number, text


def _empty_side(source, target):
    """Name of the first side that is empty or only whitespace, else `None`."""
    for name, text in (("source", source), ("target", target)):
        if not text.strip():
            return name
    return None


def _result(origin, pairs, problems, attributions=None):
    text = ParallelText(origin, pairs, problems.skipped, problems.first_skipped, attributions)
    if not pairs:
        raise DataError(f"{origin}: no usable lines; skipped {text.skipped_reasons()}")
    return text


def _tsv_form(attribution):
    return "source<TAB>target<TAB>attribution" if attribution else "source<TAB>target"


def parse_tsv_line(line, path, line_number, problems, attribution=False):
    """The fields of one decoded TSV (Anki) line, or `None` after reporting its problem.

    Returns:
        `(source, target)`, or `(source, target, attribution)` with `attribution`.
    """
    columns = 3 if attribution else 2
    fields = line.split("\t")
    if len(fields) != columns:
        reason = "missing tab" if len(fields) < columns else "extra tab"
        problems.report(
            path,
            line_number,
            reason,
            f"expected {columns} tab-separated fields ({_tsv_form(attribution)}), found {len(fields)}",
        )
        return None
    empty = _empty_side(fields[0], fields[1])
    if empty:
        problems.report(path, line_number, f"empty {empty}", f"the {empty} side is empty")
        return None
    return tuple(fields)


def parse_jsonl_line(line, fields, path, line_number, problems):
    """The `(source, target)` texts of one decoded JSON Lines line, or `None` after reporting.

    Args:
        fields: `(source_field, target_field)`.
    """
    texts = _json_texts(line, fields, path, line_number, problems)
    if texts is None:
        return None
    empty = _empty_side(*texts)
    if empty:
        field = fields[0] if empty == "source" else fields[1]
        problems.report(path, line_number, f"empty {empty}", f"field {field!r} (the {empty}) is empty")
        return None
    return texts


def parse_parallel_lines(source_raw, target_raw, paths, line_number, problems):
    """The `(source, target)` of line `line_number` of two parallel files, or `None` after reporting.

    Args:
        source_raw: the source line, bytes without its line end.
        target_raw: the target line, bytes without its line end.
        paths: `(source_path, target_path)`.
    """
    source = decode_line(source_raw, paths[0], line_number, problems)
    target = decode_line(target_raw, paths[1], line_number, problems) if source is not None else None
    if source is None or target is None:
        return None
    empty = _empty_side(source, target)
    if empty:
        problems.report(paths[empty == "target"], line_number, f"empty {empty}", f"the {empty} line is empty")
        return None
    return source, target


def read_tsv(path, on_error="raise", attribution=False):
    """Reads `source<TAB>target` lines, or Anki / Tatoeba `source<TAB>target<TAB>attribution` lines.

    Args:
        path: file path.
        on_error: `"raise"` or `"skip"` for line problems (see the module docstring).
        attribution: expect the third, attribution column (Anki / Tatoeba exports).

    Returns:
        `ParallelText`; with `attribution`, its `attributions` hold the third column.

    Raises:
        DataError: the file is missing or empty; with `on_error="raise"`, a line is not UTF-8
            or does not have exactly 2 (3) tab-separated fields with non-empty source and target.
            The message names the file and line.
    """
    path = check_file(path, f"{_tsv_form(attribution)} lines")
    problems = LineProblems(on_error)
    pairs, attributions = [], []
    for line_number, line in _decoded_lines(path, problems):
        fields = parse_tsv_line(line, path, line_number, problems, attribution)
        if fields is not None:
            pairs.append(fields[:2])
            attributions.append(fields[2] if attribution else None)
    return _result(str(path), pairs, problems, attributions if attribution else None)


def read_parallel(source_path, target_path, on_error="raise"):
    """Reads two line-aligned plain-text files: line i of the source file pairs with line i of the target file.

    Args:
        source_path: file of source sentences, one per line.
        target_path: file of target sentences, one per line.
        on_error: `"raise"` or `"skip"` for line problems (invalid UTF-8 in either file, an empty
            line on either side); a skipped line is left out of both sides.

    Returns:
        `ParallelText`.

    Raises:
        DataError: a file is missing or empty, or the files have different numbers of lines (the
            message names the line where the shorter one ends); with `on_error="raise"`, a line
            problem, naming the file and line.
    """
    source_path = check_file(source_path, "one sentence per line")
    target_path = check_file(target_path, "one sentence per line")
    problems = LineProblems(on_error)
    pairs = []
    for line_number, source_raw, target_raw in aligned_raw_lines(source_path, target_path):
        pair = parse_parallel_lines(source_raw, target_raw, (source_path, target_path), line_number, problems)
        if pair is not None:
            pairs.append(pair)
    return _result(f"{source_path} + {target_path}", pairs, problems)


def read_sentences(path, on_error="raise"):
    """Reads a plain-text file of one sentence per line (the form of either file of `read_parallel`).

    Args:
        path: file path.
        on_error: `"raise"` or `"skip"` for line problems (invalid UTF-8, an empty line).

    Returns:
        `ParallelText` whose pairs are `(sentence, None)`.

    Raises:
        DataError: the file is missing or empty; with `on_error="raise"`, a line problem,
            naming the file and line.
    """
    path = check_file(path, "one sentence per line")
    problems = LineProblems(on_error)
    pairs = []
    for line_number, sentence in _decoded_lines(path, problems):
        if not sentence.strip():
            problems.report(path, line_number, "empty line", "the line is empty")
            continue
        pairs.append((sentence, None))
    return _result(str(path), pairs, problems)


def aligned_raw_lines(source_path, target_path):
    """Yields `(line_number, source_bytes, target_bytes)` of two parallel files, line ends removed.

    Raises:
        DataError: the files have different numbers of lines (naming the line where the shorter
            one ends).
    """
    missing = object()
    for source_item, target_item in itertools.zip_longest(raw_lines(source_path), raw_lines(target_path), fillvalue=missing):
        if missing in (source_item, target_item):
            longer, shorter, item = (
                (source_path, target_path, source_item)
                if target_item is missing
                else (target_path, source_path, target_item)
            )
            line_number = item[0]
            raise DataError(
                f"{shorter} has {line_number - 1} lines but {longer} has more (from line {line_number}); "
                f"the two files must have the same number of lines"
            )
        yield source_item[0], source_item[1], target_item[1]


def read_jsonl(path, source_field="source", target_field="target", on_error="raise"):
    """Reads JSON Lines: one JSON object per line, the texts in two named fields.

    Other fields are ignored.

    Args:
        path: file path.
        source_field: name of the field that holds the source text.
        target_field: name of the field that holds the target text.
        on_error: `"raise"` or `"skip"` for line problems (invalid UTF-8, invalid JSON, not an
            object, a missing or non-string field, an empty text).

    Returns:
        `ParallelText`.

    Raises:
        DataError: the file is missing or empty; with `on_error="raise"`, a line problem,
            naming the file and line.
    """
    path = check_file(path, f"JSON objects with {source_field!r} and {target_field!r} fields, one per line")
    problems = LineProblems(on_error)
    pairs = []
    for line_number, line in _decoded_lines(path, problems):
        texts = parse_jsonl_line(line, (source_field, target_field), path, line_number, problems)
        if texts is not None:
            pairs.append(texts)
    return _result(str(path), pairs, problems)


def _json_texts(line, fields, path, line_number, problems):
    """The two named string fields of a JSON object line, or `None` (after reporting)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        problems.report(path, line_number, "invalid JSON", f"not valid JSON ({error.msg} at column {error.colno})")
        return None
    if not isinstance(record, dict):
        problems.report(path, line_number, "not a JSON object", f"expected a JSON object, got {type(record).__name__}")
        return None
    for field in fields:
        if field not in record:
            problems.report(path, line_number, "missing field", f"no field {field!r} (fields: {sorted(record)})")
            return None
        if not isinstance(record[field], str):
            problems.report(
                path,
                line_number,
                "field not a string",
                f"field {field!r} should be a string, got {type(record[field]).__name__}",
            )
            return None
    return record[fields[0]], record[fields[1]]
