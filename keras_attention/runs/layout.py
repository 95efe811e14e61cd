"""Where each file of a run directory lives: the one place that names them.

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
                     epoch-NNNN.weights.h5 (written by `train`, see `keras_attention.runs.checkpoints`)
  backup/            only while a training is unfinished: what a rerun resumes from
                     (backup/config.yaml, and the `StepBackup` state in backup/state/)
  workers/TASK/      only while a multi-worker training is unfinished: a non-chief worker's backup
  hypotheses/        source<TAB>reference<TAB>hypothesis files (written by `keras-attention evaluate`)
```

The layout is stable: other tools build on it.
"""

import dataclasses
import hashlib
import re
from pathlib import Path

from keras_attention.text.vocab import SENTENCEPIECE_SUFFIX

CONFIG_FILE = "config.yaml"  # also the name of a tuning directory's config
_EPOCH_CHECKPOINT = re.compile(r"^epoch-(\d+)\.weights\.h5$")
EPOCH_CHECKPOINTS = "checkpoints/epoch-NNNN.weights.h5"  # how messages name them


def epoch_checkpoint_name(epoch):
    """File name of the weights after 1-based `epoch`: `epoch-0003.weights.h5`."""
    return f"epoch-{epoch:04d}.weights.h5"


@dataclasses.dataclass(frozen=True)
class RunLayout:
    """The paths of a run directory (see the module docstring).

    Args:
        directory: the run directory (a string or a path).

    Example:

    ```python
    layout = RunLayout("runs/dates")
    layout.vocabulary("source")  # PosixPath('runs/dates/vocab/source.txt')
    ```
    """

    directory: Path

    def __post_init__(self):
        object.__setattr__(self, "directory", Path(self.directory))

    # Written by `save_run`: what `load_run` needs.
    @property
    def config(self):
        return self.directory / CONFIG_FILE

    @property
    def model(self):
        return self.directory / "model.keras"

    @property
    def vocabularies(self):
        return self.directory / "vocab"

    def vocabulary(self, side):
        """The vocabulary file of `side` (`"source"` or `"target"`)."""
        return self.vocabularies / f"{side}.txt"

    def sentencepiece_model(self, side):
        """The SentencePiece model file of `side` (tokenizer `sentencepiece` only)."""
        return self.vocabularies / f"{side}{SENTENCEPIECE_SUFFIX}"

    @property
    def required(self):
        """The files every run has (`load_run` refuses a directory that lacks one)."""
        return (self.config, self.model, self.vocabulary("source"), self.vocabulary("target"))

    # Written by `train` as it goes.
    @property
    def summary(self):
        return self.directory / "summary.json"

    @property
    def history(self):
        return self.directory / "history.csv"

    @property
    def logs(self):
        return self.directory / "logs"

    @property
    def attention_logs(self):
        return self.logs / "attention"

    @property
    def checkpoints(self):
        return self.directory / "checkpoints"

    @property
    def best_checkpoint(self):
        return self.checkpoints / "best.weights.h5"

    def epoch_checkpoint(self, epoch):
        """The weights after 1-based `epoch`."""
        return self.checkpoints / epoch_checkpoint_name(epoch)

    def epoch_checkpoints(self):
        """The epoch checkpoints kept, oldest first, as a list of `(epoch, path)`."""
        if not self.checkpoints.is_dir():
            return []
        found = (_EPOCH_CHECKPOINT.match(path.name) for path in self.checkpoints.iterdir())
        return sorted((int(match.group(1)), self.checkpoints / match.group(0)) for match in found if match)

    # Kept only while a training is unfinished (`keras_attention.trainer.resume`).
    @property
    def backup(self):
        return self.directory / "backup"

    @property
    def backup_config(self):
        """The config the unfinished run started with."""
        return self.backup / CONFIG_FILE

    @property
    def backup_state(self):
        """The chief's `StepBackup` folder."""
        return self.backup / "state"

    @property
    def workers(self):
        return self.directory / "workers"

    def worker(self, task):
        """The private folder of non-chief worker `task` (such as `worker-1`)."""
        return self.workers / task

    def worker_backup(self, task):
        """The `StepBackup` folder of non-chief worker `task`."""
        return self.worker(task) / "backup"

    @property
    def partial_outputs(self):
        """What an unfinished run may have written; removed when a run starts from scratch."""
        return (self.backup, self.history, self.checkpoints, self.logs)

    # Written by `keras-attention evaluate`.
    def hypotheses(self, data_file, ensemble=None):
        """Where `evaluate` writes its hypotheses on `data_file`: `hypotheses/STEM.tsv`.

        Args:
            data_file: the evaluated file.
            ensemble: for an ensemble with this run first, the strings that name it (its runs'
                paths and its average): then `hypotheses/STEM.ensemble-ID.tsv`, `ID` the first 8
                hexadecimal digits of their SHA-256, so that each ensemble has its own file and
                none overwrites the run's own.
        """
        if ensemble is None:
            return self.directory / "hypotheses" / f"{Path(data_file).stem}.tsv"
        digest = hashlib.sha256("\n".join(ensemble).encode("utf-8")).hexdigest()[:8]
        return self.directory / "hypotheses" / f"{Path(data_file).stem}.ensemble-{digest}.tsv"

    def relative(self, path):
        """`path` relative to the run directory, as messages name it (`vocab/source.txt`)."""
        return path.relative_to(self.directory).as_posix()
