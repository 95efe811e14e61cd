"""Inputs and settings shared by the export tests and their fixtures (tests/export/conftest.py)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_SOURCE_LENGTH = 48  # tiny_runs' source.max_length
SENTENCES = [
    "Tuesday, March 3, 1998",
    "3rd of july 2021",
    "12/25/1999",
    "  01.02.2003",
    "7 Aug 65",
    "SUNDAY, JANUARY 1, 2040",
    "the 14th of February, 1950",
    "1987-11-30",
]
BAD_INPUTS = {
    "empty": b"",
    "whitespace only": b" \t \n  ",
    "10,000 characters": ("3 March 1998, " * 715)[:10000].encode(),
    "invalid UTF-8": b"3 March \xff\xfe 1998 \xc3\x28",
    "emoji and other scripts": "😀 3 März 1998 日本語 Ωμέγα".encode(),
}
INPUTS = [sentence.encode() for sentence in SENTENCES] + list(BAD_INPUTS.values())
KINDS = {
    "greedy": {
        "source": {"tokenizer": "char", "vocabulary_size": 120},
        "target": {},
        "trained": True,
        "model": {},
        "decoding": ["--strategy", "greedy"],
    },
    "beam": {
        "source": {"tokenizer": "wordpiece", "vocabulary_size": 120},
        "target": {},
        "trained": False,
        # Dropout puts random ops into the traced LSTM cell even at inference, as the Bible config does.
        "model": {"dropout": 0.1},
        # The output controls ride along: the exported loop must apply them as the library does.
        "decoding": [
            "--strategy", "beam", "--beam-size", "3", "--n-best", "2", "--length-penalty", "0.6",
            "--min-length", "2", "--no-repeat-ngram-size", "2",
        ],
    },
    "sentencepiece": {
        "source": {"tokenizer": "sentencepiece", "vocabulary_size": 120},
        "target": {"tokenizer": "sentencepiece", "subword_model": "bpe", "vocabulary_size": 40},
        "trained": False,
        "model": {},
        "decoding": ["--strategy", "greedy", "--min-length", "3", "--no-repeat-ngram-size", "3"],
    },
    # Copy attention over one vocabulary shared by both sides: the alignments signature also
    # returns the probability of generating. The target embedding is the output projection.
    "copy": {
        "source": {"tokenizer": "char", "vocabulary_size": 120},
        "target": {"shared_vocabulary": True, "lowercase": True, "vocabulary_size": 120},
        "trained": False,
        "model": {"copy": True, "tie_embeddings": True, "attentional_units": 8},
        "decoding": ["--strategy", "greedy", "--min-length", "2"],
    },
    # Two runs that tokenize the source differently (WordPiece, SentencePiece) over one target
    # vocabulary, exported as one ensemble through the CLI (`--model` twice); beam search with the
    # coverage penalty, which reads the members' mean alignment.
    "ensemble": {
        "members": [
            {"source": {"tokenizer": "wordpiece", "vocabulary_size": 120}, "target": {}, "model": {}},
            {"source": {"tokenizer": "sentencepiece", "vocabulary_size": 100}, "target": {}, "model": {"dropout": 0.1}},
        ],
        "trained": False,
        "decoding": ["--strategy", "beam", "--beam-size", "3", "--n-best", "2", "--coverage-penalty", "0.2"],
    },
}
