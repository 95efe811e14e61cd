"""Training throughput against the same model built from Keras built-in layers, and FLOP utilization.

For each config and hidden size, builds our seq2seq model and a baseline of the same sizes made of
Keras built-in layers only (Embedding with `mask_zero`, bidirectional `LSTM`, `Dense` bridges,
`LSTM`, `Dense` query and key projections into `AdditiveAttention`, `Dense` attentional layer and
output layer: the same function and parameter count as our `bahdanau` model), compiled with the
same optimizer (Adam, the config's learning rate and clipnorm) and trained on batches of the same
size cut from the config's real training pairs. The variants train in turn, round after round, so
that they share the machine's noise, and the table gives each one's best round:

- target tokens per second, padding excluded, and the ratio to the first variant (the Keras
  baseline by default);
- achieved FLOP/s: the matmul FLOPs of the training step (forward and backward, counted from the
  layer sizes and each batch's padded shape, `training_step_flops`) per second, as a fraction of
  the float32 and bfloat16 matmul FLOP/s of this machine measured in the same run (a 2048 x 2048
  matmul);
- the target tokens per second the input pipeline delivers on its own, against the fastest
  variant's consumption (above 1x, the pipeline never starves the step).

Variants (`--variants`; the first is the reference of the ratios):

- `keras`: the Keras baseline on plainly padded batches (the obvious model: batches in shuffled
  order, each padded to its longest sequence);
- `ours`: our model on the same batches (the same function, so this isolates the implementation);
- `ours-bucketed`: our model on length-bucketed batches (`--buckets`, 8 by default);
- `ours-bf16`: our model bucketed under `mixed_bfloat16` (what `training.mixed_precision:
  mixed_bfloat16` gives; fast on CPUs with AVX-512 BF16 or AMX);
- `keras-bf16`: the Keras baseline under the same `mixed_bfloat16` and bucketing, so that the gain
  of our model itself shows apart from the gains of precision and bucketing;
- `ours-xla` (not timed by default): `ours-bucketed` with `jit_compile=True`.

Hidden size H means: encoder LSTM of H / 2 units per direction (H outputs), decoder LSTM of H
units, attention and attentional vector of H units; the embedding size and vocabularies come from
the config. Vocabularies are learned from the first `--pairs` training pairs (the timed batches
come from them too), so a run does not spend minutes learning a full WordPiece vocabulary.

Usage:

```
python bench/training_throughput.py                                # dates and Bible en-es, H = 256 and 512
python bench/training_throughput.py --configs training/configs/bible-en-es.yaml --hidden 512 --batch-size 128
python bench/training_throughput.py --variants ours-bucketed ours-xla  # is XLA worth it?
python bench/training_throughput.py --quick                        # smoke test: tiny sizes, two variants
```
"""

import argparse
import dataclasses
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

import machine
from keras_attention.config import RunConfig
from keras_attention.data.pipeline import make_dataset
from keras_attention.data.sources import load_splits
from keras_attention.models import build_seq2seq, compile_seq2seq
from keras_attention.text.tokenizer import learn_vocabulary, tokenizer_from_config
from keras_attention.text.vocab import PAD_ID
from keras_attention.trainer.precision import global_policy

ROOT = Path(__file__).resolve().parent.parent
# Variant key: (model, mixed precision policy, batch stream, jit_compile).
VARIANTS = {
    "keras": ("Keras baseline", None, "plain", False),
    "ours": ("ours", None, "plain", False),
    "ours-bucketed": ("ours", None, "bucketed", False),
    "ours-bf16": ("ours", "mixed_bfloat16", "bucketed", False),
    "keras-bf16": ("Keras baseline", "mixed_bfloat16", "bucketed", False),
    "ours-xla": ("ours", None, "bucketed", True),
}
DEFAULT_VARIANTS = ("keras", "ours", "ours-bucketed", "ours-bf16", "keras-bf16")
DEFAULT_CONFIGS = ("training/configs/dates.yaml", "training/configs/bible-en-es.yaml")


