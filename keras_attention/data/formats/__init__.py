"""Corpus file formats, one module each; `keras_attention.options.data.FILE_FORMATS` registers them.

- `tsv.py`: `tsv` and `anki` (tab-separated);
- `jsonl.py`: `jsonl` (JSON Lines with named fields);
- `parallel.py`: `parallel` (two line-aligned files).
"""
