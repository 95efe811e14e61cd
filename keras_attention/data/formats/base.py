"""`CorpusFormat`: what the training pass, the dev and test readers and the CLI need of a format."""

from keras_attention.data.readers import decode_line, raw_lines


class CorpusFormat:
    """How the pairs of one kind of corpus file are read.

    Subclasses set `name` and define `parse_decoded` (or `parse_line`) and `read`.

    Attributes:
        name: the format's `data.format` value.
        paired: whether a corpus is two files, source and target, read line by line together
            (`parallel`); a config names them `data.train` + `data.source_suffix` /
            `data.target_suffix`.
        tsv_columns: for a tab-separated format, the number of columns of a line, so that the
            training pass checks whole blocks of lines at once (`keras_attention.data.blocks`);
            `None` to check line by line.
    """

    name = None
    paired = False
    tsv_columns = None

    def numbered_lines(self, paths):
        """Yields `(line_number, raw, b"")` for the lines of `paths[0]` (bytes, without line ends)."""
        return ((line_number, raw, b"") for line_number, raw in raw_lines(paths[0]))

    def parse_line(self, raws, paths, line_number, problems, fields):
        """The `(source, target)` of one line of a training file, or `None` after reporting its problem.

        Args:
            raws: the line as bytes without its line end, first in a tuple (a `paired` format:
                the lines of the source and the target file).
            paths: the file(s) read, like `raws`, for messages.
            line_number: 1-based line number.
            problems: `LineProblems` that raises or counts.
            fields: `(source_field, target_field)` of a format with named fields (`jsonl`).
        """
        line = decode_line(raws[0], paths[0], line_number, problems)
        return None if line is None else self.parse_decoded(line, paths[0], line_number, problems, fields)

    def parse_decoded(self, line, path, line_number, problems, fields):
        """`parse_line` of one decoded line of a single-file format."""
        raise NotImplementedError

    def read(self, paths, on_error, fields):
        """Reads a whole corpus into memory (dev and test splits, `evaluate --data`).

        Args:
            paths: `(path,)`, or `(source_path, target_path)` for a `paired` format.
            on_error: `raise` or `skip`.
            fields: `(source_field, target_field)`.

        Returns:
            `ParallelText`.
        """
        raise NotImplementedError
