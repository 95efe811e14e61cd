"""Runs every benchmark, one after the other, and prints (or appends to BENCHMARKS.md) their tables.

Each script runs in its own process with its default settings (or `--quick` ones), under a
heading with the date, the commit and the machine; a script that fails is reported by name and
the others still run (the exit status is then 1).

Usage:

```
make demo                                          # trains runs/dates, which several scripts use
python bench/run_all.py --model runs/dates         # about 3.5 hours on a 2-core CPU
python bench/run_all.py --model runs/dates --append BENCHMARKS.md
python bench/run_all.py --model runs/dates --quick # smoke run of every script
```
"""

import argparse
import subprocess
import sys
from pathlib import Path

import machine

ROOT = Path(__file__).resolve().parent.parent
BIBLE_CONFIG = "training/configs/bible-en-es.yaml"


def scripts(model):
    """`(title, arguments)` of every benchmark, in the order they run."""
    return [
        ("Training throughput and FLOP utilization", ["training_throughput.py"]),
        ("Peak memory", ["memory.py", "--model", model]),
        ("Decoding speed", ["decoding.py", "--model", model]),
        ("Time to the first translation: tracing without AutoGraph", ["tracing.py", "--model", model]),
        ("Time to the first training step: the optimizer built before fit", ["first_step.py"]),
        ("Attention keys once per sentence", ["attention_keys.py"]),
        ("Serving: SavedModel against the library", ["export.py", "--model", model]),
        ("Attention variants", ["attention_variants.py"]),
        ("Padding saved by bucketing", ["padding.py", "--config", BIBLE_CONFIG, "--char", "--buckets", "4", "8", "16"]),
        ("Quality at an equal training budget against PyTorch", ["quality_budget.py"]),
        ("Headline generation: lead-8, no copy, copy, copy and coverage", ["summarization.py"]),
        ("Ensembles of Bible runs against single runs and checkpoint averaging", ["ensemble.py"]),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="dates run directory (after `make demo`: runs/dates)")
    parser.add_argument("--quick", action="store_true", help="run every script with --quick (smoke test)")
    parser.add_argument("--append", help="also append the results to this Markdown file")
    args = parser.parse_args(argv)
    sections = [f"## Benchmark run: {machine.describe()}\n"]
    failed = []
    for title, arguments in scripts(args.model):
        command = [sys.executable, str(ROOT / "bench" / arguments[0]), *arguments[1:]]
        if args.quick and arguments[0] != "padding.py":
            command.append("--quick")
        print(f"running {' '.join(command[1:])}", file=sys.stderr, flush=True)
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        if result.returncode:
            failed.append(arguments[0])
            body = f"failed (exit status {result.returncode}):\n\n```\n{result.stderr[-3000:]}\n```"
        else:
            body = result.stdout.strip()
        reproduce = " ".join(["python", "bench/" + arguments[0], *arguments[1:]])
        sections.append(f"### {title}\n\n`{reproduce}`\n\n{body}\n")
    text = "\n".join(sections)
    print(text)
    if args.append:
        with open(args.append, "a", encoding="utf-8") as handle:
            handle.write("\n" + text)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
