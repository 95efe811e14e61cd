"""Real-sized corpora: time to the first training step, peak memory, streaming throughput.

Generates Bible-like corpora of `--sizes` pairs (default 100k, 1M and 5M) with its own generator:
each pair is a random verse of the Bible en-es training split in which every name (a capitalized
word that the source and the target share, such as "David") is replaced, on both sides alike, by
an invented name drawn from a Zipf distribution over a million syllable names, so that the word
types have a long tail as in real corpora. Files are cached in `--directory`.

For each size, in a fresh `keras-attention train`-like process with the Bible config's model and
tokenizers (`--config`) pointed at the generated TSV:

- seconds from the process start to the end of the first training step;
- peak RSS at that point, above the peak RSS of a process that only imports TensorFlow,
  tensorflow-text and Keras (measured in the same run);
- how that time splits: from the imports to the start of vocabulary learning (mostly the
  checking pass over the files), and learning the vocabularies.

At the smallest size it also measures, side by side and alternating rounds:

- steady-state training target tokens/s of the streamed pipeline (`corpus_dataset` over the file,
  tokenizing as it goes) against the in-memory one of before (`make_dataset` over the same pairs
  in a Python list, its cache of tokenized pairs filled by a first epoch);
- target tokens/s that the streamed input pipeline delivers on its own, against what the training
  step consumes.

Usage:

```
python bench/scale.py                              # 100k, 1M, 5M pairs (about 25 minutes)
python bench/scale.py --sizes 100000 --rounds 1    # one size
python bench/scale.py --quick                      # smoke run: 3k pairs, tiny steps
```
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIBLE = ROOT.parent / "shared" / "data" / "bible" / "web-sparv.train.tsv"
SYLLABLES = [consonant + vowel for consonant in "bdfgklmnprstvz" for vowel in "aeiou"] + ["ar", "el", "on", "is"]
NAME_TYPES = 1_000_000
WORD = re.compile(r"\b[A-Z][a-z]+\b")


def invented_name(rank):
    """A pronounceable name for a Zipf rank, the same for the same rank."""
    syllables = []
    rank += len(SYLLABLES)
    while rank:
        rank, index = divmod(rank, len(SYLLABLES))
        syllables.append(SYLLABLES[index])
    return "".join(syllables).capitalize()


def generate(path, size, seed=0):
    """Writes `size` Bible-like pairs with invented names to `path` (a TSV) unless it exists."""
    if path.exists():
        return path
    verses = [line.rstrip("\n").split("\t") for line in BIBLE.open(encoding="utf-8")]
    generator = random.Random(seed)
    weights = [1 / rank**1.1 for rank in range(1, NAME_TYPES + 1)]
    ranks = generator.choices(range(NAME_TYPES), weights=weights, k=size * 3)
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as handle:
        for index in range(size):
            source, target = verses[generator.randrange(len(verses))]
            names = [word for word in dict.fromkeys(WORD.findall(source)) if word in target][:3]
            for slot, name in enumerate(names):
                invented = invented_name(ranks[3 * index + slot])
                pattern = re.compile(rf"\b{name}\b")
                source, target = pattern.sub(invented, source), pattern.sub(invented, target)
            handle.write(f"{source}\t{target}\n")
    partial.rename(path)
    return path


IMPORT_ONLY = """
import resource, tensorflow, tensorflow_text, keras
print("RESULT", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

FIRST_STEP = """
import time
started = time.time()
import json, resource, sys
import keras
from keras_attention.config import RunConfig
from keras_attention.trainer import train

class FirstStep(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        self.model.stop_training = True
        if not hasattr(self, "seconds"):
            self.seconds = time.time() - started
            self.rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

marks = {"imported": round(time.time() - started, 1)}
def log(line):
    marks.setdefault(line.split(" ")[0], round(time.time() - started, 1))

config = RunConfig.from_yaml(sys.argv[1])
config.data.train, config.data.dev = sys.argv[2], None
config.data.vocabulary_sample = None  # the default, not the Bible config's whole-corpus sample
config.evaluation.dev_bleu_sentences = 0
config.training.monitor = "loss"
config.training.epochs = 1
config.training.attention_images = 0
first = FirstStep()
train(config, sys.argv[3], overwrite=True, verbose=0, log=log, callbacks=[first])
print("RESULT", json.dumps({"seconds": first.seconds, "rss_kib": first.rss, "marks": marks}))
"""


def child(code, *args):
    """Runs `code` in a fresh Python process; returns what it printed after `RESULT`."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, env=env)
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    if result.returncode or not lines:
        raise RuntimeError(f"child process failed:\n{result.stderr[-3000:]}")
    return json.loads(lines[-1][len("RESULT ") :])


def first_step(config, corpus, directory):
    """Seconds to the first step, peak RSS above import-only (MiB), and when the phases began."""
    baseline = child(IMPORT_ONLY)
    measured = child(FIRST_STEP, config, corpus, directory / "run")
    return measured["seconds"], (measured["rss_kib"] - baseline) / 1024, measured["marks"]


def throughput(config_path, corpus_path, pairs, steps, rounds):
    """Training tokens/s streamed vs in memory, and the streamed pipeline alone, alternating rounds."""
    import keras
    import numpy as np

    from keras_attention.config import RunConfig
    from keras_attention.data.corpus import scan_files
    from keras_attention.data.pipeline import corpus_dataset, make_dataset
    from keras_attention.models import build_seq2seq, compile_seq2seq
    from keras_attention.text.tokenizer import learn_vocabularies, tokenizer_from_config

    config = RunConfig.from_yaml(config_path)
    config.data.train = str(corpus_path)
    config.data.vocabulary_sample = None
    corpus = scan_files(config.data, config.vocabulary_sample_size(), config.training.seed)
    sides = [(side, [pair[index] for pair in corpus.sample], None) for index, side in enumerate((config.source, config.target))]
    tokenizers = [tokenizer_from_config(side, vocabulary) for (side, _, _), vocabulary in zip(sides, learn_vocabularies(sides))]
    options = dict(
        shuffle_buffer=config.training.shuffle_buffer,
        seed=0,
        buckets=config.data.buckets,
        length_policy=config.data.length_policy,
    )
    batch = config.training.batch_size
    in_memory = make_dataset(corpus.head(pairs), *tokenizers, batch, cache=True, **options)
    for _ in in_memory:  # one epoch fills the cache: later epochs of today's path read it
        pass
    datasets = {
        "in-memory": in_memory.repeat(),
        "streamed": corpus_dataset(corpus, *tokenizers, batch, **options).repeat(),
    }
    model = build_seq2seq(config.model, tokenizers[0].vocabulary_size, tokenizers[1].vocabulary_size)
    compile_seq2seq(model, config.training)
    iterators = {name: iter(dataset) for name, dataset in datasets.items()}

    def tokens_per_second(name, train):
        iterator = iterators[name]
        if train:
            model.train_on_batch(*next(iterator))  # warm: traced for this shape family
        tokens, started = 0, time.perf_counter()
        for _ in range(steps):
            inputs, target = next(iterator)
            if train:
                model.train_on_batch(inputs, target)
            tokens += int(np.count_nonzero(target))
        return tokens / (time.perf_counter() - started)

    for name in datasets:  # fill the in-memory cache and trace before timing
        for _ in range(3):
            model.train_on_batch(*next(iterators[name]))
    best = {"in-memory": 0.0, "streamed": 0.0, "pipeline": 0.0}
    for _ in range(rounds):
        for name in ("in-memory", "streamed"):
            best[name] = max(best[name], tokens_per_second(name, train=True))
        best["pipeline"] = max(best["pipeline"], tokens_per_second("streamed", train=False))
    keras.backend.clear_session()
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "training/configs/bible-en-es.yaml"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 5_000_000])
    parser.add_argument("--directory", default=str(Path(tempfile.gettempdir()) / "keras-attention-scale"))
    parser.add_argument("--steps", type=int, default=60, help="timed training steps per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="smoke run: 3,000 pairs, 3 steps, 1 round")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.steps, args.rounds = [3000], 3, 1
    if not BIBLE.is_file():
        print(f"skipped: {BIBLE} is absent (the generator builds on the Bible en-es corpus)")
        return
    directory = Path(args.directory)
    directory.mkdir(parents=True, exist_ok=True)
    print("| pairs | file MB | generated in s | first step after s | imports to vocabularies s | vocabularies s | peak RSS above imports MiB |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for size in args.sizes:
        started = time.perf_counter()
        corpus = generate(directory / f"bible-like-{size}.tsv", size)
        generated = time.perf_counter() - started
        seconds, rss, marks = first_step(args.config, corpus, directory)
        vocabularies = marks.get("data:", seconds) - marks.get("learning", seconds)
        checking = marks.get("learning", seconds) - marks["imported"]
        print(
            f"| {size:,} | {corpus.stat().st_size / 1e6:,.0f} | {generated:.0f} | {seconds:.1f} | "
            f"{checking:.1f} | {vocabularies:.1f} | {rss:,.0f} |",
            flush=True,
        )
    smallest = directory / f"bible-like-{min(args.sizes)}.tsv"
    best = throughput(args.config, smallest, min(args.sizes), args.steps, args.rounds)
    print()
    print(f"At {min(args.sizes):,} pairs, best of {args.rounds} alternating rounds of {args.steps} steps:")
    print()
    print("| input | training target tokens/s | ratio |")
    print("| --- | --- | --- |")
    for name in ("in-memory", "streamed"):
        print(f"| {name} | {best[name]:,.0f} | {best[name] / best['in-memory']:.2f}x |")
    print()
    print(
        f"Streamed input pipeline alone: {best['pipeline']:,.0f} target tokens/s, "
        f"{best['pipeline'] / best['streamed']:.1f}x what the training step consumes."
    )


if __name__ == "__main__":
    main()
