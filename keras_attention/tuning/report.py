"""What a search leaves: which tuner ran which trial, and the report of all trials.

Each tuner process appends one JSON line per trial start and end to `trials/TUNER_ID.jsonl`
(`TrialLog`); the report joins those lines with the oracle's trials.
"""

import csv
import json
import time
from pathlib import Path

import keras_tuner

HYPERBAND_KEYS = {"tuner/epochs": "epochs", "tuner/initial_epoch": "initial_epoch", "tuner/trial_id": "parent_trial"}
TRIAL_LOG_DIR = "trials"


class TrialLog:
    """A tuner mixin that logs every trial it runs, and says loudly when one fails.

    The lines go to `trial_log_dir/TUNER_ID.jsonl`: `{"trial": ..., "tuner": ..., "event": "begin"
    | "end", "time": ..., "status": ...}`.
    """

    trial_log_dir = None
    log = print

    def _append(self, trial, event, **fields):
        path = Path(self.trial_log_dir) / f"{self.tuner_id}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        line = {"trial": trial.trial_id, "tuner": self.tuner_id, "event": event, "time": time.time(), **fields}
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")

    def on_trial_begin(self, trial):
        self._append(trial, "begin")
        super().on_trial_begin(trial)

    def on_trial_end(self, trial):
        self._append(trial, "end", status=trial.status)
        if trial.status != keras_tuner.engine.trial.TrialStatus.COMPLETED:
            self.log(f"{self.tuner_id}: trial {trial.trial_id} failed (status {trial.status}):\n{trial.message}")
        super().on_trial_end(trial)


def read_trial_log(directory):
    """All lines of the trial logs in `directory`, oldest first."""
    lines = []
    for path in sorted(Path(directory).glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            lines.extend(json.loads(line) for line in handle if line.strip())
    return sorted(lines, key=lambda line: line["time"])


def trial_rows(oracle, searched, log_lines=()):
    """One row per trial of `oracle`, best first by the objective; unfinished and failed ones last.

    Args:
        oracle: the search's `keras_tuner.Oracle` (the chief's, in a distributed search).
        searched: names of the searched hyperparameters, in column order.
        log_lines: `read_trial_log` lines, for the tuner that ran each trial and its duration.

    Returns:
        A list of dicts: `trial`, `status`, `objective`, the searched hyperparameters (empty when
        inactive), Hyperband's `epochs` / `initial_epoch` / `parent_trial` where set, `tuner`,
        `runs` (starts, retries included), `seconds` (of the last run), and the metrics at the
        best epoch.
    """
    runs = {}
    for line in log_lines:
        entry = runs.setdefault(line["trial"], {"tuner": None, "runs": 0, "seconds": None, "begin": None})
        if line["event"] == "begin":
            entry.update(runs=entry["runs"] + 1, begin=line["time"], tuner=line["tuner"])
        elif entry["begin"] is not None:
            entry["seconds"] = round(line["time"] - entry["begin"], 1)
    rows = []
    for trial in oracle.trials.values():
        values = trial.hyperparameters.values
        row = {"trial": trial.trial_id, "status": trial.status, "objective": _score(trial, oracle.objective.name)}
        row.update({name: values.get(name, "") for name in searched})
        row.update({column: values[key] for key, column in HYPERBAND_KEYS.items() if key in values})
        entry = runs.get(trial.trial_id, {})
        row.update(tuner=entry.get("tuner"), runs=entry.get("runs"), seconds=entry.get("seconds"))
        row.update({name: trial.metrics.get_last_value(name) for name in sorted(trial.metrics.metrics)})
        rows.append(row)
    completed = [row for row in rows if row["status"] == "COMPLETED" and row["objective"] is not None]
    completed.sort(key=lambda row: row["objective"], reverse=oracle.objective.direction == "max")
    others = sorted((row for row in rows if row not in completed), key=lambda row: row["trial"])
    return completed + others


def _score(trial, objective):
    if trial.status != "COMPLETED" or not trial.metrics.exists(objective):
        return None
    return trial.metrics.get_last_value(objective)


def write_report(directory, rows, objective, direction):
    """Writes the rows as `report.txt` (an aligned table), `trials.csv` and `trials.json`.

    Returns:
        The text of `report.txt`.
    """
    directory = Path(directory)
    columns = list(dict.fromkeys(name for row in rows for name in row))
    with (directory / "trials.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    (directory / "trials.json").write_text(
        json.dumps({"objective": objective, "direction": direction, "trials": rows}, indent=2), encoding="utf-8"
    )
    completed = sum(row["status"] == "COMPLETED" for row in rows)
    text = (
        f"{len(rows)} trials ({completed} completed), best first by {objective} ({direction})\n\n"
        + format_table(rows, columns)
    )
    (directory / "report.txt").write_text(text, encoding="utf-8")
    return text


def format_table(rows, columns):
    """`rows` as a plain-text table with one column per name in `columns`."""
    cells = [[_cell(row.get(name)) for name in columns] for row in rows]
    widths = [max([len(name)] + [len(line[index]) for line in cells]) for index, name in enumerate(columns)]
    lines = ["  ".join(name.ljust(width) for name, width in zip(columns, widths))]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)) for line in cells]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _cell(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
