"""What happened to the data on its way to the batches: skipped lines, long pairs, padding."""

import dataclasses

from keras_attention.data.pipeline import compare_padding, length_report


def report_data(config, splits, source_tokenizer, target_tokenizer, log=print):
    """Logs and returns what reading, the length policy and bucketing do to a run's data.

    Args:
        config: `RunConfig` of the run.
        splits: `Splits` from `load_splits`.
        source_tokenizer: `Tokenizer` of the source side.
        target_tokenizer: `Tokenizer` of the target side.
        log: function that prints one line.

    Returns:
        dict for the run summary: `skipped_lines` (split -> reason -> count), `long_pairs`
        (split -> `LengthReport` fields, for train and dev) and, with bucketing, `padding` (share
        of batch positions that are padding, `plain` and `bucketed`, on the training pairs).
    """
    for text in splits.skipped.values():
        log(f"warning: {text.describe_skipped()}")
    lengths = {
        split: length_report(pairs, source_tokenizer, target_tokenizer, config.data.length_policy)
        for split, pairs in (("train", splits.train), ("dev", splits.dev))
        if pairs
    }
    for split, report in lengths.items():
        if report.long_pairs:
            log(f"warning: {split}: {report.describe()}")
    summary = {
        "skipped_lines": {split: dict(text.skipped) for split, text in splits.skipped.items()},
        "long_pairs": {split: dataclasses.asdict(report) for split, report in lengths.items()},
    }
    if config.data.buckets > 1:
        padding = compare_padding(
            splits.train,
            source_tokenizer,
            target_tokenizer,
            config.training.batch_size,
            config.data.buckets,
            config.data.length_policy,
            seed=config.training.seed,
        )
        log(padding.describe())
        summary["padding"] = {"plain": padding.plain.padding_share, "bucketed": padding.bucketed.padding_share}
    return summary
