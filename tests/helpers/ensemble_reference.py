"""NumPy references of an ensemble's decoding (tests/decoding/test_ensemble*.py): its members run
one at a time, teacher forced, and their distributions averaged in float64."""

import keras
import numpy as np

from keras_attention.special_tokens import END_ID, PAD_ID, START_ID


def softmax(logits):
    """Row-wise softmax in float64."""
    logits = np.asarray(logits, "float64")
    exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def numpy_average(probabilities, average):
    """NumPy reference of an ensemble average of `(members, ..., V)` probabilities, as log-probabilities."""
    if average == "probability":
        return np.log(np.mean(probabilities, axis=0))
    return np.mean(np.log(probabilities), axis=0)


def member_step(encoder, decoder, source, prefixes):
    """One member teacher forced on `prefixes` (int `(batch, L)`, `<s>` first): float64
    `(batch, L, V)` probabilities and `(batch, L, T_enc)` alignments."""
    return decoder_step(decoder, encoder(np.asarray(source, "int32")), prefixes)


def decoder_step(decoder, encoded, prefixes):
    """`member_step` from the member's encoder outputs `encoded`."""
    encoder_outputs, mask, *states = encoded
    logits, alignments = decoder([keras.ops.convert_to_tensor(prefixes, "int32"), encoder_outputs, mask, *states])[:2]
    return softmax(keras.ops.convert_to_numpy(logits)), np.asarray(keras.ops.convert_to_numpy(alignments), "float64")


def teacher_forcing_inputs(ids):
    """The decoder inputs that feed `ids` `(batch, L)`: `<s>` then `ids[:, :-1]`, with `<pad>`
    fed as `</s>` (as the decoding loop feeds a finished row). One shape for every prefix of the
    outputs: the decoder is causal, so step `t`'s output depends on the inputs up to `t` only
    (and a backend that compiles per shape, such as JAX, compiles once)."""
    inputs = np.concatenate([np.full((len(ids), 1), START_ID, "int32"), np.asarray(ids, "int32")[:, :-1]], axis=1)
    return np.where(inputs == PAD_ID, END_ID, inputs)


def numpy_greedy(members, sources, max_length, average="probability"):
    """Greedy decoding of an ensemble, one step at a time: every member teacher forced on the
    outputs so far (reading `sources[m]`), each row taking the averaged distribution's best token
    but `<pad>` until it outputs `</s>`. Returns int32 `(batch, max_length)` ids and float64
    `(batch,)` scores."""
    batch = len(sources[0])
    ids, scores = np.zeros((batch, max_length), "int32"), np.zeros(batch)
    finished = np.zeros(batch, bool)
    encoded = [encoder(np.asarray(source, "int32")) for (encoder, _), source in zip(members, sources)]
    for step in range(max_length):
        inputs = teacher_forcing_inputs(ids)
        probabilities = np.stack(
            [decoder_step(decoder, member_encoded, inputs)[0][:, step] for (_, decoder), member_encoded in zip(members, encoded)]
        )
        log_probs = numpy_average(probabilities, average)
        log_probs[:, PAD_ID] = -np.inf
        tokens = np.argmax(log_probs, axis=-1)
        ids[:, step] = np.where(finished, PAD_ID, tokens)
        scores += np.where(finished, 0.0, log_probs[np.arange(batch), tokens])
        finished |= tokens == END_ID
    return ids, scores
