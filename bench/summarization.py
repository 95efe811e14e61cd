"""Headline generation at an equal training budget: lead-8, and the headlines config without copy
attention, with copy, and with copy and coverage.

On the dev split of the Debian descriptions corpus (`../shared/data/debian-descriptions`), one
system after the other, nothing run in parallel:

- `lead-8`: the first 8 words of each description;
- `no copy`: `training/configs/headlines.yaml` with `model.copy=false` (the same shared vocabulary);
- `copy`: the config as it ships;
- `copy + coverage`: the config with attention inside the step and coverage
  (`model.attention_placement=in_step`, `model.coverage=true`, `model.coverage_loss_weight=1`,
  See et al.'s weight).

Each model trains for the same `--minutes` (`training.max_training_minutes`; the config's own
budget by default), then `keras-attention evaluate` decodes the whole dev split with the config's
decoding settings. Every system is scored the same way: ROUGE-1/2/L F1 (`rouge-score`, stemmed),
lowercased sacreBLEU BLEU, and the repetition rate (the share of outputs with a word trigram twice).
Each result is also appended as one JSON line to `--results`.

Usage:

```
python bench/summarization.py                      # the four systems at the config's budget (about 75 min)
python bench/summarization.py --systems lead-8 copy --minutes 5
python bench/summarization.py --quick              # smoke test: seconds, on a small sample
```
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

from quality_budget import overridden_config, record, run_command, write_samples
from torch_reference import read_pairs

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "training" / "configs" / "headlines.yaml"
LEAD_WORDS = 8
SYSTEMS = {
    "lead-8": None,
    "no copy": ["model.copy=false"],
    "copy": [],
    "copy + coverage": ["model.attention_placement=in_step", "model.coverage=true", "model.coverage_loss_weight=1.0"],
}


def scores(hypotheses, references):
    """The bench's scores of `hypotheses` against one reference each."""
    from keras_attention.evaluation import corpus_bleu, repetition_rate, rouge

    return {
        **{key: round(value, 2) for key, value in rouge(hypotheses, references).items()},
        "bleu": round(corpus_bleu(hypotheses, references, lowercase=True), 2),
        "repetition": round(repetition_rate(hypotheses), 4),
        "sentences": len(references),
    }


def lead(dev):
    pairs = read_pairs(dev)
    hypotheses = [" ".join(source.split()[:LEAD_WORDS]) for source, _ in pairs]
    return {"system": "lead-8", **scores(hypotheses, [target for _, target in pairs])}


def train_and_score(name, overrides, budget, args, work, sample):
    slug = name.replace(" + ", "-").replace(" ", "-")
    config = overridden_config(args.config, budget, [*overrides, *args.set], sample)
    config_path, run = work / f"{slug}.yaml", work / slug
    config.to_yaml(config_path)
    cli = [str(Path(sys.executable).parent / "keras-attention")]
    run_command([*cli, "train", "--config", config_path, "--output", run, "--overwrite", "--verbose", "2"], work / f"{slug}.log")
    hypotheses_path = work / f"{slug}.dev.tsv"
    run_command(
        [*cli, "evaluate", "--model", run, "--data", config.data.dev, "--hypotheses", hypotheses_path],
        work / f"{slug}-evaluate.log",
    )
    rows = [line.split("\t") for line in hypotheses_path.read_text(encoding="utf-8").splitlines()]
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    return {
        "system": name,
        "minutes": config.training.max_training_minutes,
        "steps": summary["steps"],
        "epochs": summary["epochs"],
        "training_seconds": summary["training_seconds"],
        **scores([row[2] for row in rows], [row[1] for row in rows]),
    }


def table(results):
    lines = [
        "| system | training min | steps | epochs | ROUGE-1 | ROUGE-2 | ROUGE-L | BLEU (lc) | repeated trigram |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        training = [f"{result[key]:,}" if key in result else "-" for key in ("minutes", "steps", "epochs")]
        lines.append(
            f"| {result['system']} | {' | '.join(training)} | {result['rouge_1']:.2f} | {result['rouge_2']:.2f} | "
            f"{result['rouge_l']:.2f} | {result['bleu']:.2f} | {100 * result['repetition']:.1f}% |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, help="training budget of every model (default: the config's)")
    parser.add_argument("--systems", nargs="+", choices=list(SYSTEMS), default=list(SYSTEMS))
    parser.add_argument("--config", default=str(CONFIG), help="the headlines run config")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config key of every model")
    parser.add_argument("--work", help="folder for the runs and logs (default: a temporary folder)")
    parser.add_argument("--results", help="append each result as a JSON line to this file")
    parser.add_argument("--quick", action="store_true", help="smoke test: 0.02 minutes on 400 pairs, greedy")
    args = parser.parse_args(argv)
    from keras_attention.config import RunConfig

    shipped = RunConfig.from_yaml(args.config)
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(args.work or temporary)
        work.mkdir(parents=True, exist_ok=True)
        budget, dev, sample = args.minutes or shipped.training.max_training_minutes, shipped.data.dev, None
        if args.quick:
            budget = 0.02
            args.set += ["source.vocabulary_size=300", "target.vocabulary_size=300", "decoding.strategy=greedy"]
            train = Path(dev).with_name("descriptions.train.tsv")
            sample = write_samples(work, [("train", train, 400), ("dev", dev, 20)])
            dev = sample[1]
        results = []
        for name in args.systems:
            overrides = SYSTEMS[name]
            result = lead(dev) if overrides is None else train_and_score(name, overrides, budget, args, work, sample)
            results.append(record(result, args.results))
        print(table(results))


if __name__ == "__main__":
    main()