def baseline_seq2seq(model_config, source_vocabulary_size, target_vocabulary_size):
    """Our `bahdanau` model (one bidirectional encoder layer, one decoder layer) from Keras layers."""
    config = model_config
    if (config.encoder_layers, config.decoder_layers, config.bidirectional, config.attention) != (1, 1, True, "bahdanau"):
        raise ValueError("the Keras baseline exists for 1 bidirectional encoder layer, 1 decoder layer, bahdanau")
    layers = keras.layers
    source = keras.Input(shape=(None,), dtype="int32", name="source")
    target_in = keras.Input(shape=(None,), dtype="int32", name="target_in")
    x = layers.Embedding(source_vocabulary_size, config.embedding_dim, mask_zero=True)(source)
    encoder_lstm = layers.LSTM(config.encoder_units, return_sequences=True, return_state=True)
    values, forward_h, forward_c, backward_h, backward_c = layers.Bidirectional(encoder_lstm)(x)
    states = [layers.Concatenate()(pair) for pair in ((forward_h, backward_h), (forward_c, backward_c))]
    if 2 * config.encoder_units != config.decoder_units:  # the bridges, as in our encoder
        states = [layers.Dense(config.decoder_units, activation="tanh")(state) for state in states]
    y = layers.Embedding(target_vocabulary_size, config.embedding_dim, mask_zero=True)(target_in)
    decoded = layers.LSTM(config.decoder_units, return_sequences=True)(y, initial_state=states)
    query = layers.Dense(config.attention_units)(decoded)
    keys = layers.Dense(config.attention_units, use_bias=False)(values)
    context = layers.AdditiveAttention(use_scale=True)([query, values, keys])
    attentional = layers.Dense(config.attentional_units, activation="tanh", use_bias=False)(
        layers.Concatenate()([context, decoded])
    )
    logits = layers.Dense(target_vocabulary_size)(attentional)
    return keras.Model({"source": source, "target_in": target_in}, logits, name="keras_baseline")


def training_step_flops(model_config, batch, source_length, target_length, target_vocabulary_size):
    """Matmul FLOPs of one training step (forward and backward, 3x the forward) of the bahdanau model.

    Counts every matmul of the forward pass on the padded batch: the LSTM input and recurrent
    projections, the bridges, the attention projections, scores and contexts, the attentional
    layer and the output layer; backward is counted as twice the forward. Elementwise operations
    (gates, tanh, softmax) and embedding lookups are not counted.
    """
    c = model_config
    encoder_output = c.encoder_units * (2 if c.bidirectional else 1)
    forward = 0
    inputs = c.embedding_dim
    for _ in range(c.encoder_layers):
        directions = 2 if c.bidirectional else 1
        forward += directions * 2 * batch * source_length * (inputs + c.encoder_units) * 4 * c.encoder_units
        inputs = encoder_output
    if encoder_output != c.decoder_units:
        forward += c.decoder_layers * 2 * (2 * batch * encoder_output * c.decoder_units)
    inputs = c.embedding_dim
    for _ in range(c.decoder_layers):
        forward += 2 * batch * target_length * (inputs + c.decoder_units) * 4 * c.decoder_units
        inputs = c.decoder_units
    pairs = batch * target_length * source_length
    forward += 2 * batch * source_length * encoder_output * c.attention_units  # keys
    forward += 2 * batch * target_length * c.decoder_units * c.attention_units  # query
    forward += 2 * pairs * c.attention_units  # v^T tanh(...)
    forward += 2 * pairs * encoder_output  # contexts
    forward += 2 * batch * target_length * (encoder_output + c.decoder_units) * c.attentional_units
    forward += 2 * batch * target_length * c.attentional_units * target_vocabulary_size
    return 3 * forward


def matmul_peak(dtype, size=2048, repeats=3):
    """Best FLOP/s of a `size` x `size` matmul in `dtype` over a few timed rounds."""
    a = tf.cast(tf.random.normal((size, size)), dtype)
    b = tf.cast(tf.random.normal((size, size)), dtype)
    matmul = tf.function(lambda: tf.reduce_sum(tf.cast(tf.matmul(a, b)[:1, :1], tf.float32)))
    matmul()
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(3):
            matmul().numpy()
        best = min(best, (time.perf_counter() - started) / 3)
    return 2 * size**3 / best


