"""Tab-separated pairs: `tsv` (`source<TAB>target`) and `anki` (Anki / Tatoeba exports, with a third,
attribution column)."""

from keras_attention.data.formats.base import CorpusFormat
from keras_attention.data.readers import parse_tsv_line, read_tsv


class TabSeparated(CorpusFormat):
    """`source<TAB>target` lines, with a third, attribution column when `attribution`."""

    def __init__(self, name, attribution):
        self.name = name
        self.attribution = attribution
        self.tsv_columns = 3 if attribution else 2

    def parse_decoded(self, line, path, line_number, problems, fields):
        parsed = parse_tsv_line(line, path, line_number, problems, attribution=self.attribution)
        return None if parsed is None else parsed[:2]

    def read(self, paths, on_error, fields):
        return read_tsv(paths[0], on_error=on_error, attribution=self.attribution)


TSV = TabSeparated("tsv", attribution=False)
ANKI = TabSeparated("anki", attribution=True)
