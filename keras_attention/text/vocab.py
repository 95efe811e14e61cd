r"""Vocabularies: fixed special tokens, building from text, vocabulary files.

Every vocabulary starts with the four special tokens of `keras_attention.special_tokens`
(re-exported here: `SPECIAL_TOKENS`, `PAD_ID`, ...).

A vocabulary file holds one token per line, the line number (from 0) being the id. Backslash,
space, tab, newline and carriage return are written escaped (`\\`, `\s`, `\t`, `\n`, `\r`), so
a file survives editors that strip trailing spaces.

A SentencePiece model file (`SENTENCEPIECE_SUFFIX`, e.g. `source.spm.model`) holds a serialized
SentencePiece `ModelProto`; its pieces, in id order, are the vocabulary, with the same special
tokens at ids 0-3.
"""

import collections
import re
from pathlib import Path

import sentencepiece

from keras_attention.errors import DataError
from keras_attention.special_tokens import END, END_ID, PAD, PAD_ID, SPECIAL_TOKENS, START, START_ID, UNK, UNK_ID  # noqa: F401 (re-exported)

SENTENCEPIECE_SUFFIX = ".spm.model"

_ESCAPES = {"\\": "\\", " ": "s", "\t": "t", "\n": "n", "\r": "r"}
_UNESCAPES = {code: raw for raw, code in _ESCAPES.items()}


def _escape(token):
    return "".join("\\" + _ESCAPES[ch] if ch in _ESCAPES else ch for ch in token)


def _unescape(line):
    return re.sub(r"\\(.)", lambda match: _UNESCAPES.get(match.group(1), match.group(0)), line)


def build_vocabulary(token_lists, min_count=1, max_size=None):
    """Builds a vocabulary from tokenized text.

    Args:
        token_lists: iterable of token sequences.
        min_count: tokens seen fewer times are left out (they map to `<unk>`).
        max_size: largest vocabulary, special tokens included (`None`: no limit); the least
            frequent tokens are left out (they map to `<unk>`).

    Returns:
        List of tokens: the special tokens, then the others by falling count (ties by token).
    """
    counts = collections.Counter()
    for tokens in token_lists:
        counts.update(tokens)
    kept = sorted(
        (token for token, count in counts.items() if count >= min_count and token not in SPECIAL_TOKENS),
        key=lambda token: (-counts[token], token),
    )
    vocabulary = list(SPECIAL_TOKENS) + kept
    return vocabulary if max_size is None else vocabulary[:max_size]


def write_vocabulary(tokens, path):
    """Writes `tokens` one per line to `path` (whitespace tokens escaped)."""
    Path(path).write_text("".join(_escape(token) + "\n" for token in tokens), encoding="utf-8")


def read_vocabulary(path):
    """Reads a vocabulary file written by `write_vocabulary`.

    Raises:
        DataError: if the file does not start with the special tokens or repeats a token.
    """
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    tokens = [_unescape(line) for line in lines]
    if tuple(tokens[: len(SPECIAL_TOKENS)]) != SPECIAL_TOKENS:
        raise DataError(
            f"{path}: a vocabulary must start with {list(SPECIAL_TOKENS)} on lines 1-4, "
            f"got {tokens[: len(SPECIAL_TOKENS)]}"
        )
    seen = {}
    for line_number, token in enumerate(tokens, start=1):
        if token in seen:
            raise DataError(f"{path}, line {line_number}: token {token!r} repeats line {seen[token]}")
        seen[token] = line_number
    return tokens


def sentencepiece_vocabulary(model):
    """Returns the pieces of a serialized SentencePiece model (bytes), in id order.

    Raises:
        DataError: if `model` is not a serialized SentencePiece model.
    """
    try:
        processor = sentencepiece.SentencePieceProcessor(model_proto=model)
    except RuntimeError as error:
        raise DataError(f"not a serialized SentencePiece model ({error})") from None
    return [processor.id_to_piece(index) for index in range(processor.get_piece_size())]


def read_sentencepiece_model(path):
    """Reads a SentencePiece model file; returns the serialized model (bytes).

    Raises:
        DataError: if the file is not a SentencePiece model or lacks the special tokens at ids 0-3.
    """
    model = Path(path).read_bytes()
    try:
        pieces = sentencepiece_vocabulary(model)
    except DataError as error:
        raise DataError(f"{path}: {error}") from None
    if tuple(pieces[: len(SPECIAL_TOKENS)]) != SPECIAL_TOKENS:
        raise DataError(
            f"{path}: a SentencePiece model must have {list(SPECIAL_TOKENS)} at ids 0-3, "
            f"got {pieces[: len(SPECIAL_TOKENS)]}"
        )
    return model
