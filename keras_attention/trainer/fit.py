"""The fit glue: config -> data, tokenizers, model -> `model.fit` -> saved, scored run directory."""

import shutil
import time
from pathlib import Path

import keras

from keras_attention.data.pipeline import make_dataset
from keras_attention.data.sources import load_splits
from keras_attention.errors import RunDirectoryError
from keras_attention.evaluation import score_translations
from keras_attention.models import build_seq2seq, compile_seq2seq
from keras_attention.runs import is_run_directory, load_run, save_run, write_summary
from keras_attention.text.tokenizer import learn_vocabulary, tokenizer_from_config
from keras_attention.trainer.data_report import report_data
from keras_attention.trainer.dev_bleu import dev_bleu_callbacks

BEST_WEIGHTS = "checkpoints/best.weights.h5"


def prepare_output_directory(output_dir, overwrite):
    """Creates `output_dir`; refuses to replace an existing run unless `overwrite`."""
    output_dir = Path(output_dir)
    if is_run_directory(output_dir):
        if not overwrite:
            raise RunDirectoryError(
                f"{str(output_dir)!r} already holds a run; pass --overwrite to replace it, "
                f"or choose another --output"
            )
        shutil.rmtree(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    return output_dir


def _callbacks(config, output_dir, first=()):
    """The callbacks of `fit`; `first` come before the loggers, so these see the metrics they add."""
    callbacks = [
        *first,
        keras.callbacks.CSVLogger(str(output_dir / "history.csv")),
        keras.callbacks.TensorBoard(log_dir=str(output_dir / "logs"), write_graph=False),
        keras.callbacks.TerminateOnNaN(),
    ]
    if config.training.early_stopping_patience:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor=config.evaluation.monitor,
                mode=config.evaluation.mode,
                patience=config.training.early_stopping_patience,
                restore_best_weights=True,
            )
        )
    if config.evaluation.keep_best:
        callbacks.append(
            keras.callbacks.ModelCheckpoint(
                str(output_dir / BEST_WEIGHTS),
                monitor=config.evaluation.monitor,
                mode=config.evaluation.mode,
                save_best_only=True,
                save_weights_only=True,
            )
        )
    return callbacks


def train(config, output_dir, overwrite=False, verbose=1, log=print):
    """Trains the model that `config` describes and saves it as a run directory.

    Steps: load the data splits, learn the vocabularies from the training pairs, report skipped
    lines, long pairs and the padding that bucketing saves, build and compile the model,
    `model.fit` (Keras progress bar; dev BLEU after each epoch if `config.evaluation` asks), save
    the run (the best epoch's weights with `evaluation.keep_best`), then translate the held-out
    test pairs (if any) and score them.

    Args:
        config: validated `RunConfig`.
        output_dir: run directory to write (see `keras_attention.runs`).
        overwrite: replace an existing run in `output_dir`.
        verbose: Keras `fit` verbosity.
        log: function that prints progress lines.

    Returns:
        The summary dict also written to `summary.json`.
    """
    output_dir = prepare_output_directory(output_dir, overwrite)
    keras.utils.set_random_seed(config.training.seed)
    splits = load_splits(config.data)
    log(f"learning {config.source.tokenizer} / {config.target.tokenizer} vocabularies from {len(splits.train):,} pairs")
    source_tokenizer = tokenizer_from_config(config.source, learn_vocabulary(config.source, [s for s, _ in splits.train]))
    target_tokenizer = tokenizer_from_config(config.target, learn_vocabulary(config.target, [t for _, t in splits.train]))
    dev_bleu = dev_bleu_callbacks(config, splits.dev, source_tokenizer, target_tokenizer)
    data_report = report_data(config, splits, source_tokenizer, target_tokenizer, log)
    log(
        f"data: {len(splits.train)} train, {len(splits.dev)} dev, {len(splits.test)} test pairs; "
        f"vocabularies: {source_tokenizer.vocabulary_size} source, {target_tokenizer.vocabulary_size} target"
    )
    pipeline = dict(buckets=config.data.buckets, length_policy=config.data.length_policy)
    train_data = make_dataset(
        splits.train,
        source_tokenizer,
        target_tokenizer,
        config.training.batch_size,
        shuffle_buffer=config.training.shuffle_buffer,
        seed=config.training.seed,
        cache=config.data.cache,
        **pipeline,
    )
    dev_data = (
        make_dataset(splits.dev, source_tokenizer, target_tokenizer, config.training.batch_size, **pipeline)
        if splits.dev
        else None
    )
    model = build_seq2seq(config.model, source_tokenizer.vocabulary_size, target_tokenizer.vocabulary_size)
    compile_seq2seq(model, config.training)
    started = time.perf_counter()
    history = model.fit(
        train_data,
        validation_data=dev_data,
        epochs=config.training.epochs,
        shuffle=False,
        callbacks=_callbacks(config, output_dir, first=dev_bleu),
        verbose=verbose,
    )
    training_seconds = time.perf_counter() - started
    if config.evaluation.keep_best and (output_dir / BEST_WEIGHTS).is_file():
        model.load_weights(output_dir / BEST_WEIGHTS)
    save_run(output_dir, config, model, source_tokenizer, target_tokenizer)
    summary = {
        "output": str(output_dir),
        "parameters": model.count_params(),
        "train_pairs": len(splits.train),
        "epochs": len(history.history["loss"]),
        "training_seconds": round(training_seconds, 1),
        **data_report,
        "final": {name: float(values[-1]) for name, values in history.history.items()},
    }
    if splits.test:
        translator = load_run(output_dir).translator()
        sources, references = zip(*splits.test)
        hypotheses = translator.translate(list(sources)).translations
        summary["test"] = score_translations(hypotheses, list(references))
    write_summary(output_dir, summary)
    return summary
