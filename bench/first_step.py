"""Time to the first training step: the optimizer built by `compile_seq2seq` (as the library does)
against an optimizer that Keras builds inside the first trace of the training step.

Without an explicit distribution strategy, Keras 3 on TensorFlow builds an unbuilt optimizer while
it traces the training step; that trace then has created variables, and `tf.function` traces the
step a second time. `compile_seq2seq` builds the optimizer before `fit`, so the step is traced once.
Each measurement runs in a fresh process, as `keras-attention train` does: it learns the config's
vocabularies from `--pairs` training pairs, builds and compiles the model, and times `model.fit`
over `--steps` batches of the config's pipeline: the first step (the trace and one run) and the
later ones. The "in the first trace" way replaces the compiled optimizer with an unbuilt one of
the same config. The two ways alternate over `--rounds` (the median counts) and must end with the
same weights.

Usage:

```
python bench/first_step.py                                                  # the dates config
python bench/first_step.py --config training/configs/bible-en-es.yaml --pairs 2000
python bench/first_step.py --quick                                          # smoke test: one round
```
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WAYS = ("built by compile_seq2seq", "built in the first trace")


def child(args):
    """Trains `args.steps` steps the `args.child` way; prints the step times and a weight checksum as JSON."""
    import keras
    import numpy as np

    from keras_attention.config import RunConfig
    from keras_attention.data.pipeline import make_dataset
    from keras_attention.data.sources import load_splits
    from keras_attention.models import build_seq2seq, compile_seq2seq
    from keras_attention.text.tokenizer import learn_vocabularies, tokenizer_from_config

    config = RunConfig.from_yaml(args.config)
    pairs = load_splits(config.data).train.head(args.pairs)
    sides = [(side, [pair[index] for pair in pairs], None) for index, side in enumerate((config.source, config.target))]
    tokenizers = [tokenizer_from_config(side, vocabulary) for (side, _, _), vocabulary in zip(sides, learn_vocabularies(sides))]
    dataset = make_dataset(
        pairs,
        *tokenizers,
        config.training.batch_size,
        shuffle_buffer=len(pairs),
        seed=config.training.seed,
        buckets=config.data.buckets,
        length_policy=config.data.length_policy,
    ).repeat()
    keras.utils.set_random_seed(config.training.seed)
    model = build_seq2seq(config.model, *(tokenizer.vocabulary_size for tokenizer in tokenizers))
    compile_seq2seq(model, config.training)
    if args.child == WAYS[1]:
        model.optimizer = model.optimizer.from_config(model.optimizer.get_config())

    class StepTimes(keras.callbacks.Callback):
        """Records when each training step ends, from `fit`'s start."""

        def on_train_begin(self, logs=None):
            self.started, self.ends = time.perf_counter(), []

        def on_train_batch_end(self, batch, logs=None):
            self.ends.append(time.perf_counter() - self.started)

    times = StepTimes()
    model.fit(dataset, epochs=1, steps_per_epoch=args.steps, verbose=0, callbacks=[times])
    checksum = float(sum(np.abs(weights).sum() for weights in model.get_weights()))
    print(json.dumps({"first": times.ends[0], "later": (times.ends[-1] - times.ends[0]) / (len(times.ends) - 1), "checksum": checksum}))


def measure(args, way):
    command = [sys.executable, __file__, "--config", args.config, "--pairs", str(args.pairs), "--steps", str(args.steps)]
    result = subprocess.run([*command, "--child", way], capture_output=True, text=True, cwd=ROOT)
    if result.returncode:
        raise RuntimeError(f"{way} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "training/configs/dates.yaml"), help="run config to train")
    parser.add_argument("--pairs", type=int, default=4096, help="training pairs (vocabularies and batches)")
    parser.add_argument("--steps", type=int, default=20, help="training steps timed")
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes of each way, alternating; the median counts")
    parser.add_argument("--quick", action="store_true", help="smoke test: 256 pairs, 3 steps, one round")
    parser.add_argument("--child", choices=WAYS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    if args.quick:
        args.pairs, args.steps, args.rounds = 256, 3, 1
    results = {way: [] for way in WAYS}
    for _ in range(args.rounds):
        for way in WAYS:
            results[way].append(measure(args, way))
    checksums = [result["checksum"] for way in WAYS for result in results[way]]
    assert max(checksums) - min(checksums) <= 1e-6 * max(checksums), f"the ways trained different weights: {checksums}"
    first = {way: statistics.median(result["first"] for result in results[way]) for way in WAYS}
    later = {way: statistics.median(result["later"] for result in results[way]) for way in WAYS}
    print(f"## Time to the first training step\n\n{Path(args.config).name}, {args.steps} steps, median of {args.rounds} fresh processes\n")
    print("| optimizer | first step (s) | against compile_seq2seq | later steps (ms each) |")
    print("| --- | --- | --- | --- |")
    for way in WAYS:
        print(f"| {way} | {first[way]:.2f} | {first[way] / first[WAYS[0]]:.2f}x | {later[way] * 1000:.1f} |")


if __name__ == "__main__":
    main()
