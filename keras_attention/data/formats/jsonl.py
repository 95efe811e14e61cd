"""JSON Lines: one object per line, the texts under `data.source_field` and `data.target_field`."""

from keras_attention.data.formats.base import CorpusFormat
from keras_attention.data.readers import parse_jsonl_line, read_jsonl


class JsonLines(CorpusFormat):
    name = "jsonl"

    def parse_decoded(self, line, path, line_number, problems, fields):
        return parse_jsonl_line(line, fields, path, line_number, problems)

    def read(self, paths, on_error, fields):
        return read_jsonl(paths[0], *fields, on_error=on_error)


JSONL = JsonLines()
