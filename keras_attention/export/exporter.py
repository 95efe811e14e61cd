"""Exports a translator as a versioned SavedModel for TF Serving."""

import dataclasses
import json
import os
import shutil
import tempfile
from pathlib import Path

import tensorflow as tf
import tensorflow_text

from keras_attention.errors import ExportError
from keras_attention.export import layout
from keras_attention.export.ops import ALLOWED_OPS, check_ops
from keras_attention.export.serving import (
    ALIGNMENTS_SIGNATURE,
    INPUT_NAME,
    SERVING_SIGNATURE,
    ServingModule,
    generic_lstm_kernels,
)
from keras_attention.export.tf_serving import WARMUP_SENTENCES, model_config, warmup_requests, write_warmup_requests
from keras_attention.options.decoding import EXPORTABLE_STRATEGIES
from keras_attention.text.vocab import SENTENCEPIECE_SUFFIX

METADATA_FILE = "assets.extra/keras_attention.json"
MODEL_CONFIG_FILE = "models.config"
SERVER_MODELS_FOLDER = "/models"  # where the tensorflow/serving Docker image looks for models


@dataclasses.dataclass
class ExportResult:
    """What `export_translator` wrote.

    Attributes:
        path: the version folder (`OUTPUT/<version>`).
        version: its integer version.
        metadata: the dict saved as `assets.extra/keras_attention.json` (decoding options,
            maximum lengths, signatures, the graph's ops).
        model_config: the `models.config` file next to the version folders.
    """

    path: Path
    version: int
    metadata: dict
    model_config: Path


