"""The search: config -> checks -> data -> keras-tuner search -> report, best config, best run.

A search directory holds:

```
OUTPUT/
  config.yaml      the config of the search (a rerun must give the same one to resume)
  search/          keras-tuner's project: oracle.json, trial_NN/ (trial.json, checkpoint)
  trials/          TUNER_ID.jsonl: which tuner ran which trial, and when
  tensorboard/     per-trial TensorBoard logs with their hyperparameters (HParams)
  report.txt       all trials, best first by the objective (also trials.csv, trials.json)
  best.yaml        the best trial's hyperparameters as a plain training config
```
"""

import shutil
from pathlib import Path

import keras
import keras_tuner
import tensorflow as tf

from keras_attention.config import RunConfig
from keras_attention.data.sources import load_splits
from keras_attention.errors import ConfigError, TuningError
from keras_attention.options import registry
from keras_attention.options.training import DEV_SCORES, TUNERS
from keras_attention.runs.layout import CONFIG_FILE
from keras_attention.trainer.precision import global_policy
from keras_attention.trainer.setup import check_dev_scores, checked_strategy, monitor_mode, prepare_data
from keras_attention.trainer.streamed_epochs import streamed_epochs
from keras_attention.trainer.resume import first_difference
from keras_attention.tuning import distributed
from keras_attention.tuning.hypermodel import EXACT_MATCH, Seq2SeqHyperModel
from keras_attention.tuning.report import TRIAL_LOG_DIR, TrialLog, read_trial_log, trial_rows, write_report

PROJECT = "search"
BEST_CONFIG = "best.yaml"


class HyperbandTuner(TrialLog, keras_tuner.Hyperband):
    """keras-tuner's `Hyperband` that logs its trials (`TrialLog`)."""


class BayesianTuner(TrialLog, keras_tuner.BayesianOptimization):
    """keras-tuner's `BayesianOptimization` that logs its trials (`TrialLog`)."""


class RandomTuner(TrialLog, keras_tuner.RandomSearch):
    """keras-tuner's `RandomSearch` that logs its trials (`TrialLog`)."""


def hyperband_tuner(config, hypermodel, **common):
    """`tuning.tuner: hyperband` (see `keras_attention.options.training.TUNERS`)."""
    tuning = config.tuning
    return HyperbandTuner(
        hypermodel,
        max_epochs=tuning.max_epochs or config.training.epochs,
        factor=tuning.factor,
        hyperband_iterations=tuning.hyperband_iterations,
        **common,
    )


def bayesian_tuner(config, hypermodel, **common):
    """`tuning.tuner: bayesian` (see `keras_attention.options.training.TUNERS`)."""
    return BayesianTuner(hypermodel, max_trials=config.tuning.max_trials, **common)


def random_tuner(config, hypermodel, **common):
    """`tuning.tuner: random` (see `keras_attention.options.training.TUNERS`)."""
    return RandomTuner(hypermodel, max_trials=config.tuning.max_trials, **common)


def make_tuner(config, hypermodel, output_dir, overwrite=False, strategy=None, log=print):
    """The keras-tuner tuner that `config.tuning` describes, with its project in `output_dir/search`.

    Args:
        config: validated `RunConfig` with a `tuning` section.
        hypermodel: the `Seq2SeqHyperModel`.
        output_dir: the search directory.
        overwrite: start the keras-tuner project afresh (else an existing one is resumed).
        strategy: `tf.distribute.Strategy` each trial runs under (`None` or the default strategy:
            trials run as they are).
        log: function that prints progress lines (trial failures among them).

    Returns:
        A `keras_tuner.Tuner`.
    """
    tuning = config.tuning
    common = dict(
        objective=keras_tuner.Objective(tuning.objective, direction=monitor_mode(tuning.objective)),
        seed=tuning.seed,
        max_retries_per_trial=tuning.max_retries_per_trial,
        max_consecutive_failed_trials=tuning.max_consecutive_failed_trials,
        executions_per_trial=tuning.executions_per_trial,
        distribution_strategy=None if strategy is tf.distribute.get_strategy() else strategy,
        directory=str(output_dir),
        project_name=PROJECT,
        overwrite=overwrite,
    )
    tuner = registry.load(TUNERS, tuning.tuner)(config, hypermodel, **common)
    tuner.trial_log_dir = Path(output_dir) / TRIAL_LOG_DIR
    tuner.log = log
    return tuner


