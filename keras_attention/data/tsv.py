"""Reader for `source<TAB>target` files, with errors that name the file and line."""

from pathlib import Path

from keras_attention.errors import DataError


def read_tsv(path):
    """Reads parallel text from a file of `source<TAB>target` lines (UTF-8).

    Args:
        path: file path.

    Returns:
        List of `(source, target)` string pairs, in file order.

    Raises:
        DataError: the file is missing or empty, is not UTF-8, or a line does not have exactly
            two non-empty tab-separated fields; the message names the file and line.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    pairs = []
    with path.open("rb") as handle:
        for line_number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise DataError(
                    f"{path}, line {line_number}: not valid UTF-8 (byte {error.start}: {raw[error.start:error.start + 1]!r})"
                ) from None
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) != 2:
                raise DataError(
                    f"{path}, line {line_number}: expected 2 tab-separated fields (source<TAB>target), "
                    f"found {len(fields)}"
                )
            for name, field in zip(("source", "target"), fields):
                if not field.strip():
                    raise DataError(f"{path}, line {line_number}: the {name} side is empty")
            pairs.append((fields[0], fields[1]))
    if not pairs:
        raise DataError(f"{path}: the file is empty; expected source<TAB>target lines")
    return pairs
