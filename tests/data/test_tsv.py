"""TSV reader: pairs in order, and every malformed case named by file and line."""

import pytest

from keras_attention.data.tsv import read_tsv
from keras_attention.errors import DataError


def test_reads_pairs_in_order(tmp_path):
    path = tmp_path / "a.tsv"
    path.write_bytes("hola\thello\r\n  día \t day\n".encode("utf-8"))
    assert read_tsv(path) == [("hola", "hello"), ("  día ", " day")]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", r"a.tsv: the file is empty"),
        (b"a\tb\nno tab\n", r"a.tsv, line 2: expected 2 tab-separated fields \(source<TAB>target\), found 1"),
        (b"a\tb\tc\n", r"a.tsv, line 1: expected 2 tab-separated fields .* found 3"),
        (b"a\tb\n\tb\n", r"a.tsv, line 2: the source side is empty"),
        (b"a\t  \n", r"a.tsv, line 1: the target side is empty"),
        (b"a\tb\nx\xff\ty\n", r"a.tsv, line 2: not valid UTF-8 \(byte 1: b'\\xff'\)"),
    ],
)
def test_malformed_files(tmp_path, content, message):
    path = tmp_path / "a.tsv"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        read_tsv(path)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="b.tsv: no such file"):
        read_tsv(tmp_path / "b.tsv")