def logged_metrics(model, batch, validation, dev_scores):
    """The names that `fit` of the compiled `model` logs each epoch.

    Args:
        model: a compiled model of the search.
        batch: one `(inputs, targets)` training batch (evaluated once to read the metric names).
        validation: whether `fit` gets validation data (`val_` metrics).
        dev_scores: whether the dev BLEU / exact match callback runs.
    """
    model.run_eagerly = True  # one batch: no need to trace the test step
    names = list(model.test_on_batch(*batch, return_dict=True))
    if validation:
        names += [f"val_{name}" for name in names]
    if dev_scores:
        names += [*DEV_SCORES, EXACT_MATCH]
    return names


def check_objective(config, hypermodel, data):
    """Checks that the objective is among the metrics every trial logs, before any trial runs.

    Raises:
        ConfigError: the objective is never logged (keras-tuner itself would only mark every
            trial as failed); the message lists what is logged.
        TuningError: the model of the default hyperparameters cannot be built.
    """
    objective = config.tuning.objective
    dev_scores = bool(config.evaluation.dev_bleu_sentences and data.dev is not None)
    try:
        model = hypermodel.build(keras_tuner.HyperParameters())
    except ValueError as error:
        raise TuningError(
            f"the model of the default hyperparameters (the normal config's values, or the "
            f"defaults in tuning.search) cannot be built: {error}"
        ) from None
    logged = logged_metrics(model, next(iter(data.train)), data.dev is not None, dev_scores)
    keras.backend.clear_session()
    if objective in logged:
        return
    hints = []
    if objective.startswith("val_") and data.dev is None:
        hints.append("validation metrics need dev pairs (data.dev, or data.num_dev for the dates task)")
    if objective in (*DEV_SCORES, EXACT_MATCH) and not config.evaluation.dev_bleu_sentences:
        hints.append(f"{objective!r} needs evaluation.dev_bleu_sentences > 0")
    raise ConfigError(
        f"tuning.objective: {objective!r} is never logged by the trials, which log {logged}"
        + (f"; {'; '.join(hints)}" if hints else "")
    )


def check_packages(tuner):
    """Checks, up front, the packages keras-tuner imports only once the search runs.

    keras-tuner imports TensorBoard's HParams plugin in every trial on the TensorFlow backend
    (without it every trial fails), and scikit-learn for Bayesian optimization.

    Raises:
        TuningError: a package cannot be imported; the message says what to install.
    """
    try:
        from tensorboard.plugins.hparams import api  # noqa: F401
    except ImportError as error:
        raise TuningError(
            f"keras-tuner needs TensorBoard on the TensorFlow backend, and it cannot be imported "
            f"({error}); install it: pip install tensorboard"
        ) from None
    if tuner == "bayesian":
        try:
            import sklearn  # noqa: F401
        except ImportError as error:
            raise TuningError(
                f"tuning.tuner: 'bayesian' needs scikit-learn, which cannot be imported ({error}); "
                f"install it: pip install 'keras-tuner[bayesian]'"
            ) from None


