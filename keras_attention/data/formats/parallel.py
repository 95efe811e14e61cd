"""Two line-aligned files, one sentence a line: line i of the source file translates to line i of
the target file (Moses / OPUS style, such as `train.en` and `train.es`)."""

from keras_attention.data.formats.base import CorpusFormat
from keras_attention.data.readers import aligned_raw_lines, parse_parallel_lines, read_parallel


class Parallel(CorpusFormat):
    name = "parallel"
    paired = True

    def numbered_lines(self, paths):
        return aligned_raw_lines(*paths)

    def parse_line(self, raws, paths, line_number, problems, fields):
        return parse_parallel_lines(raws[0], raws[1], paths, line_number, problems)

    def read(self, paths, on_error, fields):
        return read_parallel(*paths, on_error=on_error)


PARALLEL = Parallel()