def hidden_config(model_config, hidden):
    """`model_config` with hidden size `hidden` (see the module docstring)."""
    return dataclasses.replace(
        model_config,
        encoder_units=hidden // 2,
        bidirectional=True,
        decoder_units=hidden,
        attention="bahdanau",
        attention_units=hidden,
        attentional_units=hidden,
        dropout=0.0,
    )


def batches(pairs, tokenizers, config, batch_size, buckets, steps):
    """The first `steps` full batches of the config's shuffled pipeline, as NumPy arrays."""
    dataset = make_dataset(
        pairs,
        *tokenizers,
        batch_size,
        shuffle_buffer=len(pairs),
        seed=config.training.seed,
        buckets=buckets,
        length_policy=config.data.length_policy,
    )

    def full_batch(inputs, outputs):
        return tf.shape(outputs)[0] == batch_size

    full = dataset.filter(full_batch)
    return [
        ({name: ids.numpy() for name, ids in inputs.items()}, outputs.numpy())
        for inputs, outputs in full.take(steps)
    ]


@dataclasses.dataclass
class Variant:
    """One model and batch stream that is timed."""

    name: str
    model: keras.Model
    batches: list
    tokens: int = 0
    flops: float = 0.0
    seconds: list = dataclasses.field(default_factory=list)

    def tokens_per_second(self):
        return self.tokens / min(self.seconds)

    def flops_per_second(self):
        return self.flops / min(self.seconds)


def build_variant(name, builder, model_config, vocabulary_sizes, training_config, policy, jit_compile, batch_list):
    with global_policy(policy):
        model = builder(model_config, *vocabulary_sizes)
        compile_seq2seq(model, training_config)
        model.jit_compile = jit_compile
        for inputs, outputs in batch_list:  # every batch shape traced before timing
            model.train_on_batch(inputs, outputs)
    variant = Variant(name, model, batch_list)
    for inputs, outputs in batch_list:
        variant.tokens += int(np.sum(outputs != PAD_ID))
        source_length, target_length = inputs["source"].shape[1], outputs.shape[1]
        variant.flops += training_step_flops(
            model_config, outputs.shape[0], source_length, target_length, vocabulary_sizes[1]
        )
    return variant


def run_variants(variants, rounds, peaks):
    """Times every variant once per round; the matmul peaks are measured in every round too."""
    for _ in range(rounds):
        for dtype in peaks:
            peaks[dtype] = max(peaks[dtype], matmul_peak(tf.as_dtype(dtype)))
        for variant in variants:
            started = time.perf_counter()
            for inputs, outputs in variant.batches:
                variant.model.train_on_batch(inputs, outputs)
            variant.seconds.append(time.perf_counter() - started)


def benchmark(config_path, hidden, args, peaks):
    config = RunConfig.from_yaml(config_path)
    pairs = load_splits(config.data).train.head(args.pairs)
    tokenizers = [
        tokenizer_from_config(side, learn_vocabulary(side, [pair[index] for pair in pairs]))
        for index, side in enumerate((config.source, config.target))
    ]
    vocabulary_sizes = tuple(tokenizer.vocabulary_size for tokenizer in tokenizers)
    batch_size = args.batch_size or config.training.batch_size
    model_config = hidden_config(config.model, hidden)
    plain = batches(pairs, tokenizers, config, batch_size, 1, args.steps)
    bucketed = batches(pairs, tokenizers, config, batch_size, args.buckets, args.steps)
    streams = {"plain": plain, "bucketed": bucketed}
    builders = {"Keras baseline": baseline_seq2seq, "ours": build_seq2seq}
    variants = []
    for key in args.variants:
        model, policy, stream, jit = VARIANTS[key]
        name = f"{model}, {policy or 'float32'}, {stream}" + (", jit_compile" if jit else "")
        variants.append(
            build_variant(name, builders[model], model_config, vocabulary_sizes, config.training, policy, jit, streams[stream])
        )
    run_variants(variants, args.rounds, peaks)
    padding = {
        name: 1 - sum(int(np.sum(o != PAD_ID)) for _, o in batch_list) / sum(o.size for _, o in batch_list)
        for name, batch_list in streams.items()
    }
    fastest = max(variant.tokens_per_second() for variant in variants)
    supply = pipeline_tokens_per_second(pairs, tokenizers, config, batch_size, args.buckets)
    heading = (
        f"\n### {Path(config_path).name}, hidden {hidden}, batch {batch_size}\n\n"
        f"{len(pairs):,} training pairs, vocabularies {vocabulary_sizes[0]:,} / {vocabulary_sizes[1]:,}; "
        f"{args.steps} steps per round, best of {args.rounds} rounds; target padding "
        f"{100 * padding['plain']:.1f}% plain, {100 * padding['bucketed']:.1f}% bucketed. The input pipeline "
        f"alone (`make_dataset`, bucketed, one epoch of these pairs) supplies {supply:,.0f} target tokens/s, "
        f"{supply / fastest:.1f}x what the fastest variant consumes.\n"
    )
    return heading, variants


