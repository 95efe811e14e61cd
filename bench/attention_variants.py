"""Attention variants on the built-in dates task: held-out exact match and training time.

Trains the shipped dates config (`training/configs/dates.yaml`) once per variant, changing only
the attention settings, and prints a table with each variant's exact match on the 2,000
generated held-out dates, its training time and its time relative to the first variant (all
measured in this one run, on this machine).

Usage:

```
python bench/attention_variants.py                  # the three variants of the issue, ~5 minutes
python bench/attention_variants.py --quick          # smoke test: tiny data, one epoch
python bench/attention_variants.py --variants bahdanau scaled_dot
```
"""

import argparse
import dataclasses
import tempfile
from pathlib import Path

from keras_attention.config import RunConfig
from keras_attention.trainer import train

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = {
    "bahdanau": {"attention": "bahdanau", "attention_units": 64},
    "luong_general": {"attention": "luong_general", "attention_units": None},
    "in_step_input_feeding": {
        "attention": "bahdanau",
        "attention_units": 64,
        "attention_placement": "in_step",
        "input_feeding": True,
    },
    "bahdanau_normed": {"attention": "bahdanau_normed", "attention_units": 64},
    "luong_concat": {"attention": "luong_concat", "attention_units": 64},
    "scaled_dot": {"attention": "scaled_dot", "attention_units": None, "decoder_units": 128},
    "in_step_coverage": {
        "attention": "bahdanau",
        "attention_units": 64,
        "attention_placement": "in_step",
        "coverage": True,
        "coverage_loss_weight": 1.0,
    },
}
DEFAULT_VARIANTS = ("bahdanau", "luong_general", "in_step_input_feeding")


def variant_config(base, changes, quick):
    config = dataclasses.replace(base, model=dataclasses.replace(base.model, **changes))
    if quick:
        config.data = dataclasses.replace(config.data, num_train=300, num_dev=50, num_test=50)
        config.training = dataclasses.replace(config.training, epochs=1)
    return config.validate()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "training" / "configs" / "dates.yaml"))
    parser.add_argument("--variants", nargs="+", choices=sorted(VARIANTS), default=list(DEFAULT_VARIANTS))
    parser.add_argument("--quick", action="store_true", help="tiny data and one epoch (smoke test)")
    args = parser.parse_args(argv)
    base = RunConfig.from_yaml(args.config)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.variants:
            config = variant_config(base, VARIANTS[name], args.quick)
            summary = train(config, Path(scratch) / name, verbose=0, log=lambda line: None)
            rows.append((name, summary["test"]["exact_match"], summary["training_seconds"], summary["epochs"]))
            print(f"{name}: exact match {100 * rows[-1][1]:.2f}% in {rows[-1][2]:.0f} s", flush=True)
    first_time = rows[0][2]
    print()
    print(f"| variant | held-out exact match | epochs | training time | time vs {rows[0][0]} |")
    print("| --- | --- | --- | --- | --- |")
    for name, exact, seconds, epochs in rows:
        print(f"| {name} | {100 * exact:.2f}% | {epochs} | {seconds:.0f} s | {seconds / first_time:.2f}x |")


if __name__ == "__main__":
    main()
