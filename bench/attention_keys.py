"""The attention keys computed once per source sentence against once per decoder step.

An additive score projects every encoder state (`W_v h_j`). The library computes these keys once
per sentence: `AttentionRNN` before its loop over time (attention inside the step), and the
inference models of `inference_models` in the encoder (`AttentionMemory`) for step-by-step
decoding. This script times both against the projection at every step, side by side:

- training steps of an `in_step` model whose cell's class is switched to `PerStepKeysCell`
  (`uses_memory_keys` is False, so its attention projects the memory at every step) against the
  library's cell;
- greedy and beam-5 decoding with the training sub-models (`encoder`, `decoder`: keys at every
  step) against `inference_models` (keys once); the outputs are checked to be identical.

Usage:

```
python bench/attention_keys.py           # dates sizes, about 2 minutes
python bench/attention_keys.py --quick   # smoke test
```
"""

import argparse
import time

import numpy as np
import tensorflow as tf

from keras_attention.config import ModelConfig, TrainingConfig
from keras_attention.decoding import beam_search_decode, greedy_decode
from keras_attention.layers import AttentionRNNCell
from keras_attention.models import build_seq2seq, compile_seq2seq, inference_models

VOCABULARY = 60


class PerStepKeysCell(AttentionRNNCell):
    """The library's cell, made to project the memory at every step (the behaviour before)."""

    @property
    def uses_memory_keys(self):
        return False


def dates_sized_config(**changes):
    return ModelConfig(
        embedding_dim=32, encoder_units=64, decoder_units=128, attention_units=64, attentional_units=128, **changes
    )


def timed(function):
    """Seconds one call of `function` takes."""
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def training_rows(args, rng):
    inputs = {
        "source": rng.integers(4, VOCABULARY, (args.batch_size, args.source_length)).astype("int32"),
        "target_in": rng.integers(4, VOCABULARY, (args.batch_size, args.target_length)).astype("int32"),
    }
    outputs = np.roll(inputs["target_in"], -1, axis=1)
    models = {}
    for name, cell_class in (("keys at every step", PerStepKeysCell), ("keys once per sequence", AttentionRNNCell)):
        model = build_seq2seq(dates_sized_config(attention_placement="in_step", input_feeding=True), VOCABULARY, VOCABULARY)
        # The same weights and graph; only where the keys are computed differs.
        model.get_layer("decoder").get_layer("decoder_rnn").cell.__class__ = cell_class
        compile_seq2seq(model, TrainingConfig())
        model.train_on_batch(inputs, outputs)
        models[name] = model
    seconds = {name: [] for name in models}
    for _ in range(args.rounds):
        for name, model in models.items():
            seconds[name].append(timed(lambda m=model: m.train_on_batch(inputs, outputs)))
    return [(f"in_step training step, {name}", min(times) * 1000, "ms") for name, times in seconds.items()]


def decoding_rows(args, rng):
    model = build_seq2seq(dates_sized_config(), VOCABULARY, 15)
    source = tf.constant(rng.integers(4, VOCABULARY, (args.sentences, args.source_length)).astype("int32"))
    setups = {
        "keys at every step": (model.get_layer("encoder"), model.get_layer("decoder")),
        "keys once per sentence": inference_models(model),
    }
    rows, outputs = [], {}
    for strategy in ("greedy", "beam 5"):
        functions = {}
        for name, (encoder, decoder) in setups.items():
            if strategy == "greedy":
                functions[name] = tf.function(lambda ids, e=encoder, d=decoder: greedy_decode(e, d, ids, 17)["ids"])
            else:
                functions[name] = tf.function(
                    lambda ids, e=encoder, d=decoder: beam_search_decode(e, d, ids, 17, beam_size=5)["ids"]
                )
            outputs[name] = functions[name](source).numpy()
        np.testing.assert_array_equal(*outputs.values())
        seconds = {name: [] for name in functions}
        for _ in range(args.rounds):
            for name, function in functions.items():
                seconds[name].append(timed(lambda f=function: f(source).numpy()))
        rows += [(f"{strategy} decoding, {name}", args.sentences / min(times), "sentences/s") for name, times in seconds.items()]
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-size", type=int, default=64, help="training batch")
    parser.add_argument("--source-length", type=int, default=32)
    parser.add_argument("--target-length", type=int, default=24)
    parser.add_argument("--sentences", type=int, default=256, help="sentences decoded in one batch")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds, alternating; the best counts")
    parser.add_argument("--quick", action="store_true", help="smoke test: tiny sizes, one round")
    args = parser.parse_args(argv)
    if args.quick:
        args.batch_size, args.source_length, args.target_length, args.sentences, args.rounds = 4, 6, 4, 4, 1
    rng = np.random.default_rng(0)
    rows = training_rows(args, rng) + decoding_rows(args, rng)
    print("| measurement | value | ratio (keys once / every step) |")
    print("| --- | --- | --- |")
    for index in range(0, len(rows), 2):
        (before_name, before, unit), (after_name, after, _) = rows[index], rows[index + 1]
        faster = before / after if unit == "ms" else after / before
        print(f"| {before_name} | {before:,.1f} {unit} | |")
        print(f"| {after_name} | {after:,.1f} {unit} | {faster:.2f}x faster |")


if __name__ == "__main__":
    main()