def prepare_search_directory(output_dir, overwrite, config, log):
    """Readies the search directory of the chief (or only process).

    - With `overwrite`, whatever is there is removed.
    - A directory holding a search with the same config is resumed: finished trials are kept,
      a trial that was running when the search stopped runs again, and the budget counts on.
    - A search with another config, or a non-empty directory that holds no search, is an error
      (keras-tuner on its own would silently reuse the old results).

    Raises:
        TuningError: see above.
    """
    output_dir = Path(output_dir)
    saved = output_dir / CONFIG_FILE
    if overwrite and output_dir.exists():
        shutil.rmtree(output_dir)
    if saved.is_file():
        difference = first_difference(RunConfig.from_yaml(saved).to_dict(), config.to_dict())
        if difference:
            raise TuningError(
                f"{str(output_dir)!r} holds a search started with another config ({difference}); rerun "
                f"with the same config to resume it, pass --overwrite to start over, or choose another --output"
            )
        log(f"{output_dir} holds a search of this config: resuming it")
        return
    if output_dir.exists() and any(output_dir.iterdir()):
        raise TuningError(
            f"{str(output_dir)!r} is not empty and holds no search; choose another --output or pass --overwrite"
        )
    output_dir.mkdir(parents=True, exist_ok=True)
    config.to_yaml(saved)


def _checked_setup(config):
    """Checks what can be checked before any data is read; returns the strategy for the trials."""
    if config.tuning is None:
        raise ConfigError("tuning: the config has no tuning section; add one (see docs/tuning.md)")
    if config.training.strategy == "multi_worker":
        raise ConfigError(
            "training.strategy: 'multi_worker' cannot run inside keras-tuner trials; give each "
            "machine a local strategy and share the trials out with the chief/worker mode (docs/tuning.md)"
        )
    check_packages(config.tuning.tuner)
    strategy, _ = checked_strategy(config.training)
    return strategy


def tune(config, output_dir, overwrite=False, verbose=1, log=print, train_best=None):
    """Searches the hyperparameters of `config.tuning` and writes the search directory.

    Steps: check the config, the strategy, the packages keras-tuner needs and the process's
    role, learn the vocabularies, build the datasets, check that the objective is logged (any
    of these fails with a `ConfigError` or `TuningError` before anything is written), ready the
    directory (resume or start), then search. The chief of a distributed search serves the
    oracle instead of running trials; workers only run trials. At the end (chief or only
    process), write the report and the best config and, with `train_best`, train the best
    config into a normal run directory.

    Args:
        config: validated `RunConfig` with a `tuning` section.
        output_dir: search directory (see the module docstring).
        overwrite: start afresh, removing what is in `output_dir` (chief or only process;
            without it an unfinished search there is resumed).
        verbose: Keras `fit` verbosity of the trials.
        log: function that prints progress lines.
        train_best: run directory to train the best config into (`None`: do not).

    Returns:
        A summary dict: `role`, `trials` (the report rows; a worker's: the trials it ran),
        `best` (the best row), `best_config` (path), `best_run` (`train` summary) where made.

    Raises:
        ConfigError: bad config: objective never logged, `multi_worker` strategy, ...
        TuningError: the directory holds another search, trials failed, ...
    """
    role = distributed.tuner_role()
    if role == "worker" and (overwrite or train_best is not None):
        raise TuningError(
            "--overwrite and --train-best are for the chief (KERASTUNER_TUNER_ID=chief), which owns the "
            "search directory and the report; start the workers without them"
        )
    strategy = _checked_setup(config)
    output_dir = Path(output_dir)
    splits = load_splits(config.data, config.vocabulary_sample_size(), seed=config.training.seed)
    check_dev_scores(config, splits)
    keras.utils.set_random_seed(config.training.seed)
    data = prepare_data(config, splits, strategy, log)
    hypermodel = Seq2SeqHyperModel(config, data.source_tokenizer, data.target_tokenizer, splits.dev)
    with global_policy(config.training.mixed_precision):
        check_objective(config, hypermodel, data)
        if role == "worker":
            output_dir.mkdir(parents=True, exist_ok=True)
        else:
            prepare_search_directory(output_dir, overwrite, config, log)
        tuner = make_tuner(config, hypermodel, output_dir, overwrite=False, strategy=strategy, log=log)
        try:
            _search(tuner, role, data, config, verbose, log)
        except RuntimeError as error:
            # keras-tuner raises a plain RuntimeError when max_consecutive_failed_trials is reached.
            if "consecutive failures" not in str(error):
                raise
            raise TuningError(f"the search stopped: {error}") from None
    if role == "worker":
        ran = [line["trial"] for line in read_trial_log(output_dir / TRIAL_LOG_DIR) if line["tuner"] == tuner.tuner_id]
        log(f"{tuner.tuner_id}: ran trials {sorted(set(ran))}; the chief writes the report")
        return {"role": role, "trials": sorted(set(ran))}
    return _finish(tuner, config, output_dir, role, log, train_best, overwrite, verbose)


