"""Independent float64 NumPy references: attention scores one (query step, key) pair at a time,
and an attention LSTM decoder one step at a time."""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def score(kind, weights, q, h, coverage=0.0):
    """The score of one query vector `q` and one key vector `h`."""
    if kind in ("bahdanau", "bahdanau_normed", "luong_concat"):
        if kind == "luong_concat":
            hidden = np.concatenate([q, h]) @ weights["kernel"]
        else:
            hidden = q @ weights["query_kernel"] + h @ weights["values_kernel"]
        hidden = hidden + weights.get("bias", 0.0) + coverage * weights.get("coverage_kernel", 0.0)
        v = weights["score_vector"]
        if kind == "bahdanau_normed":
            v = weights["score_gain"] * v / np.sqrt(np.sum(v**2))
        return v @ np.tanh(hidden)
    if kind == "luong_general":
        value = q @ weights["kernel"] @ h
    else:
        value = q @ h
    return value * weights.get("scale", 1.0)


def attention(kind, weights, query, values, query_mask, values_mask, coverage=None, scale=None):
    """Reference `(context, alignments)`; `scale="inverse_sqrt"` divides by sqrt(d_v)."""
    query, values = query.astype("float64"), values.astype("float64")
    batch, query_time, _ = query.shape
    values_time = values.shape[1]
    factor = 1.0 / np.sqrt(values.shape[2]) if scale == "inverse_sqrt" else 1.0
    scores = np.zeros((batch, query_time, values_time))
    for b in range(batch):
        for i in range(query_time):
            for j in range(values_time):
                cov = 0.0 if coverage is None else coverage[b, i, j]
                scores[b, i, j] = factor * score(kind, weights, query[b, i], values[b, j], cov)
    alignments = np.zeros_like(scores)
    for b in range(batch):
        keys = values_mask[b]
        for i in range(query_time):
            if query_mask[b, i] and keys.any():
                row = np.exp(scores[b, i, keys] - scores[b, i, keys].max())
                alignments[b, i, keys] = row / row.sum()
    context = np.einsum("bqk,bkd->bqd", alignments, values)
    return context, alignments


def lstm_step(weights, x, h, c):
    """One Keras `LSTMCell` step (gates i, f, c, o; sigmoid and tanh)."""
    z = x @ weights["kernel"] + h @ weights["recurrent_kernel"] + weights["bias"]
    i, f, g, o = np.split(z, 4, axis=-1)
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h = sigmoid(o) * np.tanh(c)
    return h, c


def attention_lstm(
    kind, attention_weights, lstm_weights, attentional_kernel, inputs, memory, memory_mask,
    step_mask, states, input_feeding, coverage,
):
    """Reference `AttentionRNN(AttentionRNNCell(stacked LSTMCells))`, one step at a time.

    Args:
        states: flat start states `[h_0, c_0, h_1, c_1, ..., (attentional), (coverage)]`.

    Returns:
        `(outputs, alignments, final_states)`.
    """
    inputs, memory = inputs.astype("float64"), memory.astype("float64")
    states = [state.astype("float64") for state in states]
    batch, steps, _ = inputs.shape
    layers = len(lstm_weights)
    outputs = np.zeros((batch, steps, attentional_kernel.shape[1]))
    alignments = np.zeros((batch, steps, memory.shape[1]))
    for t in range(steps):
        lstm_states = [states[2 * n : 2 * n + 2] for n in range(layers)]
        query = lstm_states[-1][0]
        cov = states[-1][:, None, :] if coverage else None
        context, step_alignments = attention(
            kind, attention_weights, query[:, None, :], memory, np.ones((batch, 1), bool),
            memory_mask, coverage=cov,
        )
        context, step_alignments = context[:, 0], step_alignments[:, 0]
        pieces = [inputs[:, t], context]
        if input_feeding:
            pieces.append(states[2 * layers])
        x = np.concatenate(pieces, axis=-1)
        new_states = []
        for weights, (h, c) in zip(lstm_weights, lstm_states):
            h, c = lstm_step(weights, x, h, c)
            new_states += [h, c]
            x = h
        attentional = np.tanh(np.concatenate([context, x], axis=-1) @ attentional_kernel)
        if input_feeding:
            new_states.append(attentional)
        if coverage:
            new_states.append(states[-1] + step_alignments)
        valid = step_mask[:, t][:, None]
        states = [np.where(valid, new, old) for new, old in zip(new_states, states)]
        outputs[:, t] = np.where(valid, attentional, 0.0)
        alignments[:, t] = np.where(valid, step_alignments, 0.0)
    return outputs, alignments, states
