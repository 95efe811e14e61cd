"""Ensembles against single runs: Bible en-es, dev BLEU and decoding cost.

Trains one run of the Bible config per seed (`--seeds`, 0 1 2 by default: seed 0 is the shipped
config), each for `--minutes` of training (the shipped config's 15 by default), one after the
other. A run already in `--work` (its `summary.json` written) is kept, so an interrupted bench
starts again where it stopped. Then averages the last checkpoints of the first run
(`average-checkpoints`) and decodes the whole dev split, greedily and with beam 5, with:

- each single run;
- the first run's averaged checkpoints;
- the ensembles of the first 2 and of all the runs (the log of the mean probability, and for the
  largest ensemble also the mean of the log-probabilities).

Every system decodes in this one process, one after the other. Each is timed over the dev split
after a first call that traces its graphs, so the decoding cost of an ensemble is given against
a single run measured in the same process. BLEU and chrF are lowercased sacreBLEU with their
signatures.

Usage:

```
python bench/ensemble.py --work runs/ensemble     # 3 runs of 15 minutes, then the decoding (about 55 min)
python bench/ensemble.py --quick                  # smoke test: a minute, on a small sample, greedy
```
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from quality_budget import BIBLE, CONFIG, overridden_config, run_command, write_samples

ROOT = Path(__file__).resolve().parent.parent
CLI = [str(Path(sys.executable).parent / "keras-attention")]
STRATEGIES = {"greedy": {"strategy": "greedy"}, "beam5": {"strategy": "beam", "beam_size": 5}}


def train_runs(config_path, seeds, minutes, work, sample=None, overrides=()):
    """Trains (or keeps) one run per seed in `work/seed-N`; returns their directories."""
    runs = []
    for seed in seeds:
        run = work / f"seed-{seed}"
        if not (run / "summary.json").is_file():
            config = overridden_config(config_path, minutes, [*overrides, f"training.seed={seed}"], sample)
            config.to_yaml(work / f"seed-{seed}.yaml")
            command = [*CLI, "train", "--config", work / f"seed-{seed}.yaml", "--output", run, "--overwrite", "--verbose", "2"]
            run_command(command, work / f"seed-{seed}.log")
        runs.append(run)
    return runs


def average_checkpoints(run, work):
    """The run directory of `run`'s averaged last checkpoints (`work/averaged`), written once."""
    averaged = work / "averaged"
    if not (averaged / "model.keras").is_file():
        run_command([*CLI, "average-checkpoints", "--model", run, "--output", averaged, "--overwrite"], work / "averaged.log")
    return averaged


def systems(runs, averaged):
    """`(name, run directories, ensemble average)` of every system decoded."""
    rows = [(f"single: {run.name}", [run], "probability") for run in runs]
    rows.append((f"checkpoint average: {runs[0].name}", [averaged], "probability"))
    for size in sorted({2, len(runs)}):
        if 2 <= size <= len(runs):
            rows.append((f"ensemble of {size}", runs[:size], "probability"))
    if len(runs) >= 2:
        rows.append((f"ensemble of {len(runs)}, mean log-probability", runs, "log_probability"))
    return rows


def decode(directories, average, strategy, sources, references, lowercase):
    """Decodes `sources` with the ensemble of `directories` (one run: that run); returns its scores
    and the seconds of the decoding after a first, tracing call."""
    import dataclasses

    from keras_attention.evaluation import score_translations
    from keras_attention.runs import load_run, load_translator

    runs = [load_run(directory) for directory in directories]
    decoding = dataclasses.replace(runs[0].config.decoding, ensemble_average=average, **strategy)
    translator = load_translator(runs, decoding=decoding)
    translator.translate(sources[: decoding.batch_size])
    start = time.perf_counter()
    hypotheses = translator.translate(sources).translations
    seconds = time.perf_counter() - start
    scores = score_translations(hypotheses, references, lowercase=lowercase)
    return {"bleu": scores["bleu"], "chrf": scores["chrf"], "seconds": seconds, "signature": scores["bleu_signature"]}


def read_dev(path):
    rows = [line.rstrip("\n").split("\t") for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row[0] for row in rows], [row[1] for row in rows]


def table(results):
    """The Markdown table: BLEU and chrF per system and strategy, and the decoding time against the
    first single run's with the same strategy."""
    baseline = {}
    for result in results:
        if result["system"].startswith("single"):
            baseline.setdefault(result["strategy"], result["seconds"])
    lines = [
        "| system | strategy | dev BLEU (lc) | chrF (lc) | decoding s | against one run |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        ratio = result["seconds"] / baseline[result["strategy"]]
        lines.append(
            f"| {result['system']} | {result['strategy']} | {result['bleu']:.2f} | {result['chrf']:.2f} | "
            f"{result['seconds']:.1f} | {ratio:.2f}x |"
        )
    return "\n".join(lines) + f"\n\nBLEU signature: {results[0]['signature']}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(CONFIG), help="run config of every member")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="one run per seed")
    parser.add_argument("--minutes", type=float, default=15, help="training minutes of each run")
    parser.add_argument("--work", help="folder for the runs and logs (default: a temporary folder)")
    parser.add_argument("--strategies", nargs="+", choices=tuple(STRATEGIES), default=list(STRATEGIES), help="decodings")
    parser.add_argument("--results", help="append each result as a JSON line to this file")
    parser.add_argument("--quick", action="store_true", help="smoke test: 0.02 minutes a run on 300 pairs, greedy")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(args.work or temporary)
        work.mkdir(parents=True, exist_ok=True)
        sample, overrides, dev = None, [], BIBLE / "web-sparv.dev.tsv"
        if args.quick:
            args.minutes, args.strategies = 0.02, ["greedy"]
            overrides = [
                "source.vocabulary_size=200", "target.vocabulary_size=200", "evaluation.dev_bleu_sentences=8", "training.attention_images=0",
            ]
            sample = write_samples(work, [(name, BIBLE / f"web-sparv.{name}.tsv", count) for name, count in (("train", 300), ("dev", 20))])
            dev = sample[1]
        runs = train_runs(args.config, args.seeds, args.minutes, work, sample, overrides)
        averaged = average_checkpoints(runs[0], work)
        sources, references = read_dev(dev)
        lowercase = overridden_config(args.config, args.minutes, overrides, sample).target.lowercase
        results = []
        for name, directories, average in systems(runs, averaged):
            for strategy in args.strategies:
                scores = decode(directories, average, STRATEGIES[strategy], sources, references, lowercase)
                result = {"system": name, "strategy": strategy, **scores}
                print(json.dumps(result), file=sys.stderr, flush=True)
                if args.results:
                    with open(args.results, "a", encoding="utf-8") as handle:
                        handle.write(json.dumps(result) + "\n")
                results.append(result)
        print(table(results))


if __name__ == "__main__":
    main()
