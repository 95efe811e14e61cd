"""Ensembles: several trained encoder-decoders over one target vocabulary that decode as one model.

At every step each member computes its own next-token distribution from its own encoder outputs,
decoder states and attention, and the ensemble averages them (`ENSEMBLE_AVERAGES`):

- `probability`: `log(mean_m P_m(w))`, the log of the mean probability (a mixture);
- `log_probability`: `mean_m log P_m(w)`, the mean of the log-probabilities (not renormalized).

An `Ensemble` has the interface of the `(encoder, decoder)` pair of `inference_models`, so every
decoding strategy (greedy, sampling, beam search, the output controls) runs over it unchanged, in
the same backend loop: the members run one after the other inside each step. Everything here
uses `keras.ops` only.
"""

from keras import ops

from keras_attention.options.checks import check_choice
from keras_attention.options.decoding import ENSEMBLE_AVERAGES


class Ensemble:
    """Encoder-decoder pairs that decode as one model.

    The members may read different tokenizations of the source sentences (runs with different
    source tokenizers): `inputs[m]` is the tokenization member `m` reads. The first tokenization
    (the first member's) is the ensemble's reference: its mask is the `source_mask` that the
    decoding loops see (source lengths, the coverage penalty), and the ensemble's alignments are
    the mean alignment of the members that read it.

    Args:
        members: list of `(encoder, decoder)` pairs from `inference_models`, all over the same
            target vocabulary.
        inputs: optional list of ints, one per member: the index of the source ids it reads in
            the tuple given to `encoder`; default 0 for every member. The first member reads 0,
            and every index up to the largest is read by some member.
        average: one of `ENSEMBLE_AVERAGES`.

    Attributes:
        encoder: callable `source_ids -> [memories, source_mask, *states]`, where `source_ids`
            is a tuple of int32 `(batch, T_k)` tensors (one per tokenization), `memories` holds
            every member's encoder outputs and source masks, `source_mask` is the reference
            tokenization's and `states` are the members' decoder states one after the other.
        decoder: callable `[target_ids, memories, source_mask, *states] -> [log_probs,
            alignments, *states]`: float32 `(batch, T_dec, V)` averaged log-probabilities and
            float32 `(batch, T_dec, T_ref)` mean alignments over the reference tokenization. Its
            attribute `outputs_log_probabilities` tells `next_log_probs` that its first output
            is already log-probabilities.

    Example:

    ```python
    ensemble = Ensemble([inference_models(first.model), inference_models(second.model)])
    output = beam_search_decode(ensemble.encoder, ensemble.decoder, (source_ids,), 40, beam_size=5)
    ```
    """

    def __init__(self, members, inputs=None, average="probability"):
        members = list(members)
        if not members:
            raise ValueError("an Ensemble needs at least one (encoder, decoder) pair, got none")
        inputs = [0] * len(members) if inputs is None else list(inputs)
        if len(inputs) != len(members):
            raise ValueError(f"expected one input index per member ({len(members)}), got {len(inputs)}: {inputs}")
        if any(not isinstance(index, int) or index < 0 for index in inputs):
            raise ValueError(f"input indices are integers >= 0, got {inputs}")
        if inputs[0] != 0 or set(inputs) != set(range(max(inputs) + 1)):
            raise ValueError(
                f"the first member reads input 0 and every input up to the largest is read, got {inputs}"
            )
        check_choice(average, ENSEMBLE_AVERAGES, "ensemble_average")
        self.members = members
        self.inputs = inputs
        self.average = average
        self.state_counts = [len(decoder.inputs) - 3 for _, decoder in members]
        self.encoder = _EnsembleEncoder(self)
        self.decoder = _EnsembleDecoder(self)

    def member_inputs(self, memories, states):
        """Each member's `(memory, source_mask, states)` from the ensemble's `memories` and states."""
        outputs, masks = memories
        position = 0
        for outputs_m, index, count in zip(outputs, self.inputs, self.state_counts):
            yield outputs_m, masks[index], list(states[position : position + count])
            position += count

    def mean_over_members(self, models):
        """A callable over the decoder's inputs that averages `models[m]`'s output over members.

        Args:
            models: one model per member taking that member's decoder inputs (such as
                `generation_probability_model` of its decoder).

        Returns:
            Callable `[target_ids, memories, source_mask, *states] -> mean output`.
        """

        def call(inputs):
            tokens, memories, _, *states = inputs
            outputs = [
                ops.cast(model([tokens, memory, mask, *member_states]), "float32")
                for model, (memory, mask, member_states) in zip(models, self.member_inputs(memories, states))
            ]
            return ops.mean(ops.stack(outputs, axis=0), axis=0)

        return call


class _EnsembleEncoder:
    """`Ensemble.encoder`."""

    def __init__(self, ensemble):
        self.ensemble = ensemble

    def __call__(self, source_ids):
        ensemble = self.ensemble
        if not isinstance(source_ids, (tuple, list)):
            source_ids = (source_ids,)
        if len(source_ids) != max(ensemble.inputs) + 1:
            raise ValueError(
                f"the ensemble's members read {max(ensemble.inputs) + 1} source tokenizations, "
                f"got {len(source_ids)} tensors of source ids"
            )
        outputs, masks, states = [], {}, []
        for (encoder, _), index in zip(ensemble.members, ensemble.inputs):
            memory, mask, *member_states = encoder(source_ids[index])
            outputs.append(memory)
            masks.setdefault(index, mask)
            states += member_states
        masks = tuple(masks[index] for index in range(len(source_ids)))
        return [(tuple(outputs), masks), masks[0], *states]


class _EnsembleDecoder:
    """`Ensemble.decoder`."""

    outputs_log_probabilities = True

    def __init__(self, ensemble):
        self.ensemble = ensemble

    def __call__(self, inputs):
        ensemble = self.ensemble
        tokens, memories, _, *states = inputs
        log_probs, alignments, new_states = [], [], []
        members = zip(ensemble.members, ensemble.inputs, ensemble.member_inputs(memories, states))
        for (_, decoder), index, (memory, mask, member_states) in members:
            logits, member_alignments, *member_new_states = decoder([tokens, memory, mask, *member_states])
            log_probs.append(ops.log_softmax(ops.cast(logits, "float32"), axis=-1))
            if index == 0:
                alignments.append(ops.cast(member_alignments, "float32"))
            new_states += member_new_states
        mean_alignments = ops.mean(ops.stack(alignments, axis=0), axis=0)
        return [average_log_probs(log_probs, ensemble.average), mean_alignments, *new_states]


def average_log_probs(log_probs, average):
    """Averages the members' log-probabilities as `average` says (see the module docstring).

    The log of the mean probability is computed as `top + log(mean_m exp(log P_m - top))` with
    `top` the members' largest log-probability, which is exact for identical members: an
    ensemble of a model with itself gives that model's log-probabilities bit for bit.

    Args:
        log_probs: list of float32 tensors of equal shape, one per member.
        average: one of `ENSEMBLE_AVERAGES`.

    Returns:
        float32 tensor of that shape.
    """
    stacked = ops.stack(log_probs, axis=0)
    if average == "log_probability":
        return ops.mean(stacked, axis=0)
    top = ops.max(stacked, axis=0)
    return top + ops.log(ops.mean(ops.exp(stacked - top), axis=0))
