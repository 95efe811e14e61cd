"""The output directory of a training run: start it, replace it, or resume the unfinished run in it.

While a run trains, its directory holds a backup (`RunLayout.backup`: the config the run started
with, and the `StepBackup` state, see `keras_attention.trainer.backup`). A rerun of the same
command finds it and resumes; the backup is removed when the run is saved. Non-chief workers of a
multi-worker run keep their own backups in `RunLayout.worker(task)` and write nothing else.
"""

import shutil
from pathlib import Path

from keras_attention.config import RunConfig
from keras_attention.errors import RunDirectoryError
from keras_attention.runs import RunLayout, is_run_directory


def _remove(path):
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def first_difference(old, new, prefix=""):
    """The first key whose value differs between two nested dicts: `KEY.PATH: OLD then, NEW now`, or `None`."""
    for key in sorted(set(old) | set(new)):
        old_value, new_value = old.get(key), new.get(key)
        if isinstance(old_value, dict) and isinstance(new_value, dict):
            found = first_difference(old_value, new_value, f"{prefix}{key}.")
            if found:
                return found
        elif old_value != new_value:
            return f"{prefix}{key}: {old_value!r} then, {new_value!r} now"
    return None


def prepare_output_directory(output_dir, overwrite, config):
    """Readies `output_dir` for the chief of a run; returns whether it resumes an unfinished run.

    - A finished run is replaced only with `overwrite`.
    - An unfinished run (one with a backup) is resumed, unless `overwrite` starts over; it must
      have been started with the same config.
    - Otherwise the run starts from scratch (leftovers of a run killed before its first backup
      are removed) and, if `config.training.backup`, its config is kept with the backup.

    Raises:
        RunDirectoryError: a finished run is there and not `overwrite`, or the unfinished run
            there has another config.
    """
    output_dir = Path(output_dir)
    if is_run_directory(output_dir):
        if not overwrite:
            raise RunDirectoryError(
                f"{str(output_dir)!r} already holds a run; pass --overwrite to replace it, "
                f"or choose another --output"
            )
        shutil.rmtree(output_dir)
    layout = RunLayout(output_dir)
    saved_config = layout.backup_config
    if saved_config.is_file() and not overwrite:
        difference = first_difference(RunConfig.from_yaml(saved_config).to_dict(), config.to_dict())
        if difference:
            raise RunDirectoryError(
                f"{str(output_dir)!r} holds an unfinished run started with another config "
                f"({difference}); rerun with the same config to resume it, or pass --overwrite "
                f"to start over"
            )
        return True
    for path in layout.partial_outputs:
        _remove(path)
    output_dir.mkdir(parents=True, exist_ok=True)
    if config.training.backup:
        saved_config.parent.mkdir()
        config.to_yaml(saved_config)
    return False


def prepare_worker_directory(output_dir, task, overwrite):
    """Returns the private folder of non-chief worker `task` in `output_dir` (`overwrite` empties it)."""
    directory = RunLayout(output_dir).worker(task)
    if overwrite:
        _remove(directory)
    return directory


def finish(output_dir, chief, worker_directory=None):
    """Removes what only an unfinished run needs: the backup (chief) or the worker's folder."""
    layout = RunLayout(output_dir)
    if chief:
        _remove(layout.backup)
        return
    _remove(worker_directory)
    workers = layout.workers
    if workers.is_dir() and not any(workers.iterdir()):
        workers.rmdir()
