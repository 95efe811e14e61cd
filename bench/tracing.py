"""Time to the first translation: `Translator.translate_batch` traced without AutoGraph (as the
library traces it) against the same function traced with AutoGraph on (TensorFlow's default).

The decoding loops are `keras.ops.while_loop`s with no Python control flow on tensors, so
AutoGraph has nothing to convert in them; with it on, TensorFlow still rewrites every Python
function the trace calls (the strategies, the loop bodies, the models' steps) before tracing them.
The tokenizers' own functions keep their setting (off) in both.
Each measurement runs in a fresh process, as `keras-attention translate` and `export` do: it loads
the run, then times the first `translate_batch` call on `--sentences` generated dates (the trace
and one run of the graph) and a second call (the run alone). The two ways alternate over
`--rounds`, and both must give the same translations (sampling with a fixed seed).

Usage:

```
keras-attention train --config training/configs/dates.yaml --output runs/dates
python bench/tracing.py --model runs/dates
python bench/tracing.py --model runs/dates --quick   # smoke test: greedy, one round
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
STRATEGIES = {"greedy": {}, "beam": {"beam_size": 5}, "sample": {"top_k": 5, "seed": 1}}
WAYS = ("autograph off", "autograph on")


def child(args):
    """Loads the run, times two `translate_batch` calls the `args.child` way, prints JSON."""
    import tensorflow as tf

    from keras_attention.config import DecodingConfig
    from keras_attention.data import dates
    from keras_attention.runs import load_run
    from keras_attention.translator import Translator

    run = load_run(args.model)
    decoding = DecodingConfig(strategy=args.strategy, **STRATEGIES[args.strategy])
    translator = run.translator(decoding=decoding)
    translate = translator.translate_batch
    if args.child == "autograph on":
        signature = Translator.translate_batch.input_signature
        translate = tf.function(Translator.translate_batch.python_function.__get__(translator), input_signature=signature)
    sentences = tf.constant([source for source, _ in dates.generate_pairs(args.sentences, seed=11)])
    seconds = []
    for _ in range(2):
        started = time.perf_counter()
        translations = translate(sentences)["translations"].numpy()
        seconds.append(time.perf_counter() - started)
    print(json.dumps({"first": seconds[0], "second": seconds[1], "translations": translations.astype(str).tolist()}))


def measure(args, way, strategy):
    command = [sys.executable, __file__, "--model", args.model, "--sentences", str(args.sentences)]
    result = subprocess.run([*command, "--child", way, "--strategy", strategy], capture_output=True, text=True, cwd=ROOT)
    if result.returncode:
        raise RuntimeError(f"{way}, {strategy} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="trained run directory")
    parser.add_argument("--strategies", nargs="+", choices=list(STRATEGIES), default=list(STRATEGIES))
    parser.add_argument("--sentences", type=int, default=64, help="sentences in the translated batch")
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes of each way, alternating; the median counts")
    parser.add_argument("--quick", action="store_true", help="smoke test: greedy, 4 sentences, one round")
    parser.add_argument("--child", choices=WAYS, help=argparse.SUPPRESS)
    parser.add_argument("--strategy", choices=list(STRATEGIES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    if args.quick:
        args.strategies, args.sentences, args.rounds = ["greedy"], 4, 1
    print(f"## Time to the first translation\n\n{args.model}, a batch of {args.sentences}, median of {args.rounds} fresh processes\n")
    print("| strategy | first call, autograph off (s) | first call, autograph on (s) | on / off | second call, off / on (s) |")
    print("| --- | --- | --- | --- | --- |")
    for strategy in args.strategies:
        results = {way: [] for way in WAYS}
        for _ in range(args.rounds):
            for way in WAYS:
                results[way].append(measure(args, way, strategy))
        off, on = (results[way][0]["translations"] for way in WAYS)
        assert off == on, f"{strategy}: the two traces translate differently"
        first = {way: statistics.median(result["first"] for result in results[way]) for way in WAYS}
        second = {way: statistics.median(result["second"] for result in results[way]) for way in WAYS}
        print(
            f"| {strategy} | {first['autograph off']:.2f} | {first['autograph on']:.2f} | "
            f"{first['autograph on'] / first['autograph off']:.2f}x | "
            f"{second['autograph off']:.3f} / {second['autograph on']:.3f} |"
        )


if __name__ == "__main__":
    main()
