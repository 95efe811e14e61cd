"""Corpus readers: pairs in order, every malformed case named by file and line, exact skip counts."""

import collections
import json

import pytest

from keras_attention.config import DataConfig, RunConfig
from keras_attention.data.readers import read_jsonl, read_parallel, read_tsv
from keras_attention.data.sources import load_splits
from keras_attention.errors import DataError


def write(path, content):
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_tsv_pairs_in_order(tmp_path):
    path = write(tmp_path / "a.tsv", "\ufeffhola\thello\r\n  día \t day\n")
    text = read_tsv(path)
    assert text.pairs == [("hola", "hello"), ("  día ", " day")]
    assert text.attributions is None and not text.skipped and text.describe_skipped() == ""


def test_anki_attribution_column(tmp_path):
    path = write(
        tmp_path / "spa.txt",
        "Go.\tVe.\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM) & #4986655 (cueyayotl)\n"
        "Hi.\tHola.\tCC-BY 2.0 (France) Attribution: tatoeba.org #538123 (CM) & #431975 (Leono)\n",
    )
    text = read_tsv(path, attribution=True)
    assert text.pairs == [("Go.", "Ve."), ("Hi.", "Hola.")]
    assert text.attributions[1].endswith("#431975 (Leono)")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", r"a.tsv: the file is empty; expected source<TAB>target lines"),
        (b"a\tb\nno tab\n", r"a.tsv, line 2: expected 2 tab-separated fields \(source<TAB>target\), found 1"),
        (b"a\tb\tc\n", r"a.tsv, line 1: expected 2 tab-separated fields .* found 3"),
        (b"a\tb\n\tb\n", r"a.tsv, line 2: the source side is empty"),
        (b"a\t  \n", r"a.tsv, line 1: the target side is empty"),
        (b"a\tb\nx\xff\ty\n", r"a.tsv, line 2: not valid UTF-8 \(byte 1: b'\\xff'\)"),
        (b"a\tb\n\n", r"a.tsv, line 2: expected 2 tab-separated fields .* found 1"),
    ],
)
def test_malformed_tsv(tmp_path, content, message):
    with pytest.raises(DataError, match=message):
        read_tsv(write(tmp_path / "a.tsv", content))


def test_malformed_anki_line(tmp_path):
    path = write(tmp_path / "spa.txt", "Go.\tVe.\tCC-BY\nHi.\tHola.\n")
    with pytest.raises(DataError, match=r"spa.txt, line 2: expected 3 tab-separated fields \(source<TAB>target<TAB>attribution\), found 2"):
        read_tsv(path, attribution=True)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="b.tsv: no such file"):
        read_tsv(tmp_path / "b.tsv")


def test_tsv_skip_counts_every_reason(tmp_path):
    lines = [b"a\tb", b"no tab", b"x\xff\ty", b"\tb", b"c\td", b"a\tb\tc", b"e\t ", b"also no tab", b"f\tg"]
    text = read_tsv(write(tmp_path / "a.tsv", b"\n".join(lines) + b"\n"), on_error="skip")
    assert text.pairs == [("a", "b"), ("c", "d"), ("f", "g")]
    assert text.skipped == collections.Counter(
        {"missing tab": 2, "invalid UTF-8": 1, "empty source": 1, "extra tab": 1, "empty target": 1}
    )
    assert text.first_skipped == {
        "missing tab": 2, "invalid UTF-8": 3, "empty source": 4, "extra tab": 6, "empty target": 7
    }
    assert text.describe_skipped() == (
        f"{tmp_path / 'a.tsv'}: skipped 6 of 9 lines: 2 missing tab (first: line 2), 1 empty source "
        f"(first: line 4), 1 empty target (first: line 7), 1 extra tab (first: line 6), "
        f"1 invalid UTF-8 (first: line 3)"
    )


def test_skip_with_nothing_left_raises(tmp_path):
    with pytest.raises(DataError, match=r"a.tsv: no usable lines; skipped 2 missing tab \(first: line 1\)"):
        read_tsv(write(tmp_path / "a.tsv", "x\ny\n"), on_error="skip")


def test_unknown_policy(tmp_path):
    with pytest.raises(ValueError, match=r"`on_error` must be one of \['raise', 'skip'\]. Received: on_error='ignore'"):
        read_tsv(write(tmp_path / "a.tsv", "a\tb\n"), on_error="ignore")


def test_parallel_files(tmp_path):
    source = write(tmp_path / "train.en", "In the beginning\r\nGod\n")
    target = write(tmp_path / "train.es", "En el principio\nDios")
    assert read_parallel(source, target).pairs == [("In the beginning", "En el principio"), ("God", "Dios")]


@pytest.mark.parametrize(
    "source, target, message",
    [
        ("a\nb\nc\n", "x\ny\n", r"train.es has 2 lines but .*train.en has more \(from line 3\); the two files must have the same number of lines"),
        ("a\n", "x\ny\nz\n", r"train.en has 1 lines but .*train.es has more \(from line 2\)"),
        ("", "x\n", r"train.en: the file is empty; expected one sentence per line"),
        ("a\n \nc\n", "x\ny\nz\n", r"train.en, line 2: the source line is empty"),
        ("a\nb\n", "x\n\n", r"train.es, line 2: the target line is empty"),
        (b"a\nb\n", b"x\n\xc3(\n", r"train.es, line 2: not valid UTF-8 \(byte 0: b'\\xc3'\)"),
    ],
)
def test_malformed_parallel(tmp_path, source, target, message):
    with pytest.raises(DataError, match=message):
        read_parallel(write(tmp_path / "train.en", source), write(tmp_path / "train.es", target))


