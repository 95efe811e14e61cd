"""Decoding speed: in-graph greedy and beam search against a plain Python step-by-step loop.

Decodes the same sources (generated dates, or the sources of a TSV file such as the Bible dev set,
sorted by length) with the library decoders (`greedy_decode`, `beam_search_decode`,
each in a `tf.function`, one graph loop per batch) and with a plain Python loop that calls the
same one-step decoder eagerly once per token and does the bookkeeping in NumPy. Both give the same
outputs (checked), so the ratio is the cost of running the loop in Python.

Usage:

```
keras-attention train --config training/configs/dates.yaml --output runs/dates
python bench/decoding.py --model runs/dates
python bench/decoding.py --model runs/dates --quick   # smoke test, a few seconds
keras-attention train --config training/configs/bible-en-es.yaml --output runs/bible-en-es
python bench/decoding.py --model runs/bible-en-es --data ../shared/data/bible/web-sparv.dev.tsv
```
"""

import argparse
import contextlib
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from keras_attention.data import dates
from keras_attention.data.readers import read_tsv
from keras_attention.decoding import beam_search_decode, greedy_decode
from keras_attention.export.serving import generic_lstm_kernels
from keras_attention.models import inference_models
from keras_attention.runs import load_run
from keras_attention.text.vocab import END_ID, PAD_ID, START_ID

_IDS = tf.TensorSpec([None, None], tf.int32)


def _log_probs(decoder, tokens, encoder_outputs, source_mask, states):
    """One eager decoder step; NumPy `(batch, V)` log-probabilities (`<pad>` excluded) and states."""
    logits, _, *states = decoder(
        [keras.ops.convert_to_tensor(tokens[:, None], "int32"), encoder_outputs, source_mask, *states]
    )
    log_probs = np.array(keras.ops.log_softmax(logits[:, 0, :], axis=-1))
    log_probs[:, PAD_ID] = -np.inf
    return log_probs, states


def python_greedy(encoder, decoder, source_ids, max_length):
    """Greedy decoding, one Python iteration per token; returns ids `(batch, max_length)`."""
    encoder_outputs, source_mask, *states = encoder(source_ids)
    batch = source_ids.shape[0]
    ids = np.zeros((batch, max_length), "int32")
    tokens = np.full(batch, START_ID, "int32")
    finished = np.zeros(batch, bool)
    for step in range(max_length):
        log_probs, states = _log_probs(decoder, tokens, encoder_outputs, source_mask, states)
        tokens = np.where(finished, PAD_ID, log_probs.argmax(axis=-1)).astype("int32")
        ids[:, step] = tokens
        finished |= tokens == END_ID
        if finished.all():
            break
    return ids


def python_beam_search(encoder, decoder, source_ids, max_length, beam_size):
    """Beam search without penalties, one Python iteration per token; best ids `(batch, max_length)`.

    The same search as `beam_search_decode` (ending extensions count when among the `beam_size`
    best of their step; a sentence stops when no alive hypothesis can beat its best finished one).
    """
    encoder_outputs, source_mask, *states = encoder(source_ids)
    batch = source_ids.shape[0]
    repeat = np.repeat(np.arange(batch), beam_size)
    encoder_outputs, source_mask = (keras.ops.take(tensor, repeat, axis=0) for tensor in (encoder_outputs, source_mask))
    states = [keras.ops.take(state, repeat, axis=0) for state in states]
    alive_log_probs = np.tile(np.where(np.arange(beam_size) == 0, 0.0, -np.inf), (batch, 1)).astype("float32")
    alive_ids = np.zeros((batch, beam_size, max_length), "int32")
    best_scores = np.full(batch, -np.inf)
    best_ids = np.zeros((batch, max_length), "int32")
    tokens = np.full(batch * beam_size, START_ID, "int32")
    rows = np.arange(batch)[:, None]
    for step in range(max_length):
        log_probs, states = _log_probs(decoder, tokens, encoder_outputs, source_mask, states)
        vocabulary_size = log_probs.shape[-1]
        extended = (alive_log_probs[:, :, None] + log_probs.reshape(batch, beam_size, -1)).reshape(batch, -1)
        order = np.argsort(-extended, axis=1, kind="stable")[:, : 2 * beam_size]
        beams, candidate_tokens = order // vocabulary_size, order % vocabulary_size
        scores = np.take_along_axis(extended, order, axis=1)
        ending = (candidate_tokens == END_ID) | (step + 1 == max_length)
        candidate_ids = alive_ids[rows, beams]
        candidate_ids[:, :, step] = candidate_tokens
        finishing = np.where(ending[:, :beam_size], scores[:, :beam_size], -np.inf)
        first = finishing.argmax(axis=1)
        better = finishing[np.arange(batch), first] > best_scores
        best_scores = np.where(better, finishing[np.arange(batch), first], best_scores)
        best_ids[better] = candidate_ids[np.arange(batch), first][better]
        keep = np.argsort(np.where(ending, 1, 0), axis=1, kind="stable")[:, :beam_size]
        kept_scores = np.take_along_axis(scores, keep, axis=1)
        alive_log_probs = np.where(np.take_along_axis(ending, keep, axis=1), -np.inf, kept_scores)
        alive_ids = np.take_along_axis(candidate_ids, keep[:, :, None], axis=1)
        alive_log_probs[best_scores >= alive_log_probs.max(axis=1)] = -np.inf
        if np.isinf(alive_log_probs).all():
            break
        chosen = np.take_along_axis(beams, keep, axis=1)
        states = [keras.ops.take(state, (rows * beam_size + chosen).reshape(-1), axis=0) for state in states]
        tokens = np.take_along_axis(candidate_tokens, keep, axis=1).reshape(-1).astype("int32")
    return best_ids


