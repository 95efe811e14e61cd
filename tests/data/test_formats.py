"""The corpus format registry: every registered format loads, and reads lines by its rules."""

import pytest

from keras_attention.data.formats.base import CorpusFormat
from keras_attention.data.readers import LineProblems, read_jsonl, read_parallel, read_tsv
from keras_attention.options.data import FILE_FORMATS, TASKS, corpus_format

FIELDS = ("source", "target")


def test_every_registered_format_loads_under_its_name():
    assert TASKS == ("dates", "tsv", "anki", "parallel", "jsonl")
    for name in FILE_FORMATS:
        file_format = corpus_format(name)
        assert isinstance(file_format, CorpusFormat) and file_format.name == name
    assert [name for name in FILE_FORMATS if corpus_format(name).paired] == ["parallel"]
    assert {name: corpus_format(name).tsv_columns for name in FILE_FORMATS} == {
        "tsv": 2,
        "anki": 3,
        "parallel": None,
        "jsonl": None,
    }


@pytest.mark.parametrize(
    "name, good, bad, reason",
    [
        ("tsv", (b"a\tb",), (b"a b",), "missing tab"),
        ("anki", (b"a\tb\tCC-BY 2.0 (France) Attribution: tatoeba.org",), (b"a\tb",), "missing tab"),
        ("jsonl", (b'{"source": "a", "target": "b"}',), (b'{"source": "a", "target": ""}',), "empty target"),
        ("parallel", (b"a", b"b"), (b"a", b""), "empty target"),
    ],
)
def test_a_format_parses_its_lines_and_reports_bad_ones(name, good, bad, reason):
    file_format = corpus_format(name)
    paths = ("x.src", "x.tgt") if file_format.paired else ("x",)
    problems = LineProblems("skip")
    assert file_format.parse_line(good, paths, 1, problems, FIELDS) == ("a", "b")
    assert file_format.parse_line(bad, paths, 2, problems, FIELDS) is None
    assert dict(problems.skipped) == {reason: 1} and problems.first_skipped == {reason: 2}


def test_a_format_reads_a_corpus_as_its_reader_does(tmp_path):
    (tmp_path / "a.tsv").write_text("a\tb\nc\td\n", encoding="utf-8")
    (tmp_path / "a.jsonl").write_text('{"s": "a", "t": "b"}\n', encoding="utf-8")
    (tmp_path / "a.en").write_text("a\nc\n", encoding="utf-8")
    (tmp_path / "a.es").write_text("b\nd\n", encoding="utf-8")
    tsv, jsonl, en, es = (str(tmp_path / name) for name in ("a.tsv", "a.jsonl", "a.en", "a.es"))
    assert corpus_format("tsv").read((tsv,), "raise", FIELDS) == read_tsv(tsv)
    assert corpus_format("jsonl").read((jsonl,), "raise", ("s", "t")) == read_jsonl(jsonl, "s", "t")
    assert corpus_format("parallel").read((en, es), "raise", FIELDS) == read_parallel(en, es)
