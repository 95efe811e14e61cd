"""Run directories: everything a trained model needs, saved together and loaded back.

Layout of a run directory (stable; other tools build on it):

```
RUN_DIR/
  config.yaml        the full RunConfig (defaults filled in)
  model.keras        the training model (contains the `encoder` and `decoder` sub-models)
  vocab/source.txt   source vocabulary, one token per line (id = line number - 1)
  vocab/target.txt   target vocabulary
  vocab/source.spm.model, vocab/target.spm.model
                     the side's SentencePiece model (tokenizer `sentencepiece` only; its
                     vocabulary file lists the model's pieces)
  summary.json       what was trained and how well (written by `train`)
  history.csv        per-epoch training metrics (written by `train`)
  logs/              TensorBoard logs (written by `train`; attention heatmaps in logs/attention/)
  checkpoints/       best.weights.h5 (best epoch by training.monitor) and the last epochs'
                     epoch-NNNN.weights.h5 (written by `train`, see `keras_attention.checkpoints`)
  backup/            only while a training is unfinished: what a rerun resumes from
  hypotheses/        source<TAB>reference<TAB>hypothesis files (written by `keras-attention evaluate`)
```
"""

import dataclasses
import json
import zipfile
from pathlib import Path

import keras

from keras_attention.config import RunConfig
from keras_attention.errors import RunDirectoryError
from keras_attention.models import inference_models
from keras_attention.text import vocab as vocab_lib
from keras_attention.text.tokenizer import tokenizer_from_config
from keras_attention.translator import Translator

CONFIG_FILE = "config.yaml"
MODEL_FILE = "model.keras"
SOURCE_VOCABULARY = "vocab/source.txt"
TARGET_VOCABULARY = "vocab/target.txt"
SOURCE_SENTENCEPIECE = "vocab/source" + vocab_lib.SENTENCEPIECE_SUFFIX
TARGET_SENTENCEPIECE = "vocab/target" + vocab_lib.SENTENCEPIECE_SUFFIX
SUMMARY_FILE = "summary.json"
REQUIRED_FILES = (CONFIG_FILE, MODEL_FILE, SOURCE_VOCABULARY, TARGET_VOCABULARY)


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


def is_run_directory(directory):
    """Whether `directory` already holds any file of a run."""
    return any((Path(directory) / name).exists() for name in REQUIRED_FILES)


def save_run(directory, config, model, source_tokenizer, target_tokenizer):
    """Writes the config, model, vocabularies and SentencePiece models of a run into `directory`."""
    directory = Path(directory)
    (directory / "vocab").mkdir(parents=True, exist_ok=True)
    config.to_yaml(directory / CONFIG_FILE)
    for tokenizer, vocabulary, sentencepiece_model in (
        (source_tokenizer, SOURCE_VOCABULARY, SOURCE_SENTENCEPIECE),
        (target_tokenizer, TARGET_VOCABULARY, TARGET_SENTENCEPIECE),
    ):
        vocab_lib.write_vocabulary(tokenizer.vocabulary, directory / vocabulary)
        if tokenizer.model is not None:
            (directory / sentencepiece_model).write_bytes(tokenizer.model)
    model.save(directory / MODEL_FILE)


def write_summary(directory, summary):
    """Writes the training summary dict as `summary.json`."""
    (Path(directory) / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


def load_run(directory):
    """Loads a run directory written by `save_run`.

    Raises:
        RunDirectoryError: the directory is missing or lacks a file of the run.
        DataError: a vocabulary file or SentencePiece model file is not valid.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise RunDirectoryError(f"model directory {str(directory)!r} does not exist")
    missing = [name for name in REQUIRED_FILES if not (directory / name).is_file()]
    if missing:
        raise RunDirectoryError(
            f"model directory {str(directory)!r} is incomplete: missing {', '.join(missing)} "
            f"(a run directory written by `keras-attention train` holds {', '.join(REQUIRED_FILES)})"
        )
    config = RunConfig.from_yaml(directory / CONFIG_FILE)
    source_tokenizer = _load_tokenizer(directory, config.source, SOURCE_VOCABULARY, SOURCE_SENTENCEPIECE)
    target_tokenizer = _load_tokenizer(directory, config.target, TARGET_VOCABULARY, TARGET_SENTENCEPIECE)
    model_path = directory / MODEL_FILE
    if not zipfile.is_zipfile(model_path):
        raise RunDirectoryError(f"{model_path}: not a Keras model archive (a `.keras` file is a zip file)")
    try:
        model = keras.saving.load_model(model_path)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RunDirectoryError(f"{model_path}: cannot be loaded as a Keras model: {error}") from None
    return Run(directory, config, model, source_tokenizer, target_tokenizer)


def _load_tokenizer(directory, text_config, vocabulary, sentencepiece_model):
    """The tokenizer of one side: over its vocabulary file, or its SentencePiece model file."""
    if text_config.tokenizer != "sentencepiece":
        return tokenizer_from_config(text_config, vocab_lib.read_vocabulary(directory / vocabulary))
    if not (directory / sentencepiece_model).is_file():
        raise RunDirectoryError(
            f"model directory {str(directory)!r} is incomplete: missing {sentencepiece_model} "
            f"(the SentencePiece model of tokenizer 'sentencepiece')"
        )
    return tokenizer_from_config(text_config, vocab_lib.read_sentencepiece_model(directory / sentencepiece_model))