def _time(function, batches):
    """Wall time of `function` over every batch; returns (seconds, outputs)."""
    started = time.perf_counter()
    outputs = [function(batch) for batch in batches]
    return time.perf_counter() - started, outputs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="dates run directory written by `keras-attention train`")
    parser.add_argument("--data", help="source<TAB>target file whose sources are decoded (default: generated dates)")
    parser.add_argument("--sentences", type=int, default=2048, help="sources to decode (the first N of --data)")
    parser.add_argument("--batch-size", type=int, default=256, help="sentences per decoder call")
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="timed passes of each method, in turn; the fastest counts")
    parser.add_argument(
        "--generic-lstm-kernels",
        action="store_true",
        help="decode with every LSTM's use_cudnn set to False, as the export does (the same kernel on a CPU)",
    )
    parser.add_argument("--quick", action="store_true", help="smoke test: 8 sentences, one pass")
    args = parser.parse_args(argv)
    if args.quick:
        args.sentences, args.batch_size, args.repeats = 8, 8, 1

    run = load_run(args.model)
    encoder, decoder = inference_models(run.model)
    with generic_lstm_kernels(encoder, decoder) if args.generic_lstm_kernels else contextlib.nullcontext():
        _compare(args, run, encoder, decoder)


def _compare(args, run, encoder, decoder):
    """Times and checks the four methods on `args`' sources and prints the table."""
    max_length = run.config.decoding.max_length + 1
    if args.data:
        sources = [source for source, _ in read_tsv(args.data).pairs[: args.sentences]]
    else:
        sources = [source for source, _ in dates.generate_pairs(args.sentences, seed=2024)]
    sources.sort(key=len)  # batches of similar lengths, as `Translator.translate` makes them
    batches = [
        run.source_tokenizer.encode_source(tf.constant(sources[start : start + args.batch_size]))["ids"]
        for start in range(0, len(sources), args.batch_size)
    ]
    graph_greedy = tf.function(
        lambda ids: greedy_decode(encoder, decoder, ids, max_length)["ids"], input_signature=[_IDS]
    )
    graph_beam = tf.function(
        lambda ids: beam_search_decode(encoder, decoder, ids, max_length, beam_size=args.beam_size)["ids"][:, 0],
        input_signature=[_IDS],
    )
    methods = {
        "greedy, graph loop": graph_greedy,
        "greedy, Python loop": lambda ids: python_greedy(encoder, decoder, ids, max_length),
        f"beam {args.beam_size}, graph loop": graph_beam,
        f"beam {args.beam_size}, Python loop": lambda ids: python_beam_search(
            encoder, decoder, ids, max_length, args.beam_size
        ),
    }
    graph_greedy(batches[0])
    graph_beam(batches[0])
    # Passes alternate between the methods, so that a slow spell of the machine hits them alike.
    seconds, outputs = dict.fromkeys(methods, np.inf), {}
    for _ in range(args.repeats):
        for name, function in methods.items():
            elapsed, outputs[name] = _time(function, batches)
            seconds[name] = min(seconds[name], elapsed)
    names = list(methods)
    for graph, python in ((names[0], names[1]), (names[2], names[3])):
        for graph_ids, python_ids in zip(outputs[graph], outputs[python]):
            np.testing.assert_array_equal(np.asarray(graph_ids), python_ids, err_msg=f"{graph} != {python}")

    rate = {name: len(sources) / seconds[name] for name in names}
    described = Path(args.data).name if args.data else "generated dates"
    kernels = "; every LSTM with use_cudnn=False" if args.generic_lstm_kernels else ""
    print(
        f"{len(sources)} sentences of {described}, batch {args.batch_size}, best of {args.repeats}"
        f"{kernels}; outputs identical"
    )
    print(f"{'method':<24}{'sentences/s':>14}{'vs Python loop':>16}{'vs graph greedy':>17}")
    for index, name in enumerate(names):
        python = names[index - index % 2 + 1]
        print(
            f"{name:<24}{rate[name]:>14,.0f}{rate[name] / rate[python]:>15.1f}x"
            f"{seconds[name] / seconds[names[0]]:>15.2f}x cost"
        )


if __name__ == "__main__":
    main()
