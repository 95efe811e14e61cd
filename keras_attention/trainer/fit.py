"""The fit glue: config -> strategy, data, tokenizers, model -> `model.fit` -> saved, scored run directory."""

import time
from pathlib import Path

import keras

from keras_attention.data.sources import load_splits
from keras_attention.evaluation import score_translations
from keras_attention.models import build_seq2seq, compile_seq2seq
from keras_attention.runs import RunLayout, TrainingSummary, load_run, save_run
from keras_attention.trainer import resume
from keras_attention.trainer.callbacks import RunProgress, last_logged_epoch, make_callbacks
from keras_attention.trainer.cudnn import cudnn_report
from keras_attention.trainer.dev_bleu import dev_bleu_callbacks
from keras_attention.trainer.keras_multi_worker_fix import multi_worker_fit
from keras_attention.trainer.precision import global_policy
from keras_attention.trainer.setup import checked_strategy, describe_strategy, model_arguments, monitor_for, prepare_data
from keras_attention.trainer.streamed_epochs import fit_streamed
from keras_attention.trainer.strategy import is_chief, task_name


def _prepare_directories(output_dir, overwrite, config, cluster, log):
    """Readies the run directory (chief) or the worker's own folder.

    Returns:
        `(backup_dir, worker_directory)`: this process's `StepBackup` folder, and the
        folder of a non-chief worker (`None` for the chief).
    """
    if cluster is None or is_chief(cluster):
        if resume.prepare_output_directory(output_dir, overwrite, config):
            log(f"{output_dir} holds an unfinished run of this config: resuming it")
        return RunLayout(output_dir).backup_state, None
    task = task_name(cluster)
    return RunLayout(output_dir).worker_backup(task), resume.prepare_worker_directory(output_dir, task, overwrite)


def _float32_model(model, config, arguments):
    """A float32 copy of a mixed-precision model, so that the saved run runs on any device.

    The copy's optimizer is built by `compile_seq2seq` (with a fresh state), so that the saved
    model loads without optimizer warnings.
    """
    with global_policy(None):
        copy = build_seq2seq(config.model, **arguments)
        compile_seq2seq(copy, config.training)
    copy.set_weights(model.get_weights())
    return copy


def train(config, output_dir, overwrite=False, verbose=1, log=print, callbacks=()):
    """Trains the model that `config` describes and saves it as a run directory.

    Steps: check that the strategy, mixed precision policy, batch size and monitored metric can
    run here (a `ConfigError` before anything is written), create the strategy, load the data
    splits, learn the vocabularies from the training pairs, report skipped lines, long pairs and
    the padding that bucketing saves, report which LSTMs would take the cuDNN kernel on a GPU
    (`keras_attention.trainer.cudnn`), build and compile the model inside `strategy.scope()`,
    `model.fit` (Keras progress bar; dev BLEU after each epoch if `config.evaluation` asks, which
    `training.monitor: val_bleu` can follow), save the run, then translate the held-out test
    pairs (if any) and score them.

    A rerun into the directory of an interrupted run with the same config resumes it from its
    backup (see `keras_attention.trainer.resume`). In a multi-worker cluster every worker runs
    this same function; only the chief writes the run directory.

    Args:
        config: `RunConfig` (validated here: a `ConfigError` before anything runs).
        output_dir: run directory to write (see `keras_attention.runs`).
        overwrite: replace an existing run (finished or not) in `output_dir`.
        verbose: Keras `fit` verbosity.
        log: function that prints progress lines.
        callbacks: extra Keras callbacks, run after the configured ones.

    Returns:
        A `TrainingSummary`, also written to `summary.json` by the chief (`output` is `None` on
        other workers).
    """
    config.validate()
    training = config.training
    strategy, cluster = checked_strategy(training)
    chief = cluster is None or is_chief(cluster)
    splits = load_splits(config.data, config.vocabulary_sample_size(), seed=training.seed)
    monitor = monitor_for(config, splits)
    output_dir = Path(output_dir)
    backup_dir, worker_directory = _prepare_directories(output_dir, overwrite, config, cluster, log)
    keras.utils.set_random_seed(training.seed)
    data = prepare_data(config, splits, strategy, log)
    log(describe_strategy(training, strategy))
    log(cudnn_report(config.model))
    progress = RunProgress(log, data.position)
    examples = splits.dev[: training.attention_images] or splits.train.head(training.attention_images)
    arguments = model_arguments(config, data.source_tokenizer, data.target_tokenizer)
    with global_policy(training.mixed_precision):
        with strategy.scope():
            model = build_seq2seq(config.model, **arguments)
            compile_seq2seq(model, training)
        run_callbacks = make_callbacks(
            config,
            monitor,
            output_dir,
            backup_dir,
            chief,
            progress,
            data.position,
            attention_examples=(examples, data.source_tokenizer, data.target_tokenizer),
            dev_bleu=dev_bleu_callbacks(config, splits.dev, data.source_tokenizer, data.target_tokenizer),
        )
        started = time.perf_counter()
        with multi_worker_fit(strategy):
            history = fit_streamed(model, data, training.epochs, [*run_callbacks, *callbacks], verbose)
        training_seconds = time.perf_counter() - started
    summary = TrainingSummary(
        output=str(output_dir) if chief else None,
        parameters=model.count_params(),
        train_pairs=splits.train.size,
        epochs=progress.epochs_done,
        steps=int(keras.ops.convert_to_numpy(model.optimizer.iterations)),
        resumed_from=progress.resumed_from,
        strategy=training.strategy,
        replicas=strategy.num_replicas_in_sync,
        mixed_precision=training.mixed_precision,
        training_seconds=round(training_seconds, 1),
        data=data.report,
        # Empty when the run resumed after its last epoch; the history file has that epoch then.
        final={name: float(values[-1]) for name, values in history.history.items()} or last_logged_epoch(output_dir),
    )
    if not chief:
        resume.finish(output_dir, chief=False, worker_directory=worker_directory)
        return summary
    _save_and_score(output_dir, config, model, data, splits.test, summary)
    return summary


def _save_and_score(output_dir, config, model, data, test_pairs, summary):
    """Saves the run (in float32), ends its backup, scores the held-out pairs into `summary.test`
    and writes `summary.json`."""
    if config.training.mixed_precision:
        model = _float32_model(model, config, model_arguments(config, data.source_tokenizer, data.target_tokenizer))
    save_run(output_dir, config, model, data.source_tokenizer, data.target_tokenizer)
    resume.finish(output_dir, chief=True)
    if test_pairs:
        translator = load_run(output_dir).translator()
        sources, references = zip(*test_pairs)
        hypotheses = translator.translate(list(sources)).translations
        summary.test = score_translations(hypotheses, list(references), lowercase=config.target.lowercase)
    summary.write(output_dir)