def export_translator(
    translator,
    output,
    version=None,
    model_name=None,
    warmup_sentences=WARMUP_SENTENCES,
    allowed_ops=ALLOWED_OPS,
    source=None,
):
    """Writes `translator` as a SavedModel version in the TF Serving layout `OUTPUT/<version>/`.

    The version is written into a hidden temporary folder in `output` and renamed to its number
    once complete (see `keras_attention.export.layout`). It holds the SavedModel with the
    `serving_default` and `alignments` signatures (see `ServingModule`), traced and saved with
    Keras's generic LSTM kernel (`generic_lstm_kernels`: no cuDNN op, whatever device the export
    runs on, so that a CPU-only server can run it), the SentencePiece model of a side that has one
    (`assets/source.spm.model`, `assets/target.spm.model`), the warmup requests
    `assets.extra/tf_serving_warmup_requests`, and `assets.extra/keras_attention.json` (the
    decoding options, maximum lengths, signatures and ops). The first export into `output` also
    writes `OUTPUT/models.config`, a model server config serving the latest version from
    `/models/NAME`; later exports leave it as it is (edited or not).

    Args:
        translator: `Translator` with greedy or beam search decoding (an ensemble's holds every
            member, and its `alignments` signature gives their mean alignment).
        output: the model's folder (e.g. `saved_models/dates`), created if needed.
        version: integer version to write; default one more than the highest there (1 at first).
        model_name: the name clients call the model by; default the name of `output`.
        warmup_sentences: strings of the warmup requests.
        allowed_ops: ops a server is known to have (default `ops.ALLOWED_OPS`).
        source: where the model comes from (e.g. its run directory, or the list of an ensemble's),
            recorded in the metadata.

    Returns:
        `ExportResult`.

    Raises:
        ExportError: sampling decoding, an existing or non-positive version, an unusable output
            folder, or an op outside `allowed_ops` (nothing is left in `output` then).
    """
    decoding = translator.decoding
    if decoding.strategy not in EXPORTABLE_STRATEGIES:
        raise ExportError(
            f"export needs a strategy among {list(EXPORTABLE_STRATEGIES)}, got strategy {decoding.strategy!r} "
            f"(a server should answer a sentence the same way every time)"
        )
    base = Path(output)
    if version is None:
        version = layout.next_version(base)
    elif version < 1:
        raise ExportError(f"a version is a positive integer, got {version}")
    elif version in layout.versions(base):
        raise ExportError(f"version {version} already exists in {str(base)!r}; choose another --version")
    model_name = model_name or base.resolve().name
    temporary = layout.temporary_folder(base)
    try:
        with tempfile.TemporaryDirectory() as assets, generic_lstm_kernels(*translator.models):
            module = ServingModule(translator, _tokenizer_models(translator, Path(assets)))
            tf.saved_model.save(module, str(temporary), signatures=module.signatures())
        ops = check_ops(temporary, allowed_ops)
        records = warmup_requests(model_name, (SERVING_SIGNATURE, ALIGNMENTS_SIGNATURE), INPUT_NAME, warmup_sentences)
        write_warmup_requests(temporary, records)
        metadata = _metadata(translator, model_name, version, ops, source)
        (temporary / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
        path = layout.publish(temporary, base, version)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    config_path = base / MODEL_CONFIG_FILE
    if not config_path.exists():  # later exports keep it, with the user's edits (labels, policies)
        _write_atomically(config_path, model_config(model_name, f"{SERVER_MODELS_FOLDER}/{model_name}"))
    return ExportResult(path, version, metadata, config_path)


def export_run(run_directory, output, version=None, decoding=None, **options):
    """Exports a run directory's model (see `export_translator`).

    Args:
        run_directory: a run directory written by `train`.
        output: the model's folder (e.g. `saved_models/dates`).
        version: integer version (default: the next one).
        decoding: `DecodingConfig` to export (default: the run's `decoding` section).
        **options: `model_name`, `warmup_sentences`, `allowed_ops` of `export_translator`.

    Returns:
        `ExportResult`.
    """
    from keras_attention.runs import load_run

    run = load_run(run_directory)
    return export_translator(
        run.translator(decoding=decoding), output, version=version, source=str(run.directory.resolve()), **options
    )


def _tokenizer_models(translator, folder):
    """Writes the tokenizers' models (`Tokenizer.model`) into `folder` as `SIDE.spm.model` (an
    ensemble's other source tokenizations as `source-2.spm.model`, ...); returns their paths."""
    sources = [(f"source-{number}" if number > 1 else "source", tokenizer) for number, tokenizer in enumerate(translator.source_tokenizers, 1)]
    paths = []
    for side, tokenizer in (*sources, ("target", translator.target_tokenizer)):
        if tokenizer.model is not None:
            path = folder / f"{side}{SENTENCEPIECE_SUFFIX}"
            path.write_bytes(tokenizer.model)
            paths.append(path)
    return paths


def _metadata(translator, model_name, version, ops, source):
    from keras_attention import __version__

    decoding = translator.decoding
    return {
        "model_name": model_name,
        "version": version,
        "source": source,
        "decoding": {
            "strategy": decoding.strategy,
            "beam_size": decoding.beam_size if decoding.strategy == "beam" else None,
            "length_penalty": decoding.length_penalty,
            "coverage_penalty": decoding.coverage_penalty,
            "n_best": decoding.n_best,
            "max_length": decoding.max_length,
            "max_length_ratio": decoding.max_length_ratio,
            "ensemble_average": decoding.ensemble_average if translator.is_ensemble else None,
        },
        "models": translator.model_count,
        "max_source_length": translator.source_tokenizer.max_length,
        "signatures": {
            SERVING_SIGNATURE: ["translations", "scores", "n_best_translations", "n_best_scores",
                                "source_lengths", "truncated", "unknown_tokens"],
            ALIGNMENTS_SIGNATURE: ["translations", "source_tokens", "source_token_counts", "output_tokens",
                                   "output_token_counts", "alignments"]
                                  + (["generation_probabilities"] if translator.generation_probability is not None else []),
        },
        "input": INPUT_NAME,
        "ops": ops,
        "tf_serving_versions": "2.14-2.20",
        "exported_with": {
            "keras_attention": __version__,
            "tensorflow": tf.__version__,
            "tensorflow_text": tensorflow_text.__version__,
        },
    }  # fmt: skip


def _write_atomically(path, text):
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
