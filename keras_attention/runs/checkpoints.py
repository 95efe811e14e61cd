"""Epoch checkpoints of a run, and checkpoint averaging.

Training keeps the weights of the last `training.keep_checkpoints` epochs and those of the best
epoch in the run's checkpoint folder (`RunLayout.epoch_checkpoint`, `RunLayout.best_checkpoint`).
Averaging the weights of the last few checkpoints (as
OpenNMT and tensorflow/nmt offer) often gives a slightly better model than the last one alone.

Example:

```python
average_run_checkpoints("runs/dates", "runs/dates-avg", last=3)
load_run("runs/dates-avg").translator().translate(["3 March 1998"])
```
"""

import shutil
from pathlib import Path

import numpy as np

from keras_attention.errors import RunDirectoryError
from keras_attention.runs.layout import EPOCH_CHECKPOINTS, RunLayout
from keras_attention.runs.store import is_run_directory, load_run, save_run
from keras_attention.runs.summary import write_summary


def average_weights(weight_lists):
    """Averages several versions of the same model's weights, variable by variable.

    Args:
        weight_lists: list of lists of arrays, each as returned by `model.get_weights()`.

    Returns:
        List of arrays: the mean of each floating-point variable (accumulated in float64, returned
        in the variable's dtype); other variables (integer counters) take the last version's value.
    """
    if not weight_lists:
        raise ValueError("average_weights needs at least one list of weights, got none")
    sizes = {len(weights) for weights in weight_lists}
    if len(sizes) != 1:
        raise ValueError(f"the weight lists come from different models: they hold {sorted(sizes)} arrays")
    averaged = []
    for versions in zip(*weight_lists):
        versions = [np.asarray(version) for version in versions]
        if np.issubdtype(versions[-1].dtype, np.floating):
            mean = np.mean(np.stack(versions).astype(np.float64), axis=0)
            averaged.append(mean.astype(versions[-1].dtype))
        else:
            averaged.append(versions[-1])
    return averaged


def average_checkpoints(model, checkpoint_paths):
    """Sets `model`'s weights to the average of the weights in `checkpoint_paths`.

    Args:
        model: the model the checkpoints were saved from (same architecture).
        checkpoint_paths: `.weights.h5` files written by `model.save_weights`.

    Returns:
        `model`, holding the averaged weights.
    """
    versions = []
    for path in checkpoint_paths:
        model.load_weights(path)
        versions.append(model.get_weights())
    model.set_weights(average_weights(versions))
    return model


def average_run_checkpoints(run_dir, output_dir, last=None, overwrite=False):
    """Averages the last `last` epoch checkpoints of a run into a new run directory.

    Args:
        run_dir: a run directory written by `keras-attention train`.
        output_dir: run directory to write: the same config and vocabularies, averaged weights.
        last: how many of the newest epoch checkpoints to average (default: all that are kept).
        overwrite: replace an existing run in `output_dir`.

    Returns:
        List of the checkpoint paths that were averaged.

    Raises:
        RunDirectoryError: `run_dir` is not a run, has too few checkpoints, or `output_dir`
            already holds a run and not `overwrite`.
    """
    run = load_run(run_dir)
    layout = RunLayout(run_dir)
    available = layout.epoch_checkpoints()
    if not available:
        raise RunDirectoryError(
            f"{str(run_dir)!r} has no epoch checkpoints ({EPOCH_CHECKPOINTS}); "
            f"train with training.keep_checkpoints > 0"
        )
    last = last or len(available)
    if last > len(available):
        raise RunDirectoryError(
            f"asked to average the last {last} checkpoints, but {str(run_dir)!r} keeps only "
            f"{len(available)} (epochs {', '.join(str(epoch) for epoch, _ in available)})"
        )
    output_dir = Path(output_dir)
    if output_dir.resolve() == Path(run_dir).resolve():
        raise RunDirectoryError("--output must differ from --model: averaging writes a new run directory")
    if is_run_directory(output_dir):
        if not overwrite:
            raise RunDirectoryError(
                f"{str(output_dir)!r} already holds a run; pass --overwrite to replace it, or choose another --output"
            )
        shutil.rmtree(output_dir)
    chosen = [path for _, path in available[-last:]]
    average_checkpoints(run.model, chosen)
    save_run(output_dir, run.config, run.model, run.source_tokenizer, run.target_tokenizer)
    write_summary(
        output_dir,
        {"output": str(output_dir), "averaged_from": str(run_dir), "checkpoints": [path.name for path in chosen]},
    )
    return chosen
