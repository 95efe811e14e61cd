"""In-graph text normalization with TensorFlow and tensorflow-text string ops."""

import tensorflow as tf
import tensorflow_text as tf_text

PUNCTUATION = r"\pP"


def normalize(strings, normalization="NFKC", lowercase=False, collapse_whitespace=True, split_punctuation=False):
    """Normalizes a batch of UTF-8 strings inside the graph.

    The steps, in order: invalid UTF-8 bytes become U+FFFD (so no input can make the later ops
    fail), Unicode normalization (`tf_text.normalize_utf8`), case folding
    (`tf_text.case_fold_utf8`), punctuation splitting, whitespace collapsing.

    Args:
        strings: string tensor of any shape.
        normalization: Unicode form (`NFKC`, `NFKD`, `NFC`, `NFD`) or `none`.
        lowercase: case-fold (full Unicode case folding).
        collapse_whitespace: strip both ends and turn each run of whitespace into one space.
        split_punctuation: put a space on both sides of every punctuation character (Unicode
            category P), so that `"Hello, world!"` becomes `"Hello , world !"` (after collapsing).

    Returns:
        String tensor of the same shape.

    Example:

    ```python
    normalize(tf.constant(["  ＡBC,\\td "]), lowercase=True, split_punctuation=True)  # [b"abc , d"]
    ```
    """
    strings = tf.strings.unicode_transcode(
        strings, input_encoding="UTF-8", output_encoding="UTF-8", errors="replace"
    )
    if normalization != "none":
        strings = tf_text.normalize_utf8(strings, normalization)
    if lowercase:
        strings = tf_text.case_fold_utf8(strings)
    if split_punctuation:
        strings = tf.strings.regex_replace(strings, f"({PUNCTUATION})", r" \1 ")
    if collapse_whitespace:
        strings = tf.strings.strip(tf.strings.regex_replace(strings, r"\s+", " "))
    return strings
