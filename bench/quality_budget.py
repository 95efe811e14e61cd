"""Quality at an equal training budget: our Bible config against the plain PyTorch reference.

For each budget (`--minutes`, wall-clock minutes of training), one after the other, nothing run
in parallel:

- `ours`: `keras-attention train` on `--config` (the shipped Bible en-es config by default) with
  `training.max_training_minutes` set to the budget and any `--set KEY=VALUE` overrides, then
  `keras-attention evaluate` on the dev file, greedy and with beam 5;
- `torch`: `bench/torch_reference.py` for the same minutes (greedy).

Both are scored the same way on the whole dev split: lowercased sacreBLEU BLEU and chrF, with their
signatures. The table gives, per budget and system, the training steps and epochs done in the
budget, the final training loss and the scores. Each result is also appended as one JSON line to
`--results`, so that a series of `--set` runs (the ablation in BENCHMARKS.md) keeps every figure.

The training time of `ours` is `fit` alone and so includes its per-epoch validation and dev BLEU;
the reference's is its training loop alone. Learning the vocabularies and the final decoding are
outside both budgets.

Usage:

```
python bench/quality_budget.py                                   # 5 and 15 minutes, both systems (about 45 min)
python bench/quality_budget.py --minutes 5 --systems ours --set training.learning_rate=0.001
python bench/quality_budget.py --quick                           # smoke test: seconds, on a small sample
```
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from torch_reference import read_pairs, score

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "training" / "configs" / "bible-en-es.yaml"
BIBLE = ROOT.parent / "shared" / "data" / "bible"


def parse_value(text):
    """A `--set` value as YAML reads it (`null`, numbers, booleans, strings)."""
    return yaml.safe_load(text)


def overridden_config(path, budget, overrides, sample=None):
    """The run config of `path` (paths resolved), with the budget and `overrides` applied.

    Args:
        path: YAML run config.
        budget: training minutes.
        overrides: list of `"section.key=value"` strings.
        sample: optional `(train_file, dev_file)` replacing the config's data files.

    Returns:
        A validated `RunConfig`.
    """
    from keras_attention.config import RunConfig

    data = RunConfig.from_yaml(path).to_dict()
    for override in overrides:
        key, _, value = override.partition("=")
        section, _, name = key.partition(".")
        if section not in data or name not in data[section]:
            raise SystemExit(f"--set {override}: no key {key!r} in the run config")
        data[section][name] = parse_value(value)
    data["training"]["max_training_minutes"] = budget
    data["training"]["epochs"] = max(data["training"]["epochs"], 1000)
    if sample:
        data["data"]["train"], data["data"]["dev"] = sample
    return RunConfig.from_dict(data, origin=str(path))


def run_command(command, log_path):
    """Runs `command`, its output going to `log_path`; exits with its output's end if it fails."""
    with open(log_path, "w", encoding="utf-8") as log:
        result = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    if result.returncode:
        tail = Path(log_path).read_text(encoding="utf-8")[-3000:]
        raise SystemExit(f"{' '.join(map(str, command))} failed ({result.returncode}):\n{tail}")


def hypotheses_file_scores(path):
    """Scores of an `evaluate --hypotheses` file (source, reference, hypothesis per line)."""
    rows = [line.rstrip("\n").split("\t") for line in Path(path).read_text(encoding="utf-8").splitlines()]
    return score([row[2] for row in rows], [row[1] for row in rows])


