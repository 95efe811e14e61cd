"""The summary of a training run: what `train` returns and writes to the run's `summary.json`."""

import collections.abc
import dataclasses
import json
import typing

from keras_attention.runs.layout import RunLayout


@dataclasses.dataclass(eq=False)  # compares as a mapping: equal to the dict of its `summary.json`
class TrainingSummary(collections.abc.Mapping):
    """What was trained and how well.

    It reads as attributes (`summary.epochs`) and, like `summary.json`, as a read-only mapping
    (`summary["epochs"]`, with the data report's keys at the top level; `to_dict()` for JSON).

    Attributes:
        output: the run directory (a string); `None` on a non-chief worker, which saves nothing.
        parameters: the model's parameter count.
        train_pairs: pairs in the training corpus.
        epochs: epochs completed, those before a resume included.
        steps: optimizer steps taken, those before a resume included.
        resumed_from: `{"epoch", "step", "skipped_batches"}` where this `train` resumed a run,
            else `None`.
        strategy: `training.strategy` as configured.
        replicas: replicas in sync.
        mixed_precision: the mixed precision policy, or `None`.
        training_seconds: time spent in `model.fit`.
        data: the data report (`keras_attention.trainer.data_report.report_data`): skipped
            lines, long pairs, the padding that bucketing saves.
        final: the logs of the last epoch.
        test: the held-out scores (`score_translations`); `None` without test pairs.
    """

    output: typing.Optional[str]
    parameters: int
    train_pairs: int
    epochs: int
    steps: int
    resumed_from: typing.Optional[dict]
    strategy: str
    replicas: int
    mixed_precision: typing.Optional[str]
    training_seconds: float
    data: dict
    final: dict
    test: typing.Optional[dict] = None

    def to_dict(self):
        """The summary as `summary.json` holds it (no `test` key without test pairs)."""
        fields = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        data = fields.pop("data")
        test = fields.pop("test")
        final = fields.pop("final")
        return {**fields, **data, "final": final, **({"test": test} if test is not None else {})}

    def __getitem__(self, key):
        return self.to_dict()[key]

    def __iter__(self):
        return iter(self.to_dict())

    def __len__(self):
        return len(self.to_dict())

    def write(self, directory):
        """Writes the summary to `directory`'s `summary.json`."""
        write_summary(directory, self.to_dict())


def write_summary(directory, summary):
    """Writes a summary dict as the run's `summary.json`."""
    RunLayout(directory).summary.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
