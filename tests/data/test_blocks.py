"""The checking pass's fast path: TSV and Anki blocks checked whole give the line readers' results."""

import hypothesis
import hypothesis.strategies as st
import pytest

from keras_attention.config import DataConfig
from keras_attention.data import blocks
from keras_attention.data.blocks import clean_tsv_block, line_blocks
from keras_attention.data.corpus import scan_files
from keras_attention.data.readers import read_tsv
from keras_attention.errors import DataError

# Pieces of lines: text, the separators, every kind of whitespace the rules strip, and bytes
# that are not UTF-8. Random lines of them break every rule now and then.
PIECES = ["a", "ñ", "¿Qué", "x y", "\u3000", "\u00a0", "\u0085", "\u2009", "\u1680", " ", "\x1f", "\t", "\r"]
RAW_PIECES = [piece.encode("utf-8") for piece in PIECES] + [b"\xff", b"\xc3"]
# Lines that follow the rules, so that many blocks take the fast path.
CLEAN_LINES = [b"a\tb", "¿Qué?\tWhat?".encode(), "\u00a0x\t\u3000y".encode(), "x\r\t\u2009z\r".encode()]


def corpus_bytes(lines, columns, bom, final_newline):
    data = b"\n".join(line + b"\tattribution" if columns == 3 else line for line in lines)
    return (b"\xef\xbb\xbf" if bom else b"") + data + (b"\n" if final_newline else b"")


line_strategy = st.one_of(
    st.sampled_from(CLEAN_LINES),
    st.lists(st.sampled_from(RAW_PIECES), max_size=6).map(b"".join),
)


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(
    lines=st.lists(line_strategy, min_size=1, max_size=40),
    task=st.sampled_from(["tsv", "anki"]),
    bom=st.booleans(),
    final_newline=st.booleans(),
    block_bytes=st.sampled_from([1, 7, 40, 1 << 22]),
)
def test_blocks_check_like_the_line_reader(tmp_path_factory, lines, task, bom, final_newline, block_bytes):
    path = tmp_path_factory.mktemp("corpus") / "train.tsv"
    path.write_bytes(corpus_bytes(lines, 3 if task == "anki" else 2, bom, final_newline))
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(blocks, "BLOCK_BYTES", block_bytes)
        for on_error in ("raise", "skip"):
            check_like_the_line_reader(path, task, on_error)


def check_like_the_line_reader(path, task, on_error):
    config = DataConfig(format=task, train=str(path), on_error=on_error)
    try:
        expected = read_tsv(path, on_error=on_error, attribution=task == "anki")
    except DataError as error:
        with pytest.raises(DataError) as raised:
            scan_files(config, sample_size=10**6)
        if ", line " in str(error):
            assert str(raised.value) == str(error)
        return
    corpus = scan_files(config, sample_size=10**6)
    assert corpus.sample == expected.pairs
    assert corpus.size == len(expected.pairs)
    assert corpus.skipped_by_reason() == dict(expected.skipped)
    assert corpus.first_skipped.get(str(path), {}) == expected.first_skipped


def test_line_blocks_cut_at_line_ends_and_number_the_lines(tmp_path, monkeypatch):
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 5)
    path = tmp_path / "a.tsv"
    path.write_bytes(b"a\tb\nlonger line\tc\n\nd\te")
    read = list(line_blocks(path))
    assert b"".join(block for _, block in read) == path.read_bytes()
    assert all(block.endswith(b"\n") for _, block in read[:-1])
    assert [first for first, _ in read] == [1, 2, 4]  # lines 2 and 3 come in one read


@pytest.mark.parametrize(
    "line, reason",
    [
        (b"a b", "no tab"),
        (b"a\tb\tc", "extra tab"),
        (b"\tb", "empty source"),
        (b"a\t", "empty target"),
        (b"a\t\r", "target only a carriage return"),
        ("\u3000\tb".encode(), "ideographic space source"),
        ("a\t\u00a0 \u2009".encode(), "non-breaking and thin spaces"),
        (b"a\t\xffb", "not UTF-8"),
    ],
)
def test_a_block_with_one_bad_line_is_refused(line, reason):
    good = b"x\ty\n" * 3
    assert clean_tsv_block(good, 2, first_block=True).count == 3
    assert clean_tsv_block(good + line + b"\n" + good, 2, first_block=False) is None, reason


def test_a_checked_block_gives_the_pairs_as_the_reader_would():
    block = "\ufeffuno\tone\r\n¿dos?\ttwo\n\u00a0tres\tthree".encode()
    checked = clean_tsv_block(block, 2, first_block=True)
    assert [checked.pair(index) for index in range(checked.count)] == [
        ("uno", "one"),
        ("¿dos?", "two"),
        ("\u00a0tres", "three"),
    ]
    anki = clean_tsv_block(b"a\tb\r\tby someone\r\n", 3, first_block=False)
    assert anki.pair(0) == ("a", "b\r")
