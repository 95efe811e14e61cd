"""Run directories: their layout, saving and loading, and checkpoint averaging.

- `layout`: `RunLayout`, the path of every file of a run directory (the one place that names them).
- `store`: `save_run`, `load_run` (a `Run`), `load_translator` (of a run or an ensemble of runs),
  `is_run_directory`.
- `summary`: `TrainingSummary`, what `train` returns and writes to `summary.json`.
- `checkpoints`: `average_checkpoints`, `average_run_checkpoints`.
"""

from keras_attention.runs.checkpoints import average_checkpoints, average_run_checkpoints, average_weights
from keras_attention.runs.layout import RunLayout
from keras_attention.runs.store import Run, is_run_directory, load_run, load_translator, save_run
from keras_attention.runs.summary import TrainingSummary, write_summary

__all__ = [
    "Run",
    "RunLayout",
    "TrainingSummary",
    "average_checkpoints",
    "average_run_checkpoints",
    "average_weights",
    "is_run_directory",
    "load_run",
    "load_translator",
    "save_run",
    "write_summary",
]
