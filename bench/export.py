"""Serving speed: the exported SavedModel against the in-library Translator, side by side.

For each decoding strategy, exports the run (`keras_attention.export.export_translator`) into a
temporary folder, then measures through the loaded SavedModel's `serving_default` signature and
through the library's `Translator.translate_batch` (the same decoder, called from Python):

- load: from nothing in memory to the first answer (`tf.saved_model.load` + one call, against
  `load_run` + `Run.translator()` + one call; both include tracing or graph preparation);
- latency of single-sentence requests, p50 and p95;
- throughput of batches of 64 sentences (64 / the median batch time).

Every request goes to both, one after the other (alternating which goes first), so both see the
same machine load; both give the same translations (checked on every sentence).

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

from keras_attention.data import dates
from keras_attention.export import export_translator
from keras_attention.runs import load_run

BATCH = 64


@dataclasses.dataclass
class Measures:
    """Timings of one way of translating."""

    load_seconds: float
    latencies: list = dataclasses.field(default_factory=list)
    batch_seconds: list = dataclasses.field(default_factory=list)
    translations: list = dataclasses.field(default_factory=list)

    def row(self):
        p50, p95 = np.percentile(np.array(self.latencies) * 1000, [50, 95])
        return {
            "load (s)": self.load_seconds,
            "p50 (ms)": p50,
            "p95 (ms)": p95,
            "batch-64 sent/s": BATCH / float(np.median(self.batch_seconds)),
        }


def load_timed(load, sentence):
    """Runs `load()` (which returns a function of a string batch) and one call; returns both."""
    started = time.perf_counter()
    translate = load()
    translate(tf.constant([sentence]))
    return translate, Measures(time.perf_counter() - started)


def call_timed(translate, sentences, measures, seconds):
    """One timed call; appends its time to `seconds` and its translations to `measures`."""
    started = time.perf_counter()
    output = translate(tf.constant(sentences)).numpy()
    seconds.append(time.perf_counter() - started)
    measures.translations.extend(text.decode("utf-8") for text in output)


def measure_side_by_side(loaders, singles, batches):
    """Loads each way, then times every request with each way in turn (alternating which goes
    first), so that both see the same machine load.

    Args:
        loaders: dict `{name: load function}`.
        singles: sentences sent one per request.
        batches: lists of sentences sent one list per request.

    Returns:
        dict `{name: Measures}`.
    """
    loaded = {name: load_timed(load, singles[0]) for name, load in loaders.items()}
    requests = [[sentence] for sentence in singles] + batches
    for index, request in enumerate(requests):
        order = list(loaded) if index % 2 == 0 else list(reversed(loaded))
        for name in order:
            translate, measures = loaded[name]
            seconds = measures.latencies if len(request) == 1 else measures.batch_seconds
            call_timed(translate, request, measures, seconds)
    return {name: measures for name, (translate, measures) in loaded.items()}


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
            measured = measure_side_by_side(
                {"served": saved_model_loader(exported.path), "library": library_loader(args.model, decoding)},
                singles,
                batches,
            )
        served, library = measured["served"], measured["library"]
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
