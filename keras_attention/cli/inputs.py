"""What the commands read: sentences from arguments, a file or standard input, and pairs to score."""

import dataclasses
import sys
from pathlib import Path


def data_config(run, args):
    """The run's data config, in the format of `--format` (default: the run's training format,
    `tsv` for the dates task); line problems raise."""
    from keras_attention.options.data import FILE_FORMATS

    data = run.config.data
    file_format = args.format or (data.format if data.format in FILE_FORMATS else "tsv")
    return dataclasses.replace(data, format=file_format, on_error="raise")


def read_data(data_config, paths):
    """The pairs of `evaluate --data`: one file, or for `parallel` a prefix or two files."""
    from keras_attention.data.sources import read_pairs
    from keras_attention.errors import KerasAttentionError
    from keras_attention.options.data import corpus_format

    parallel = corpus_format(data_config.format).paired
    if parallel and len(paths) == 2:
        return read_pairs(data_config, paths[0], "--data", target_path=paths[1])
    if len(paths) != 1:
        expected = "a path prefix or the source and the target file" if parallel else "one file"
        raise KerasAttentionError(f"--data: --format {data_config.format} takes {expected}, got {len(paths)}: {paths}")
    if parallel and not data_config.source_suffix:
        raise KerasAttentionError(
            f"--data: this run has no data.source_suffix / target_suffix to add to {paths[0]!r}; "
            f"with --format parallel give the source and the target file"
        )
    return read_pairs(data_config, paths[0], "--data")


def input_sentences(args, run):
    """The sentences of `translate` / `plot`: TEXT arguments, `--input FILE` in `--format`, or
    standard input, one sentence per line."""
    from keras_attention.data.readers import read_sentences
    from keras_attention.data.sources import read_pairs
    from keras_attention.errors import KerasAttentionError
    from keras_attention.options.data import corpus_format

    if args.input and args.text:
        raise KerasAttentionError("give sentences as TEXT arguments or with --input FILE, not both")
    if args.text:
        return args.text
    if not args.input:
        return [line.rstrip(b"\r\n").decode("utf-8", errors="replace") for line in sys.stdin.buffer]
    config = data_config(run, args)
    if corpus_format(config.format).paired:  # --input is the source side alone
        return [sentence for sentence, _ in read_sentences(args.input).pairs]
    return [source for source, _ in read_pairs(config, args.input, "--input").pairs]


def read_sentence_file(path, what):
    """The lines of UTF-8 file `path`, one sentence each; `what` names them in errors."""
    from keras_attention.errors import KerasAttentionError

    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise KerasAttentionError(f"cannot read the {what} from {str(path)!r}: {error}") from None
    if not lines:
        raise KerasAttentionError(f"{path}: no {what} (one sentence per line expected)")
    return lines
