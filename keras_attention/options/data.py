"""Options of the corpus readers and the input pipeline: the file formats and their registry,
`data.on_error`, `data.length_policy`.

Adding a corpus format: one new module in `keras_attention/data/formats/` with a `CorpusFormat`
(see `formats/jsonl.py`), and one line in `FILE_FORMATS`.
"""

from keras_attention.options import registry

# What a reader does with a bad line: stop with its file and line, or skip and count it.
ON_ERROR = ("raise", "skip")
# What the pipeline does with a pair longer than a side's `max_length`: cut it, or leave it out.
LENGTH_POLICIES = ("truncate", "filter")

# The corpus file formats (`data.format`): name -> "module:object" of its `CorpusFormat` (see
# `keras_attention.data.formats`), named by string so that loading a config imports no reader.
FILE_FORMATS = {
    "tsv": "keras_attention.data.formats.tsv:TSV",
    "anki": "keras_attention.data.formats.tsv:ANKI",
    "parallel": "keras_attention.data.formats.parallel:PARALLEL",
    "jsonl": "keras_attention.data.formats.jsonl:JSONL",
}
# Where pairs come from: the built-in generated dates, or files in one of the formats.
TASKS = ("dates",) + tuple(FILE_FORMATS)


def corpus_format(name):
    """The `CorpusFormat` of file format `name` (see `FILE_FORMATS`), imported on first use."""
    return registry.load(FILE_FORMATS, name)
