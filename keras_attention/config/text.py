"""The `source` and `target` sections: how each side of the text is normalized and tokenized."""

import dataclasses

from keras_attention.config.checks import choice, positive_int, require
from keras_attention.options.text import TOKENIZERS

SUBWORD_MODELS = ("unigram", "bpe")
NORMALIZATIONS = ("NFKC", "NFKD", "NFC", "NFD", "none")
# Default `data.vocabulary_sample` by tokenizer kind: the sample that each learns in at most
# 15 s per side on 2 CPU cores from long-tailed text (tf-text's WordPiece learner is pure Python,
# one core per side; BENCHMARKS.md, "Real-sized corpora"). A run takes the smallest of its two sides'.
VOCABULARY_SAMPLES = {"char": 100_000, "wordpiece": 6_000, "sentencepiece": 100_000}


@dataclasses.dataclass
class TextConfig:
    """How one side (source or target) of the text is normalized and tokenized.

    Args:
        tokenizer: tokenizer kind, one of `TOKENIZERS`: `char` (every character is a token),
            `wordpiece` (subwords learned from the training text; words are the space-separated
            pieces of the normalized text, so it needs `collapse_whitespace: true`) or
            `sentencepiece` (a SentencePiece model learned from the training text; spaces are
            part of the pieces).
        subword_model: `sentencepiece` only: the model type, one of `SUBWORD_MODELS`: `unigram`
            (a unigram language model over pieces) or `bpe` (byte-pair encoding merges).
        normalization: Unicode normalization form applied first (`none` to skip).
        lowercase: whether to case-fold the text.
        split_punctuation: whether to put a space on both sides of every punctuation character
            (Unicode category P), so that punctuation becomes words of its own.
        collapse_whitespace: whether to strip the ends and turn each run of whitespace into one space.
        max_length: maximum number of tokens (special tokens excluded); longer text is truncated
            or filtered (see `DataConfig.length_policy`) and counted.
        min_count: `char`: characters seen fewer times in the training data map to the unknown
            token. `wordpiece`: the lowest count a multi-character subword needs to enter the
            vocabulary (every character of the training words is always kept). `sentencepiece`
            has no count threshold: it must be 1.
        vocabulary_size: largest vocabulary, special tokens included. `char` keeps the most
            frequent characters; `wordpiece` learns up to this many tokens (within 5% below), but
            always keeps every character of the training words, alone and as a continuation,
            even if that takes more. `sentencepiece` learns exactly this many pieces, or as many
            as the training text allows if that is fewer; the size must hold every character of
            the training text and the special tokens (a smaller one is an error that says the
            smallest possible).
        shared_vocabulary: `target` only: the target side uses the source side's tokenizer and
            vocabulary, learned from the text of both sides (as copy attention, `model.copy`,
            needs: every source token is then a target token). Its other keys must equal the
            source's, `max_length` excepted.
    """

    tokenizer: str = "char"
    subword_model: str = "unigram"
    normalization: str = "NFKC"
    lowercase: bool = False
    split_punctuation: bool = False
    collapse_whitespace: bool = True
    max_length: int = 128
    min_count: int = 1
    vocabulary_size: int = 8000
    shared_vocabulary: bool = False

    def validate(self, key):
        require(
            key == "target" or not self.shared_vocabulary,
            f"{key}.shared_vocabulary",
            "only the target side takes it (the target shares the source's vocabulary), got true",
        )
        choice(self.tokenizer, TOKENIZERS, f"{key}.tokenizer")
        choice(self.subword_model, SUBWORD_MODELS, f"{key}.subword_model")
        require(
            self.tokenizer == "sentencepiece" or self.subword_model == "unigram",
            f"{key}.subword_model",
            f"{self.subword_model!r} needs tokenizer 'sentencepiece', got tokenizer {self.tokenizer!r}",
        )
        choice(self.normalization, NORMALIZATIONS, f"{key}.normalization")
        positive_int(self.max_length, f"{key}.max_length")
        positive_int(self.min_count, f"{key}.min_count")
        require(
            self.vocabulary_size > 4,
            f"{key}.vocabulary_size",
            f"expected more than the 4 special tokens, got {self.vocabulary_size!r}",
        )
        if self.tokenizer == "wordpiece":
            require(
                self.collapse_whitespace,
                f"{key}.collapse_whitespace",
                "must be true for tokenizer 'wordpiece' (words are split at single spaces), got false",
            )
        if self.tokenizer == "sentencepiece":
            require(
                self.min_count == 1,
                f"{key}.min_count",
                f"must be 1 for tokenizer 'sentencepiece' (it has no count threshold), got {self.min_count!r}",
            )