def test_parallel_different_lengths_raise_even_when_skipping(tmp_path):
    source, target = write(tmp_path / "train.en", "a\nb\n"), write(tmp_path / "train.es", "x\n")
    with pytest.raises(DataError, match="same number of lines"):
        read_parallel(source, target, on_error="skip")


def test_parallel_skip_counts(tmp_path):
    source = write(tmp_path / "s.txt", b"a\n\nc\nd\xff\ne\n")
    target = write(tmp_path / "t.txt", b"v\nw\n\ny\nz\n")
    text = read_parallel(source, target, on_error="skip")
    assert text.pairs == [("a", "v"), ("e", "z")]
    assert text.skipped == collections.Counter({"empty source": 1, "empty target": 1, "invalid UTF-8": 1})
    assert text.first_skipped == {"empty source": 2, "empty target": 3, "invalid UTF-8": 4}


def jsonl(*records):
    return "".join((record if isinstance(record, str) else json.dumps(record, ensure_ascii=False)) + "\n" for record in records)


def test_jsonl_named_fields(tmp_path):
    path = write(tmp_path / "a.jsonl", jsonl({"en": "day", "es": "día", "id": 3}, {"es": "noche", "en": "night"}))
    assert read_jsonl(path, "en", "es").pairs == [("day", "día"), ("night", "noche")]


@pytest.mark.parametrize(
    "content, message",
    [
        ("", r"a.jsonl: the file is empty; expected JSON objects with 'en' and 'es' fields"),
        (jsonl({"en": "a", "es": "b"}, '{"en": "a", '), r"a.jsonl, line 2: not valid JSON \(Expecting property name"),
        (jsonl({"en": "a", "es": "b"}, ["a", "b"]), r"a.jsonl, line 2: expected a JSON object, got list"),
        (jsonl({"en": "a", "spanish": "b"}), r"a.jsonl, line 1: no field 'es' \(fields: \['en', 'spanish'\]\)"),
        (jsonl({"en": "a", "es": 5}), r"a.jsonl, line 1: field 'es' should be a string, got int"),
        (jsonl({"en": " ", "es": "b"}), r"a.jsonl, line 1: field 'en' \(the source\) is empty"),
        (b'{"en": "a", "es": "b"}\n{"en": "\xe9", "es": "b"}\n', r"a.jsonl, line 2: not valid UTF-8"),
    ],
)
def test_malformed_jsonl(tmp_path, content, message):
    with pytest.raises(DataError, match=message):
        read_jsonl(write(tmp_path / "a.jsonl", content), "en", "es")


def test_jsonl_skip_counts(tmp_path):
    content = jsonl({"en": "a", "es": "b"}, "oops", {"en": "c"}, {"en": "d", "es": ""}, "", {"en": "e", "es": "f"})
    text = read_jsonl(write(tmp_path / "a.jsonl", content), "en", "es", on_error="skip")
    assert text.pairs == [("a", "b"), ("e", "f")]
    assert text.skipped == collections.Counter({"invalid JSON": 2, "missing field": 1, "empty target": 1})


def test_load_splits_reads_each_format(tmp_path):
    write(tmp_path / "train.en", "a\nb\n")
    write(tmp_path / "train.es", "x\ny\n")
    write(tmp_path / "dev.jsonl", jsonl({"source": "c", "target": "z"}))
    parallel = load_splits(DataConfig(format="parallel", train=str(tmp_path / "train"), source_suffix=".en", target_suffix=".es"))
    assert (parallel.train.head(), parallel.dev, parallel.test, parallel.skipped) == ([("a", "x"), ("b", "y")], [], [], {})
    assert load_splits(DataConfig(format="jsonl", train=str(tmp_path / "dev.jsonl"))).train.head() == [("c", "z")]


def test_load_splits_reports_skipped_lines_per_split(tmp_path):
    write(tmp_path / "train.tsv", "a\tb\nbad\n")
    write(tmp_path / "dev.tsv", "c\td\n")
    splits = load_splits(DataConfig(format="tsv", train=str(tmp_path / "train.tsv"), dev=str(tmp_path / "dev.tsv"), on_error="skip"))
    assert splits.train.head() == [("a", "b")] and splits.dev == [("c", "d")]
    assert splits.train.skipped_by_reason() == {"missing tab": 1} and splits.skipped == {}


def test_load_splits_names_the_config_key_of_a_missing_file(tmp_path):
    config = DataConfig(format="parallel", train=str(tmp_path / "train"), source_suffix=".en", target_suffix=".es")
    with pytest.raises(DataError, match=r"data.train \+ data.source_suffix: no such file '.*train.en' \(a relative path"):
        load_splits(config)


def test_the_bible_config_reads_every_verse(bible):
    splits = load_splits(RunConfig.from_yaml("training/configs/bible-en-es.yaml").data)
    assert (splits.train.size, len(splits.dev), len(splits.test), splits.skipped) == (25499, 1593, 0, {})
