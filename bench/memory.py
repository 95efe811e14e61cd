"""Peak memory (resident set size) of training and of serving, each in a fresh process.

Every measurement runs in its own child process, which reports its peak RSS (`ru_maxrss`) when
it is done, so that one measurement never inherits another's memory:

- `import`: TensorFlow, tensorflow-text and Keras imported, nothing else (the floor of the others);
- `train ours` / `train Keras baseline`: `--steps` training steps of our model and of the
  Keras built-in baseline of `bench/training_throughput.py`, same sizes, batch and batches;
- `serve library`: a trained run loaded with `load_run` translating `--sentences` generated dates
  with its `Translator`, `--batch-size` at a time;
- `serve SavedModel`: the same run exported (greedy) and loaded with `tf.saved_model.load`
  (keras_attention not imported), translating the same sentences through `serving_default`.

Usage:

```
keras-attention train --config training/configs/dates.yaml --output runs/dates
python bench/memory.py --model runs/dates
python bench/memory.py --model runs/dates --quick   # smoke test
```
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASUREMENTS = ("import", "train ours", "train Keras baseline", "serve library", "serve SavedModel")


def _peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _train(args, builder_name):
    import training_throughput as bench_training  # next to this file

    from keras_attention.config import RunConfig
    from keras_attention.data.sources import load_splits
    from keras_attention.models import build_seq2seq, compile_seq2seq
    from keras_attention.text.tokenizer import learn_vocabulary, tokenizer_from_config

    config = RunConfig.from_yaml(args.config)
    pairs = load_splits(config.data).train.head(args.pairs)
    tokenizers = [
        tokenizer_from_config(side, learn_vocabulary(side, [pair[index] for pair in pairs]))
        for index, side in enumerate((config.source, config.target))
    ]
    model_config = bench_training.hidden_config(config.model, args.hidden)
    builder = build_seq2seq if builder_name == "ours" else bench_training.baseline_seq2seq
    model = builder(model_config, *(tokenizer.vocabulary_size for tokenizer in tokenizers))
    compile_seq2seq(model, config.training)
    for inputs, outputs in bench_training.batches(pairs, tokenizers, config, args.batch_size, 8, args.steps):
        model.train_on_batch(inputs, outputs)


def _serve(args):
    from keras_attention.data import dates
    from keras_attention.runs import load_run

    sources = [source for source, _ in dates.generate_pairs(args.sentences, seed=7)]
    load_run(args.model).translator(batch_size=args.batch_size).translate(sources)


def _serve_saved_model(args):
    import tensorflow as tf

    from keras_attention.data import dates  # pure Python: generates the sentences

    serve = tf.saved_model.load(args.saved_model).signatures["serving_default"]
    sources = [source for source, _ in dates.generate_pairs(args.sentences, seed=7)]
    for start in range(0, len(sources), args.batch_size):
        serve(tf.constant(sources[start : start + args.batch_size]))


def child(args):
    """Runs one measurement in this process and prints its peak RSS as JSON."""
    import keras  # noqa: F401
    import tensorflow  # noqa: F401
    import tensorflow_text  # noqa: F401

    if args.child == "train ours":
        _train(args, "ours")
    elif args.child == "train Keras baseline":
        _train(args, "baseline")
    elif args.child == "serve library":
        _serve(args)
    elif args.child == "serve SavedModel":
        _serve_saved_model(args)
    print(json.dumps({"peak_rss_mib": _peak_rss_mib()}))


def measure(name, argv):
    command = [sys.executable, __file__, *argv, "--child", name]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if result.returncode:
        raise RuntimeError(f"{name} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])["peak_rss_mib"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="trained run directory (for serving)")
    parser.add_argument("--config", default=str(ROOT / "training/configs/dates.yaml"), help="config for training")
    parser.add_argument("--hidden", type=int, default=256, help="hidden size of the trained models")
    parser.add_argument("--batch-size", type=int, default=128, help="training and serving batch size")
    parser.add_argument("--pairs", type=int, default=4096, help="training pairs to learn vocabularies from")
    parser.add_argument("--steps", type=int, default=10, help="training steps")
    parser.add_argument("--sentences", type=int, default=2048, help="sentences translated by the serving runs")
    parser.add_argument("--quick", action="store_true", help="smoke test: tiny sizes")
    parser.add_argument("--child", choices=MEASUREMENTS, help=argparse.SUPPRESS)
    parser.add_argument("--saved-model", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.hidden, args.batch_size, args.pairs, args.steps, args.sentences = 8, 8, 64, 1, 8
    if args.child:
        return child(args)
    forwarded = [
        "--model", args.model, "--config", args.config, "--hidden", str(args.hidden),
        "--batch-size", str(args.batch_size), "--pairs", str(args.pairs), "--steps", str(args.steps),
        "--sentences", str(args.sentences),
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        from keras_attention.export import export_run

        version = export_run(args.model, Path(scratch) / "model").path
        forwarded += ["--saved-model", str(version)]
        results = {name: measure(name, forwarded) for name in MEASUREMENTS}
    print(f"## Peak memory\n\n{Path(args.config).name} at hidden {args.hidden}, batch {args.batch_size}; serving {args.model}\n")
    print("| process | peak RSS (MiB) | above import |")
    print("| --- | --- | --- |")
    for name, rss in results.items():
        print(f"| {name} | {rss:,.0f} | {rss - results['import']:,.0f} |")


if __name__ == "__main__":
    main()
