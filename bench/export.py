"""Serving speed: the exported SavedModel against the in-library Translator, side by side.

For each decoding strategy, exports the run (`keras_attention.export.export_translator`) into a
temporary folder, then measures through the loaded SavedModel's `serving_default` signature and
through the library's `Translator.translate_batch` (the same decoder, called from Python):

- load: from nothing in memory to the first answer (`tf.saved_model.load` + one call, against
  `load_run` + `Run.translator()` + one call; both include tracing or graph preparation);
- latency of single-sentence requests, p50 and p95;
- throughput of batches of 64 sentences.

Both give the same translations (checked on every sentence timed).

Usage:

```
keras-attention train --config training/configs/dates.yaml --output runs/dates
python bench/export.py --model runs/dates
python bench/export.py --model runs/dates --quick   # smoke test: a few requests, greedy only
```
"""

import argparse
import dataclasses
import tempfile
import time

import numpy as np
import tensorflow as tf

from keras_attention.config import DecodingConfig
from keras_attention.data import dates
from keras_attention.export import export_translator
from keras_attention.runs import load_run

BATCH = 64


@dataclasses.dataclass
class Measures:
    """Timings of one way of translating."""

    load_seconds: float
    latencies: list
    batch_seconds: list
    translations: list

    def row(self):
        p50, p95 = np.percentile(np.array(self.latencies) * 1000, [50, 95])
        throughput = BATCH * len(self.batch_seconds) / sum(self.batch_seconds)
        return {"load (s)": self.load_seconds, "p50 (ms)": p50, "p95 (ms)": p95, "batch-64 sent/s": throughput}


def measure(load, singles, batches):
    """Loads with `load()` (returning a function of a string batch) and times single and batch calls."""
    started = time.perf_counter()
    translate = load()
    translate(tf.constant(singles[:1]))
    load_seconds = time.perf_counter() - started
    latencies, translations = [], []
    for sentence in singles:
        started = time.perf_counter()
        output = translate(tf.constant([sentence]))
        latencies.append(time.perf_counter() - started)
        translations.append(output.numpy()[0].decode("utf-8"))
    batch_seconds = []
    for batch in batches:
        started = time.perf_counter()
        output = translate(tf.constant(batch))
        batch_seconds.append(time.perf_counter() - started)
        translations.extend(text.decode("utf-8") for text in output.numpy())
    return Measures(load_seconds, latencies, batch_seconds, translations)


def library_loader(model, decoding):
    def load():
        translator = load_run(model).translator(decoding=decoding)
        return lambda sentences: translator.translate_batch(sentences)["translations"]

    return load


def saved_model_loader(path):
    def load():
        signature = tf.saved_model.load(str(path)).signatures["serving_default"]
        return lambda sentences: signature(inputs=sentences)["translations"]

    return load


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="dates run directory written by `keras-attention train`")
    parser.add_argument("--strategies", nargs="+", choices=("greedy", "beam"), default=["greedy", "beam"])
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--singles", type=int, default=200, help="single-sentence requests timed")
    parser.add_argument("--batches", type=int, default=20, help="batches of 64 sentences timed")
    parser.add_argument("--quick", action="store_true", help="smoke test: 4 single requests, 1 batch, greedy only")
    args = parser.parse_args(argv)
    if args.quick:
        args.singles, args.batches, args.strategies = 4, 1, ["greedy"]

    sources = [source for source, _ in dates.generate_pairs(args.singles + BATCH * args.batches, seed=2025)]
    singles = sources[: args.singles]
    batches = [sources[args.singles + BATCH * index : args.singles + BATCH * (index + 1)] for index in range(args.batches)]
    run = load_run(args.model)
    print(
        f"{args.model}: {args.singles} single-sentence requests and {args.batches} batches of {BATCH} "
        f"dates sentences; SavedModel = its serving_default signature, Translator = the library's "
        f"translate_batch; translations identical"
    )
    print(f"{'decoding':<10}{'measure':<18}{'SavedModel':>12}{'Translator':>12}{'ratio':>8}")
    for strategy in args.strategies:
        decoding = dataclasses.replace(run.config.decoding, strategy=strategy, beam_size=args.beam_size, n_best=1)
        with tempfile.TemporaryDirectory() as folder:
            exported = export_translator(run.translator(decoding=decoding), f"{folder}/model")
            served = measure(saved_model_loader(exported.path), singles, batches)
        library = measure(library_loader(args.model, decoding), singles, batches)
        if served.translations != library.translations:
            raise SystemExit(f"{strategy}: the SavedModel and the Translator translate differently")
        name = strategy if strategy == "greedy" else f"beam {args.beam_size}"
        served_row, library_row = served.row(), library.row()
        for measure_name in served_row:
            ratio = served_row[measure_name] / library_row[measure_name]
            print(
                f"{name:<10}{measure_name:<18}{served_row[measure_name]:>12,.2f}"
                f"{library_row[measure_name]:>12,.2f}{ratio:>7.2f}x"
            )


if __name__ == "__main__":
    main()
