"""What happened to the data on its way to the batches: skipped lines, long pairs, padding."""

import dataclasses

from keras_attention.data.lengths import length_report
from keras_attention.data.padding import compare_padding


def report_data(config, splits, source_tokenizer, target_tokenizer, log=print):
    """Logs and returns what reading, the length policy and bucketing do to a run's data.

    The training side is measured on the corpus sample (`splits.train.sample`, all pairs when
    the corpus is no larger than `data.vocabulary_sample`), so the report costs the same for any
    corpus size; the dev side on all dev pairs.

    Args:
        config: `RunConfig` of the run.
        splits: `Splits` from `load_splits`.
        source_tokenizer: `Tokenizer` of the source side.
        target_tokenizer: `Tokenizer` of the target side.
        log: function that prints one line.

    Returns:
        dict for the run summary: `skipped_lines` (split -> reason -> count), `long_pairs`
        (split -> `LengthReport` fields, for train and dev; train's `sampled_from` is the corpus
        size when the report counts a sample) and, with bucketing, `padding` (share of batch
        positions that are padding, `plain` and `bucketed`, on the training sample).
    """
    corpus = splits.train
    for line in corpus.describe_skipped():
        log(f"warning: {line}")
    for text in splits.skipped.values():
        log(f"warning: {text.describe_skipped()}")
    sampled_from = corpus.size if len(corpus.sample) < corpus.size else None
    policy = config.data.length_policy
    lengths = {"train": length_report(corpus.sample, source_tokenizer, target_tokenizer, policy, sampled_from)}
    if splits.dev:
        lengths["dev"] = length_report(splits.dev, source_tokenizer, target_tokenizer, policy)
    for split, report in lengths.items():
        if report.long_pairs:
            log(f"warning: {split}: {report.describe()}")
    skipped = {split: dict(text.skipped) for split, text in splits.skipped.items()}
    if corpus.skipped_by_reason():
        skipped = {"train": corpus.skipped_by_reason(), **skipped}
    summary = {
        "skipped_lines": skipped,
        "long_pairs": {split: dataclasses.asdict(report) for split, report in lengths.items()},
    }
    if config.data.buckets > 1:
        padding = compare_padding(
            corpus.sample,
            source_tokenizer,
            target_tokenizer,
            config.training.batch_size,
            config.data.buckets,
            policy,
            seed=config.training.seed,
        )
        log(padding.describe())
        summary["padding"] = {"plain": padding.plain.padding_share, "bucketed": padding.bucketed.padding_share}
    return summary
