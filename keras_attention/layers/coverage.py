"""CoverageLoss: the coverage loss term of See et al. (2017), added to the model's losses."""

import numbers

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_attention")
class CoverageLoss(keras.layers.Layer):
    """Adds `weight` times the coverage loss to the model's losses; passes the alignments on.

    With coverage `cov_ij = cov0_j + sum_{i' < i} a_i'j` (the start coverage plus the alignments
    of the earlier decoder steps), the loss of decoder step `i` is `sum_j min(a_ij, cov_ij)`: it
    grows when a step attends again to source positions that earlier steps already covered
    (See et al., 2017, "Get To The Point"). The term added is `weight` times its mean over the
    valid decoder steps, so `model.fit` minimises it together with the model's loss.

    Args:
        weight: Non-negative float, the weight `lambda` of the term.
        **kwargs: Base layer keyword arguments, such as `name`.

    Call arguments:
        alignments: Alignments of shape `(batch, T_dec, T_enc)`.
        initial_coverage: Coverage before the first step, of shape `(batch, T_enc)`.
        mask: Optional `(batch, T_dec)` mask of the valid decoder steps.

    Returns:
        `alignments`, unchanged (with their Keras mask).

    Example:

    >>> alignments = np.array([[[1.0, 0.0], [1.0, 0.0]]])
    >>> layer = CoverageLoss(weight=0.5)
    >>> _ = layer(alignments, np.zeros((1, 2)))
    >>> float(layer.losses[0])  # steps: min(a, 0) = 0, then min(1, 1) = 1; mean 0.5
    0.25
    """

    def __init__(self, weight=1.0, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(weight, numbers.Real) or isinstance(weight, bool) or weight < 0:
            raise ValueError(f"`weight` must be a non-negative float. Received: weight={weight!r}")
        self.weight = float(weight)
        self.supports_masking = True

    def call(self, alignments, initial_coverage, mask=None):
        alignments32 = ops.cast(alignments, "float32")
        coverage = (
            ops.expand_dims(ops.cast(initial_coverage, "float32"), 1)
            + ops.cumsum(alignments32, axis=1)
            - alignments32
        )
        step_losses = ops.sum(ops.minimum(alignments32, coverage), axis=-1)
        if mask is None:
            loss = ops.mean(step_losses)
        else:
            valid = ops.cast(mask, "float32")
            loss = ops.sum(step_losses * valid) / ops.maximum(ops.sum(valid), 1.0)
        self.add_loss(self.weight * loss)
        return alignments

    def compute_output_shape(self, alignments_shape, initial_coverage_shape):
        return alignments_shape

    def get_config(self):
        config = super().get_config()
        config["weight"] = self.weight
        return config
