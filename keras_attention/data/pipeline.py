"""tf.data input pipeline for teacher-forced training."""

import tensorflow as tf


def make_dataset(pairs, source_tokenizer, target_tokenizer, batch_size, shuffle_buffer=None, seed=0):
    """Builds batches of framed ids from text pairs.

    Args:
        pairs: list of `(source, target)` strings.
        source_tokenizer: `Tokenizer` of the source side.
        target_tokenizer: `Tokenizer` of the target side.
        batch_size: sentences per batch.
        shuffle_buffer: shuffle with this buffer size (reshuffled each epoch); `None` keeps order.
        seed: shuffle seed.

    Returns:
        `tf.data.Dataset` of `({"source": (batch, T_enc), "target_in": (batch, T_dec)},
        target_out (batch, T_dec))` int32 batches, the form `model.fit` takes.
    """
    sources, targets = zip(*pairs)
    dataset = tf.data.Dataset.from_tensor_slices((list(sources), list(targets)))
    if shuffle_buffer:
        dataset = dataset.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    framing = teacher_forcing_inputs(source_tokenizer, target_tokenizer)
    return dataset.batch(batch_size).map(framing, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def teacher_forcing_inputs(source_tokenizer, target_tokenizer):
    """Returns a function for `Dataset.map` over batches of `(source, target)` strings.

    Example:

    ```python
    dataset = tf.data.Dataset.from_tensor_slices((sources, targets)).batch(64)
    dataset = dataset.map(teacher_forcing_inputs(source_tokenizer, target_tokenizer))
    model.fit(dataset)
    ```

    Returns:
        Function mapping string tensors `(batch,)` to `({"source": ids, "target_in": ids},
        target_out)` int32 tensors.
    """

    def frame(source, target):
        encoded_target = target_tokenizer.encode_target(target)
        inputs = {"source": source_tokenizer.encode_source(source)["ids"], "target_in": encoded_target["inputs"]}
        return inputs, encoded_target["outputs"]

    return frame


def count_too_long(texts, tokenizer):
    """Returns how many of `texts` have more tokens than `tokenizer.max_length` (they get truncated)."""
    lengths = tokenizer.tokenize(tf.constant(list(texts), tf.string)).row_lengths()
    return int(tf.reduce_sum(tf.cast(lengths > tokenizer.max_length, tf.int32)))