def print_table(heading, variants, peaks):
    """Prints one benchmark's table; FLOP/s as fractions of the best peaks of the whole run."""
    reference = variants[0].tokens_per_second()
    print(heading)
    print(
        f"| variant | parameters | target tokens/s | vs {variants[0].name} | matmul GFLOP/s | of float32 peak "
        "| of bfloat16 peak |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for variant in variants:
        achieved = variant.flops_per_second()
        print(
            f"| {variant.name} | {variant.model.count_params():,} | {variant.tokens_per_second():,.0f} | "
            f"{variant.tokens_per_second() / reference:.2f}x | {achieved / 1e9:.1f} | "
            f"{100 * achieved / peaks['float32']:.0f}% | {100 * achieved / peaks['bfloat16']:.0f}% |"
        )


def pipeline_tokens_per_second(pairs, tokenizers, config, batch_size, buckets):
    """Target tokens per second that the training input pipeline delivers on its own (one epoch)."""
    dataset = make_dataset(
        pairs, *tokenizers, batch_size, shuffle_buffer=len(pairs), seed=config.training.seed, buckets=buckets,
        length_policy=config.data.length_policy,
    )  # fmt: skip
    started = time.perf_counter()
    tokens = sum(int(tf.math.count_nonzero(outputs)) for _, outputs in dataset)
    return tokens / (time.perf_counter() - started)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", nargs="+", default=None, help="YAML run configs (default: dates and Bible en-es)")
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 512], help="hidden sizes")
    parser.add_argument("--batch-size", type=int, default=128, help="batch size (0: the config's)")
    parser.add_argument("--pairs", type=int, default=4096, help="training pairs to learn vocabularies and cut batches from")
    parser.add_argument("--buckets", type=int, default=8, help="length buckets of the bucketed variants")
    parser.add_argument("--steps", type=int, default=6, help="timed steps per variant and round")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds")
    parser.add_argument(
        "--variants", nargs="+", choices=sorted(VARIANTS), default=list(DEFAULT_VARIANTS),
        help="what to time; the first is the reference of the ratios (default: all but ours-xla)",
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="smoke test: tiny sizes, a few seconds")
    args = parser.parse_args(argv)
    configs = args.configs or [str(ROOT / path) for path in DEFAULT_CONFIGS]
    if args.quick:
        configs, args.hidden, args.batch_size, args.pairs, args.steps, args.rounds = configs[:1], [8], 8, 64, 1, 1
        args.variants = args.variants[:2]
    peaks = {"float32": 0.0, "bfloat16": 0.0}
    print(f"## Training throughput\n\n{machine.describe()}")
    results = [benchmark(config_path, hidden, args, peaks) for config_path in configs for hidden in args.hidden]
    for heading, variants in results:
        print_table(heading, variants, peaks)
    print(
        f"\nMatmul peak of this machine (2048 x 2048, best of all rounds): float32 "
        f"{peaks['float32'] / 1e9:.0f} GFLOP/s, bfloat16 {peaks['bfloat16'] / 1e9:.0f} GFLOP/s."
    )


if __name__ == "__main__":
    main()
