"""The streamed training corpus: one checking pass, seeded samples, tf.data reading, shards."""

import collections
import gzip
import json

import numpy as np
import pytest

from keras_attention.config import DataConfig, RunConfig, TextConfig
from keras_attention.data.corpus import PairList, scan_files, training_files
from keras_attention.data.pipeline import corpus_dataset
from keras_attention.data.readers import read_jsonl, read_parallel, read_tsv
from keras_attention.errors import ConfigError, DataError
from keras_attention.text.tokenizer import learn_vocabulary, tokenizer_from_config

PAIRS = [(f"source {index} ü", f"target {index} ñ") for index in range(800)]


def streamed(corpus, **options):
    return [(source.decode(), target.decode()) for source, target in corpus.text_dataset(**options).as_numpy_iterator()]


def write_bytes(path, data):
    if path.suffix == ".gz":
        with gzip.open(path, "wb") as handle:
            handle.write(data)
    else:
        path.write_bytes(data)
    return path


def tsv_lines(pairs, attribution=False):
    return [f"{source}\t{target}" + ("\tCC-BY 2.0 (France) Attribution: tatoeba.org" if attribution else "") for source, target in pairs]


# Line quirks every format gets: a byte-order mark, CRLF ends, no final line end.
def quirky(lines):
    return b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8")


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("task", ["tsv", "anki", "jsonl", "parallel"])
def test_streaming_reads_the_same_pairs_as_the_readers(tmp_path, task, compressed):
    gz = ".gz" if compressed else ""
    halves = (PAIRS[:400], PAIRS[400:])
    if task == "parallel":
        for number, half in enumerate(halves):
            write_bytes(tmp_path / f"part{number}.en{gz}", quirky([source for source, _ in half]))
            write_bytes(tmp_path / f"part{number}.es{gz}", quirky([target for _, target in half]))
        config = DataConfig(format=task, train=str(tmp_path / "part*"), source_suffix=f".en{gz}", target_suffix=f".es{gz}")
    else:
        for number, half in enumerate(halves):
            if task == "jsonl":
                lines = [json.dumps({"source": source, "target": target, "id": 1}) for source, target in half]
            else:
                lines = tsv_lines(half, attribution=task == "anki")
            write_bytes(tmp_path / f"part{number}.txt{gz}", quirky(lines))
        config = DataConfig(format=task, train=[str(tmp_path / f"part{number}.txt{gz}") for number in range(2)])
    corpus = scan_files(config, sample_size=100)
    assert (corpus.size, corpus.lines, len(corpus.files)) == (800, 800, 2)
    assert collections.Counter(streamed(corpus)) == collections.Counter(PAIRS)
    assert corpus.head() == PAIRS and corpus.head(3) == PAIRS[:3]
    if not compressed:  # the in-memory readers give the same pairs
        first = corpus.files[0]
        reader = {
            "tsv": lambda: read_tsv(first[0]),
            "anki": lambda: read_tsv(first[0], attribution=True),
            "jsonl": lambda: read_jsonl(first[0]),
            "parallel": lambda: read_parallel(*first),
        }[task]
        assert reader().pairs == PAIRS[:400]


def test_file_order_and_lines_without_shuffling(tmp_path):
    for number in range(3):
        (tmp_path / f"part{number}.tsv").write_text("\n".join(tsv_lines(PAIRS[number * 200 : (number + 1) * 200])) + "\n")
    corpus = scan_files(DataConfig(format="tsv", train=str(tmp_path / "part*.tsv")), sample_size=10)
    # Without a shuffle buffer the files are interleaved line by line, deterministically.
    first = streamed(corpus)
    assert first == streamed(corpus) and collections.Counter(first) == collections.Counter(PAIRS[:600])
    assert first[:3] == [PAIRS[0], PAIRS[200], PAIRS[400]]


def test_windowed_shuffle_is_seeded(tmp_path):
    for number in range(4):
        (tmp_path / f"part{number}.tsv").write_text("\n".join(tsv_lines(PAIRS[number * 200 : (number + 1) * 200])))
    corpus = scan_files(DataConfig(format="tsv", train=str(tmp_path / "*.tsv")), sample_size=10)
    dataset = corpus.text_dataset(shuffle_buffer=100, seed=7)
    passes = [[tuple(pair) for pair in dataset.as_numpy_iterator()] for _ in range(2)]
    other = [tuple(pair) for pair in corpus.text_dataset(shuffle_buffer=100, seed=8).as_numpy_iterator()]
    assert passes[0] == passes[1] and passes[0] != other
    assert collections.Counter(passes[0]) == collections.Counter(other)
    # A window of 100 lines moves no line further than the window and the interleaving allow.
    order = {pair: index for index, pair in enumerate(passes[0])}
    positions = np.array([order[(source.encode(), target.encode())] for source, target in PAIRS])
    assert positions[:50].mean() < 400 < positions[-50:].mean()


