"""The output controls `min_length` and `no_repeat_ngram_size`: the tokens `constrain` forbids,
against a plain Python reference, on every backend (tests/decoding/test_controlled_decoding.py
checks the decoders' outputs)."""

import keras
import numpy as np
import pytest

from keras_attention.decoding.controls import constrain
from keras_attention.special_tokens import END_ID, PAD_ID


def forbidden(history, step, min_length, size, vocabulary_size):
    """The tokens the controls forbid after the outputs `history[:step]`, by enumeration."""
    output = [int(token) for token in history[:step]]
    banned = set()
    if step < min_length:
        banned.add(END_ID)
    if size:
        suffix = output[step - size + 1 :] if size > 1 else []
        for start in range(step - size + 1):
            if output[start : start + size - 1] == suffix:
                banned.add(output[start + size - 1])
    banned.discard(PAD_ID)
    if banned >= set(range(vocabulary_size)) - {PAD_ID}:  # nothing left: </s> is allowed
        banned.discard(END_ID)
    return banned


@pytest.mark.parametrize("min_length, size", [(0, 1), (3, 0), (2, 2), (0, 3), (5, 4)])
def test_constrain_forbids_exactly_the_reference_tokens(min_length, size):
    rng = np.random.default_rng(size * 10 + min_length)
    vocabulary_size, length = 7, 9
    history = rng.integers(1, vocabulary_size, size=(16, length)).astype("int32")
    log_probs = np.log(rng.dirichlet(np.ones(vocabulary_size), size=16)).astype("float32")
    log_probs[:, PAD_ID] = -np.inf
    for step in range(length + 1):
        constrained = keras.ops.convert_to_numpy(constrain(log_probs, step, history, min_length, size))
        for row in range(len(history)):
            banned = forbidden(history[row], step, min_length, size, vocabulary_size)
            expected = np.where(np.isin(np.arange(vocabulary_size), sorted(banned)), -np.inf, log_probs[row])
            np.testing.assert_array_equal(constrained[row], expected, err_msg=f"step {step}, row {row}")


def test_a_row_with_every_token_forbidden_may_end():
    history = np.array([[1, 3, 1, 4, 1, 5, 1, 0]], "int32")  # after "1", tokens 3, 4 and 5 have followed it
    log_probs = np.log(np.full((1, 6), 0.2, "float32"))
    log_probs[0, PAD_ID] = -np.inf
    log_probs[0, END_ID] = np.log(0.2)
    constrained = keras.ops.convert_to_numpy(constrain(log_probs, 7, history, 0, 1))
    assert np.isfinite(constrained[0]).tolist() == [False, False, True, False, False, False]
