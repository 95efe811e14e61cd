"""Run directories: everything a trained model needs, saved together and loaded back.

The files and their paths: `keras_attention.runs.layout`.
"""

import dataclasses
import os
import zipfile
from pathlib import Path

import keras

from keras_attention.config import RunConfig
from keras_attention.errors import ConfigError, RunDirectoryError
from keras_attention.models import inference_models
from keras_attention.runs.layout import RunLayout
from keras_attention.text import vocab as vocab_lib
from keras_attention.text.tokenizer import tokenizer_from_config
from keras_attention.translator import Translator, check_same_target_tokenizers


@dataclasses.dataclass
class Run:
    """A trained model with its config and tokenizers.

    Attributes:
        directory: the run directory.
        config: `RunConfig`.
        model: the training model.
        source_tokenizer: `Tokenizer` of the source side.
        target_tokenizer: `Tokenizer` of the target side.
    """

    directory: Path
    config: RunConfig
    model: keras.Model
    source_tokenizer: object
    target_tokenizer: object

    def translator(self, batch_size=None, decoding=None):
        """Returns a `Translator` over this run's model and tokenizers.

        Args:
            batch_size: sentences decoded together (default: the run's `decoding.batch_size`).
            decoding: `DecodingConfig` to use instead of the run's own.
        """
        encoder, decoder = inference_models(self.model)
        return Translator(
            encoder,
            decoder,
            self.source_tokenizer,
            self.target_tokenizer,
            batch_size=batch_size,
            decoding=decoding or self.config.decoding,
        )


def load_translator(runs, batch_size=None, decoding=None):
    """A `Translator` over one run, or over several as an ensemble that decodes as one model.

    The members of an ensemble may have different models and source tokenizers (each tokenizes
    the source itself), but they share the target vocabulary and tokenizer.

    Args:
        runs: list of `Run`s or run directories (one run: that run's translator).
        batch_size: sentences decoded together (default: the first run's `decoding.batch_size`).
        decoding: `DecodingConfig` to use (default: the first run's `decoding` section); its
            `ensemble_average` says how the members' distributions are averaged.

    Returns:
        `Translator`.

    Raises:
        ConfigError: no run, or runs whose target vocabularies or tokenizers differ (the message
            names each run that differs from the first, and how).
        RunDirectoryError: a directory is missing or incomplete (see `load_run`).
    """
    runs = [load_run(run) if isinstance(run, (str, os.PathLike)) else run for run in runs]
    if not runs:
        raise ConfigError("an ensemble needs at least one run, got none")
    if len(runs) == 1:
        return runs[0].translator(batch_size=batch_size, decoding=decoding)
    check_same_target_tokenizers([str(run.directory) for run in runs], [run.target_tokenizer for run in runs])
    encoders, decoders = zip(*(inference_models(run.model) for run in runs))
    return Translator(
        list(encoders),
        list(decoders),
        [run.source_tokenizer for run in runs],
        runs[0].target_tokenizer,
        batch_size=batch_size,
        decoding=decoding or runs[0].config.decoding,
    )


def is_run_directory(directory):
    """Whether `directory` already holds any file of a run."""
    return any(path.exists() for path in RunLayout(directory).required)


def save_run(directory, config, model, source_tokenizer, target_tokenizer):
    """Writes the config, model, vocabularies and SentencePiece models of a run into `directory`."""
    layout = RunLayout(directory)
    layout.vocabularies.mkdir(parents=True, exist_ok=True)
    config.to_yaml(layout.config)
    for side, tokenizer in (("source", source_tokenizer), ("target", target_tokenizer)):
        vocab_lib.write_vocabulary(tokenizer.vocabulary, layout.vocabulary(side))
        if tokenizer.model is not None:
            layout.sentencepiece_model(side).write_bytes(tokenizer.model)
    model.save(layout.model)


def load_run(directory):
    """Loads a run directory written by `save_run`.

    Raises:
        RunDirectoryError: the directory is missing or lacks a file of the run.
        DataError: a vocabulary file or SentencePiece model file is not valid.
    """
    layout = RunLayout(directory)
    directory = layout.directory
    if not directory.is_dir():
        raise RunDirectoryError(f"model directory {str(directory)!r} does not exist")
    missing = [layout.relative(path) for path in layout.required if not path.is_file()]
    if missing:
        required = ", ".join(layout.relative(path) for path in layout.required)
        raise RunDirectoryError(
            f"model directory {str(directory)!r} is incomplete: missing {', '.join(missing)} "
            f"(a run directory written by `keras-attention train` holds {required})"
        )
    config = RunConfig.from_yaml(layout.config)
    source_tokenizer = _load_tokenizer(layout, config.source, "source")
    target_tokenizer = _load_tokenizer(layout, config.target, "target")
    if not zipfile.is_zipfile(layout.model):
        raise RunDirectoryError(f"{layout.model}: not a Keras model archive (a `.keras` file is a zip file)")
    try:
        model = keras.saving.load_model(layout.model)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RunDirectoryError(f"{layout.model}: cannot be loaded as a Keras model: {error}") from None
    return Run(directory, config, model, source_tokenizer, target_tokenizer)


def _load_tokenizer(layout, text_config, side):
    """The tokenizer of one side: over its vocabulary file, or its SentencePiece model file."""
    if text_config.tokenizer != "sentencepiece":
        return tokenizer_from_config(text_config, vocab_lib.read_vocabulary(layout.vocabulary(side)))
    model = layout.sentencepiece_model(side)
    if not model.is_file():
        raise RunDirectoryError(
            f"model directory {str(layout.directory)!r} is incomplete: missing {layout.relative(model)} "
            f"(the SentencePiece model of tokenizer 'sentencepiece')"
        )
    return tokenizer_from_config(text_config, vocab_lib.read_sentencepiece_model(model))