def _search(tuner, role, data, config, verbose, log):
    if role == "chief":
        distributed.serve_oracle(tuner, log)
        return
    callbacks = [keras.callbacks.TensorBoard(str(Path(tuner.directory) / "tensorboard"), write_graph=False)]
    search_streamed(tuner, data, config.training.epochs, callbacks, verbose)


def search_streamed(tuner, data, epochs, callbacks=(), verbose=1):
    """`tuner.search` on the datasets of `data` (a `TrainingData`), whose training input streams.

    Args:
        tuner: a tuner of `make_tuner`.
        data: its `train` dataset is fitted, its `dev` dataset (or `None`) validates.
        epochs: epochs per trial (Hyperband trials: the most).
        callbacks: Keras callbacks of every trial's `fit`.
        verbose: Keras `fit` verbosity.
    """
    with streamed_epochs():
        tuner.search(
            data.train,
            validation_data=data.dev,
            epochs=epochs,
            shuffle=False,
            callbacks=list(callbacks),
            verbose=verbose,
        )


def _finish(tuner, config, output_dir, role, log, train_best, overwrite, verbose):
    """Writes the report and the best config; trains the best config if asked; returns the summary."""
    searched = list(config.tuning.search)
    rows = trial_rows(tuner.oracle, searched, read_trial_log(output_dir / TRIAL_LOG_DIR))
    objective = config.tuning.objective
    report = write_report(output_dir, rows, objective, tuner.oracle.objective.direction)
    log(report)
    failed = [row for row in rows if row["status"] != "COMPLETED"]
    if failed:
        log(f"{len(failed)} of {len(rows)} trials did not complete: {[row['trial'] for row in failed]}")
    if not rows or rows[0]["status"] != "COMPLETED":
        messages = [trial.message for trial in tuner.oracle.trials.values() if trial.message]
        raise TuningError(
            "no trial completed"
            + (f"; the last error:\n{messages[-1]}" if messages else "; the search ran no trials")
        )
    best_trial = tuner.oracle.get_trial(rows[0]["trial"])
    best = best_config(config, tuner.hypermodel, best_trial.hyperparameters)
    best_path = output_dir / BEST_CONFIG
    best.to_yaml(best_path)
    best = RunConfig.from_yaml(best_path)  # what `keras-attention train` will read: it must load
    log(f"best trial {rows[0]['trial']}: {objective} {rows[0]['objective']:.4g}; its config: {best_path}")
    summary = {"role": role, "trials": rows, "best": rows[0], "best_config": str(best_path)}
    if train_best is not None:
        from keras_attention.trainer import train

        log(f"training the best config into {train_best}")
        summary["best_run"] = train(best, train_best, overwrite=overwrite, verbose=verbose, log=log)
    return summary


def best_config(config, hypermodel, hyperparameters):
    """The plain training config of a trial: `config` with the trial's values and epochs.

    Hyperband trials train `tuner/epochs` epochs in all (their parents' included); the config
    trains that many. The other tuners' trials train `training.epochs`.
    """
    trial = hypermodel.trial_config(hyperparameters)
    if "tuner/epochs" in hyperparameters.values:
        trial.training.epochs = hyperparameters.values["tuner/epochs"]
    return trial.validate()
