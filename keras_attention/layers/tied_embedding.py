"""TiedEmbedding: an embedding that is also the output projection, keeping the padding mask."""

import keras


@keras.saving.register_keras_serializable(package="keras_attention")
class TiedEmbedding(keras.layers.ReversibleEmbedding):
    """`keras.layers.ReversibleEmbedding` whose reverse projection keeps its input's Keras mask.

    Called on ids it embeds them; called with `reverse=True` on vectors of size `output_dim` it
    projects them onto the vocabulary with the transposed embedding matrix (weights tied, Press
    and Wolf, 2017). The decoder's logits then carry the target padding mask, as those of a
    `Dense` output layer do, where `ReversibleEmbedding` would drop it with a warning.

    Args:
        input_dim: vocabulary size.
        output_dim: embedding size.
        **kwargs: `keras.layers.ReversibleEmbedding` arguments, such as `embeddings_initializer`
            and `name`.

    Call arguments:
        inputs: int ids `(batch, T)`, or with `reverse=True` vectors `(batch, T, output_dim)`.
        reverse: whether to project vectors onto the vocabulary.

    Returns:
        Embeddings `(batch, T, output_dim)`, or with `reverse=True` logits `(batch, T, input_dim)`.
    """

    def __init__(self, input_dim, output_dim, **kwargs):
        super().__init__(input_dim, output_dim, **kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return mask