@pytest.mark.parametrize("files", [1, 2, 3], ids=["by-line-1-file", "by-file-2-files", "by-file-3-files"])
def test_shards_read_every_pair_exactly_once(tmp_path, files):
    size = len(PAIRS) // files
    for number in range(files):
        (tmp_path / f"part{number}.tsv").write_text("\n".join(tsv_lines(PAIRS[number * size : (number + 1) * size])))
    corpus = scan_files(DataConfig(format="tsv", train=str(tmp_path / "*.tsv")), sample_size=10)
    expected = collections.Counter(PAIRS[: size * files])
    for count in (2, 3):
        shards = [streamed(corpus, shuffle_buffer=100, seed=1, shard=(index, count)) for index in range(count)]
        assert sum((collections.Counter(shard) for shard in shards), collections.Counter()) == expected
        if files >= count:  # by file: every shard reads whole files only
            for shard in shards:
                assert {PAIRS.index(pair) // size for pair in shard} <= set(range(files))
                assert len(shard) % size == 0
        else:  # by line: shards differ in size by at most one pair per file
            assert max(map(len, shards)) - min(map(len, shards)) <= files


def test_pair_lists_shard_and_shuffle_like_files():
    corpus = PairList(PAIRS, sample_size=100, seed=3)
    shards = [streamed(corpus, shuffle_buffer=50, seed=2, shard=(index, 2)) for index in range(2)]
    assert collections.Counter(shards[0] + shards[1]) == collections.Counter(PAIRS)
    assert streamed(corpus) == PAIRS


def test_the_sample_is_seeded_bounded_and_uniform(tmp_path):
    (tmp_path / "a.tsv").write_text("\n".join(tsv_lines(PAIRS)))
    config = DataConfig(format="tsv", train=str(tmp_path / "a.tsv"))
    samples = [scan_files(config, sample_size=200, seed=seed).sample for seed in (0, 0, 1)]
    assert samples[0] == samples[1] != samples[2]
    assert len(samples[0]) == len(set(samples[0])) == 200 and set(samples[0]) <= set(PAIRS)
    indices = np.array([PAIRS.index(pair) for pair in samples[0]])
    # Uniform over the corpus: the mean index of 200 draws from 0-799 is 399.5 +- 3 standard errors (49).
    assert abs(indices.mean() - 399.5) < 3 * 800 / np.sqrt(12 * 200)
    assert scan_files(config, sample_size=10**6).sample == PAIRS
    assert PairList(PAIRS, sample_size=10**6).sample == PAIRS
    assert len(PairList(PAIRS, sample_size=20, seed=1).sample) == 20


def test_raise_stops_at_the_first_bad_line_before_any_reading_by_tensorflow(tmp_path):
    (tmp_path / "a.tsv").write_text("a\tb\n")
    (tmp_path / "b.tsv").write_text("c\td\nno tab\ne\tf\n")
    with pytest.raises(DataError, match=r"b\.tsv, line 2: expected 2 tab-separated fields"):
        scan_files(DataConfig(format="tsv", train=str(tmp_path / "*.tsv")), sample_size=10)


def test_skip_counts_by_file_and_reason_and_streams_only_the_good_lines(tmp_path):
    (tmp_path / "a.tsv").write_text("a\tb\nno tab\n\tx\nc\td\n")
    write_bytes(tmp_path / "b.tsv.gz", b"e\tf\n\xff\xfe\tbad\ng\th\ti\n")
    corpus = scan_files(DataConfig(format="tsv", train=str(tmp_path / "*.tsv*"), on_error="skip"), sample_size=10)
    assert (corpus.size, corpus.lines) == (3, 7)
    assert corpus.skipped_by_reason() == {"missing tab": 1, "empty source": 1, "invalid UTF-8": 1, "extra tab": 1}
    assert corpus.describe_skipped() == [
        f"{tmp_path / 'a.tsv'}: skipped 2 of 4 lines: 1 empty source (first: line 3), 1 missing tab (first: line 2)",
        f"{tmp_path / 'b.tsv.gz'}: skipped 2 of 3 lines: 1 extra tab (first: line 3), 1 invalid UTF-8 (first: line 2)",
    ]
    assert sorted(streamed(corpus)) == [("a", "b"), ("c", "d"), ("e", "f")]


def test_a_corpus_without_a_usable_line_is_refused(tmp_path):
    (tmp_path / "a.tsv").write_text("no tab\n")
    with pytest.raises(DataError, match=r"data.train: no usable lines in 1 file\(s\); .*a.tsv: skipped 1 of 1 lines: 1 missing tab"):
        scan_files(DataConfig(format="tsv", train=str(tmp_path / "a.tsv"), on_error="skip"), sample_size=10)


def test_training_files_errors_name_the_key_and_the_path(tmp_path):
    with pytest.raises(DataError, match=r"data.train: no such file '.*nothing-\*\.tsv'"):
        training_files("tsv", str(tmp_path / "nothing-*.tsv"))
    with pytest.raises(DataError, match=r"data.train: no such file '.*missing.tsv'"):
        training_files("tsv", [str(tmp_path / "missing.tsv")])
    (tmp_path / "a.en").write_text("x\n")
    with pytest.raises(DataError, match=r"data.train \+ data.target_suffix: no such file '.*a.es' \(the target file of"):
        training_files("parallel", str(tmp_path / "*"), ".en", ".es")
    (tmp_path / "a.es").write_text("y\n")
    (tmp_path / "b.en").write_text("x\nz\n")
    (tmp_path / "b.es").write_text("y\n")
    assert training_files("parallel", str(tmp_path / "a"), ".en", ".es") == [(str(tmp_path / "a.en"), str(tmp_path / "a.es"))]
    with pytest.raises(DataError, match=r"b.es has 1 lines but .*b.en has more \(from line 2\)"):
        scan_files(DataConfig(format="parallel", train=str(tmp_path / "*"), source_suffix=".en", target_suffix=".es"), 10)


def test_train_may_be_a_list_of_paths_and_patterns(tmp_path):
    (tmp_path / "c.yaml").write_text("data:\n  format: tsv\n  train: [a.tsv, 'parts/*.tsv.gz']\n")
    config = RunConfig.from_yaml(tmp_path / "c.yaml")
    assert config.data.train == [str(tmp_path / "a.tsv"), str(tmp_path / "parts/*.tsv.gz")]
    for text, message in [
        ("train: [a.tsv, 3]", "data.train: expected str or a list of str or null, got list ['a.tsv', 3]"),
        ("train: []", "data.train: expected a path, a glob pattern or a non-empty list of them, got []"),
        ("train: a.tsv\n  vocabulary_sample: 0", "data.vocabulary_sample: expected a positive integer, got 0"),
    ]:
        (tmp_path / "bad.yaml").write_text(f"data:\n  format: tsv\n  {text}\n")
        with pytest.raises(ConfigError, match=r"bad.yaml, line \d+: " + message.replace("[", r"\[").replace("]", r"\]")):
            RunConfig.from_yaml(tmp_path / "bad.yaml")


def tokenizers(pairs):
    config = TextConfig(tokenizer="char", max_length=12)
    return [tokenizer_from_config(config, learn_vocabulary(config, [pair[side] for pair in pairs])) for side in (0, 1)]


@pytest.mark.parametrize("cache", [False, True])
@pytest.mark.parametrize("policy", ["truncate", "filter"])
def test_corpus_batches_hold_every_pair_once_per_epoch(tmp_path, cache, policy):
    (tmp_path / "a.tsv").write_text("\n".join(tsv_lines(PAIRS[:300] + [("a much longer source", "b")])))
    corpus = scan_files(DataConfig(format="tsv", train=str(tmp_path / "a.tsv")), sample_size=100)
    source_tokenizer, target_tokenizer = tokenizers(corpus.sample + [("a much longer source", "b")])
    dataset = corpus_dataset(
        corpus, source_tokenizer, target_tokenizer, 32, shuffle_buffer=100, seed=0, buckets=4, length_policy=policy, cache=cache
    )
    for _ in range(2):
        sources = [
            source_tokenizer.detokenize(inputs["source"]).numpy().tolist() for inputs, _ in dataset.as_numpy_iterator()
        ]
        decoded = collections.Counter(source.decode() for batch in sources for source in batch)
        expected = collections.Counter(source for source, _ in PAIRS[:300])
        if policy == "truncate":
            expected["a much longe"] += 1  # its first 12 characters
        assert decoded == expected