def train_ours(budget, args, work, sample):
    config = overridden_config(args.config, budget, args.set, sample)
    run = work / f"ours-{budget:g}"
    config_path = work / f"ours-{budget:g}.yaml"
    config.to_yaml(config_path)
    cli = [str(Path(sys.executable).parent / "keras-attention")]
    run_command([*cli, "train", "--config", config_path, "--output", run, "--overwrite", "--verbose", "2"], work / f"ours-{budget:g}.log")
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    result = {
        "system": "ours",
        "minutes": budget,
        "overrides": args.set,
        "steps": summary["steps"],
        "epochs": summary["epochs"],
        "training_seconds": summary["training_seconds"],
        "final_loss": round(summary["final"]["loss"], 3),
        "final_val_loss": round(summary["final"].get("val_loss", float("nan")), 3),
    }
    decodings = [("greedy", [])] + ([] if args.no_beam else [("beam5", ["--beam-size", "5"])])
    for name, options in decodings:
        hypotheses = work / f"ours-{budget:g}-{name}.tsv"
        run_command(
            [*cli, "evaluate", "--model", run, "--data", config.data.dev, "--hypotheses", hypotheses, *options],
            work / f"ours-{budget:g}-{name}.log",
        )
        scores = hypotheses_file_scores(hypotheses)
        result.update({f"{name}_{key}" if name != "greedy" else key: value for key, value in scores.items()})
    return result


def train_torch(budget, args, work, sample):
    output = work / f"torch-{budget:g}.json"
    command = [sys.executable, ROOT / "bench" / "torch_reference.py", "--minutes", str(budget), "--json", output]
    if sample:
        command += ["--train", sample[0], "--dev", sample[1]]
    run_command(command, work / f"torch-{budget:g}.log")
    summary = json.loads(output.read_text(encoding="utf-8"))
    return {"system": "torch", "minutes": budget, **{k: v for k, v in summary.items() if k != "examples"}}


def record(result, path):
    """Prints `result` as a JSON line to standard error and appends it to `path` (if any); returns it."""
    print(json.dumps(result), file=sys.stderr, flush=True)
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(result) + "\n")
    return result


def write_samples(work, files):
    """Writes the first `count` pairs of each `(name, path, count)` of `files` to
    `work/sample.NAME.tsv` (small corpora for `--quick`); returns their paths."""
    paths = []
    for name, path, count in files:
        sample = work / f"sample.{name}.tsv"
        sample.write_text("".join(f"{source}\t{target}\n" for source, target in read_pairs(path, count)), encoding="utf-8")
        paths.append(str(sample))
    return tuple(paths)


def table(results):
    lines = [
        "| budget | system | steps | epochs | train loss | dev BLEU (lc, greedy) | chrF (lc) | BLEU beam 5 (lc) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        lines.append(
            f"| {result['minutes']:g} min | {result['system']} | {result['steps']:,} | {result['epochs']} | "
            f"{result['final_loss']:.3f} | {result['bleu']:.2f} | {result['chrf']:.2f} | "
            f"{result.get('beam5_bleu', float('nan')):.2f} |"
        )
    signatures = {result["bleu_signature"] for result in results}
    return "\n".join(lines) + "\n\nBLEU signature: " + ", ".join(sorted(signatures))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[5, 15], help="training budgets")
    parser.add_argument("--systems", nargs="+", choices=["ours", "torch"], default=["ours", "torch"])
    parser.add_argument("--config", default=str(CONFIG), help="our run config")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config key")
    parser.add_argument("--no-beam", action="store_true", help="skip the beam-5 evaluation of ours")
    parser.add_argument("--work", help="folder for the runs and logs (default: a temporary folder)")
    parser.add_argument("--results", help="append each result as a JSON line to this file")
    parser.add_argument("--quick", action="store_true", help="smoke test: 0.02 minutes on 500 pairs")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(args.work or temporary)
        work.mkdir(parents=True, exist_ok=True)
        sample = None
        if args.quick:
            args.minutes = [0.02]
            args.no_beam = True
            args.set += [
                "source.vocabulary_size=200", "target.vocabulary_size=200", "evaluation.dev_bleu_sentences=8", "training.attention_images=0",
            ]
            sample = write_samples(work, [(name, BIBLE / f"web-sparv.{name}.tsv", count) for name, count in (("train", 500), ("dev", 20))])
        results = []
        for budget in args.minutes:
            for system in args.systems:
                trainer = train_ours if system == "ours" else train_torch
                results.append(record(trainer(budget, args, work, sample), args.results))
        print(table(results))


if __name__ == "__main__":
    main()
