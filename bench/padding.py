"""How much padding length bucketing saves on a config's training split.

Usage (from the repository root):

    python bench/padding.py --config training/configs/bible-en-es.yaml [--char] [--buckets 4 8 16]

Reads the training pairs that the config names, learns the vocabularies as training would (or
character vocabularies with --char, much faster than learning WordPiece), applies the config's
length policy, and prints, for each bucket count, the share of batch positions that are padding
with plain batching and with bucketing, and the share of the padding that bucketing saves.
"""

import argparse
import dataclasses
import time

from keras_attention.config import RunConfig
from keras_attention.data.lengths import length_report
from keras_attention.data.padding import compare_padding
from keras_attention.data.sources import load_splits
from keras_attention.text.tokenizer import learn_vocabulary, tokenizer_from_config


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="YAML run config")
    parser.add_argument("--char", action="store_true", help="character tokenizers instead of the config's")
    parser.add_argument("--buckets", type=int, nargs="+", default=None, help="bucket counts (default: the config's)")
    args = parser.parse_args(argv)
    config = RunConfig.from_yaml(args.config)
    if args.char:
        config.source = dataclasses.replace(config.source, tokenizer="char", max_length=256)
        config.target = dataclasses.replace(config.target, tokenizer="char", max_length=256)
    pairs = load_splits(config.data).train.head()
    started = time.perf_counter()
    tokenizers = [
        tokenizer_from_config(side, learn_vocabulary(side, [pair[index] for pair in pairs]))
        for index, side in enumerate((config.source, config.target))
    ]
    print(
        f"{config.data.train}: {len(pairs):,} pairs; {config.source.tokenizer} vocabularies "
        f"{tokenizers[0].vocabulary_size:,} / {tokenizers[1].vocabulary_size:,} learned in "
        f"{time.perf_counter() - started:.0f} s"
    )
    lengths = length_report(pairs, *tokenizers, config.data.length_policy)
    print(lengths.describe() or "no pair is longer than max_length")
    print(f"batch size {config.training.batch_size}, length policy {config.data.length_policy}")
    print("buckets  plain padding  bucketed padding  padding saved")
    for buckets in args.buckets or [config.data.buckets]:
        comparison = compare_padding(
            pairs, *tokenizers, config.training.batch_size, buckets, config.data.length_policy, config.training.seed
        )
        print(
            f"{buckets:7d}  {100 * comparison.plain.padding_share:12.1f}%  "
            f"{100 * comparison.bucketed.padding_share:15.1f}%  {100 * comparison.saved:12.1f}%"
        )


if __name__ == "__main__":
    main()
