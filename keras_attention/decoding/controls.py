"""Output controls that every decoding strategy applies in the graph: a minimum length, and no
repeated n-grams (as summarization and headline generation use them; `keras.ops` only).

`constrain` sets the log-probability of each token that the controls forbid at a step to `-inf`,
before the strategy picks, draws or scores the next tokens. The log-probabilities of the tokens
that stay allowed are left as they are, so scores remain the model's log-probabilities.
"""

from keras import ops

from keras_attention.special_tokens import END_ID, PAD_ID


def constrain(log_probs, step, history, min_length=0, no_repeat_ngram_size=0):
    """`log_probs` with the tokens that the controls forbid at output step `step` set to `-inf`.

    - `min_length`: `</s>` is forbidden while fewer than `min_length` tokens have been output,
      so every output that ends with `</s>` has at least `min_length` tokens before it (an
      output may still stop shorter at its length limit).
    - `no_repeat_ngram_size` `n`: a token is forbidden if, with the `n - 1` tokens before it,
      it would repeat an n-gram the output already holds.

    A row whose every token would be forbidden may take `</s>`, so that no output is left with
    no token to take.

    Args:
        log_probs: float32 `(n, V)` next-token log-probabilities.
        step: int32 scalar, the 0-based output step (the number of tokens output so far).
        history: int32 `(n, L)` the outputs so far in their first `step` positions (the rest is
            ignored); only read with `no_repeat_ngram_size`, so it may be `None` without.
        min_length: int >= 0; 0 turns it off.
        no_repeat_ngram_size: int >= 0; 0 turns it off.

    Returns:
        float32 `(n, V)`.
    """
    if not (min_length or no_repeat_ngram_size):
        return log_probs
    constrained = log_probs
    vocabulary = ops.arange(ops.shape(log_probs)[-1], dtype="int32")
    if min_length:
        too_early = ops.logical_and(ops.equal(vocabulary, END_ID)[None, :], step < min_length)
        constrained = ops.where(too_early, float("-inf"), constrained)
    if no_repeat_ngram_size:
        repeats = repeated_ngram_tokens(history, step, no_repeat_ngram_size, ops.shape(log_probs)[-1])
        constrained = ops.where(repeats, float("-inf"), constrained)
    stuck = ops.all(ops.equal(constrained, float("-inf")), axis=-1, keepdims=True)
    return ops.where(ops.logical_and(stuck, ops.equal(vocabulary, END_ID)[None, :]), log_probs, constrained)


def length_options(options):
    """The options of a `DecodingConfig` that every strategy takes: `max_length_ratio` and the
    output controls, as keyword arguments of a decoder."""
    return {
        "max_length_ratio": options.max_length_ratio,
        "min_length": options.min_length,
        "no_repeat_ngram_size": options.no_repeat_ngram_size,
    }


def repeated_ngram_tokens(history, step, size, vocabulary_size):
    """The tokens that would repeat an n-gram of `size` tokens of the outputs so far.

    Token `w` is marked for a row when the row's last `size - 1` tokens, followed by `w`, equal
    the n-gram that starts at some earlier position `j` (`j + size <= step`).

    Args:
        history: int32 `(n, L)` the outputs so far in their first `step` positions.
        step: int32 scalar, the number of tokens output so far.
        size: positive int, the n-gram size.
        vocabulary_size: `V`.

    Returns:
        bool `(n, V)`.
    """
    rows, length = ops.shape(history)[0], history.shape[1]
    starts = length - size + 1
    if starts < 1:
        return ops.zeros((rows, vocabulary_size), "bool")
    # match[:, j]: the n-gram at j begins with the last `size - 1` tokens of the output.
    match = ops.ones((rows, starts), "bool")
    for offset in range(size - 1):
        last = ops.take(history, ops.maximum(step - (size - 1) + offset, 0), axis=1)
        match = ops.logical_and(match, ops.equal(history[:, offset : offset + starts], last[:, None]))
    complete = ops.arange(starts, dtype="int32") + size <= step
    match = ops.logical_and(match, complete[None, :])
    # The token that completes each matching n-gram is forbidden; the others point at <pad>,
    # which is never an output anyway.
    tokens = ops.where(match, history[:, size - 1 : size - 1 + starts], PAD_ID)
    row_ids = ops.repeat(ops.arange(rows, dtype="int32")[:, None], starts, axis=1)
    indices = ops.stack([ops.reshape(row_ids, (-1,)), ops.reshape(tokens, (-1,))], axis=1)
    counts = ops.scatter(indices, ops.ones((rows * starts,), "int32"), (rows, vocabulary_size))
    return ops.logical_and(counts > 0, ops.not_equal(ops.arange(vocabulary_size, dtype="int32"), PAD_ID)[None, :])
