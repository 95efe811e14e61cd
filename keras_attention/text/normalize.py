"""In-graph text normalization with TensorFlow and tensorflow-text string ops."""

import tensorflow as tf
import tensorflow_text as tf_text


def normalize(strings, normalization="NFKC", lowercase=False, collapse_whitespace=True):
    """Normalizes a batch of UTF-8 strings inside the graph.

    Invalid UTF-8 bytes become U+FFFD first, so no input can make the later ops fail.

    Args:
        strings: string tensor of any shape.
        normalization: Unicode form (`NFKC`, `NFKD`, `NFC`, `NFD`) or `none`.
        lowercase: case-fold (full Unicode case folding).
        collapse_whitespace: strip both ends and turn each run of whitespace into one space.

    Returns:
        String tensor of the same shape.
    """
    strings = tf.strings.unicode_transcode(
        strings, input_encoding="UTF-8", output_encoding="UTF-8", errors="replace"
    )
    if normalization != "none":
        strings = tf_text.normalize_utf8(strings, normalization)
    if lowercase:
        strings = tf_text.case_fold_utf8(strings)
    if collapse_whitespace:
        strings = tf.strings.strip(tf.strings.regex_replace(strings, r"\s+", " "))
    return strings
