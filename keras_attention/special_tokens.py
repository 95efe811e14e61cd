"""The four special tokens that start every vocabulary, at fixed ids.

| id | token | meaning |
| --- | --- | --- |
| 0 | `<pad>` | padding; masked everywhere |
| 1 | `<unk>` | any token outside the vocabulary |
| 2 | `<s>` | start of a target sequence (first decoder input) |
| 3 | `</s>` | end of a sequence (appended to sources and targets) |

This module imports nothing, so that the backend-agnostic layers, models and decoders use the
ids without the vocabulary files' dependencies (`keras_attention.text.vocab`, which re-exports
them).
"""

PAD, UNK, START, END = "<pad>", "<unk>", "<s>", "</s>"
SPECIAL_TOKENS = (PAD, UNK, START, END)
PAD_ID, UNK_ID, START_ID, END_ID = range(4)
