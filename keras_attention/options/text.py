"""Options of text processing: the tokenizer kinds, by name.

Adding one: a `keras_attention.text.base.Tokenizer` subclass in a module of its own (as
`keras_attention/text/char_tokenizer.py`), and one line in `TOKENIZERS` here.
"""

# `source.tokenizer` / `target.tokenizer` -> "module:class" of the `Tokenizer` subclass.
TOKENIZERS = {
    "char": "keras_attention.text.char_tokenizer:CharTokenizer",
    "wordpiece": "keras_attention.text.wordpiece_tokenizer:WordPieceTokenizer",
    "sentencepiece": "keras_attention.text.sentencepiece_tokenizer:SentencePieceTokenizer",
}
