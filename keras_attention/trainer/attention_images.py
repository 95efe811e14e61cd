"""Attention heatmaps of fixed examples, written to TensorBoard after every epoch.

The images are drawn by `keras_attention.evaluation.heatmaps`, like those of `keras-attention plot`.
"""

import keras
import tensorflow as tf

from keras_attention.evaluation.heatmaps import AlignmentExample, heatmap_png
from keras_attention.models import inference_models

END_TOKEN = "</s>"


def _tokens(tokenizer, texts):
    """Each text's tokens as the model sees them (truncated), then `</s>`."""
    rows = tokenizer.split(tf.constant(list(texts), tf.string)).to_list()
    return [[token.decode("utf-8") for token in row[: tokenizer.max_length]] + [END_TOKEN] for row in rows]


class AttentionImages(keras.callbacks.Callback):
    """Writes the attention heatmap of each of a few fixed examples to TensorBoard after each epoch.

    The alignments are those of teacher-forced decoding: row `i` shows where the decoder looks
    while predicting target token `i` after reading the reference tokens before it. Images are
    named `attention/example_N` and written at step `epoch` (0-based, like Keras's TensorBoard
    epoch scalars).

    Args:
        pairs: list of `(source, target)` strings.
        source_tokenizer: `Tokenizer` of the source side.
        target_tokenizer: `Tokenizer` of the target side.
        log_dir: folder of the TensorBoard event file.
    """

    def __init__(self, pairs, source_tokenizer, target_tokenizer, log_dir):
        super().__init__()
        sources, targets = (list(side) for side in zip(*pairs))
        self.sources = sources
        self.targets = targets
        self.log_dir = str(log_dir)
        self._source_ids = source_tokenizer.encode_source(tf.constant(sources))["ids"]
        self._target_in = target_tokenizer.encode_target(tf.constant(targets))["inputs"]
        self._source_tokens = _tokens(source_tokenizer, sources)
        self._target_tokens = _tokens(target_tokenizer, targets)
        self._writer = None
        self._compute_alignments = None

    def _alignments(self):
        encoder, decoder = inference_models(self.model)
        encoder_outputs, source_mask, *states = encoder(self._source_ids, training=False)
        alignments = decoder([self._target_in, encoder_outputs, source_mask, *states], training=False)[1]
        return tf.cast(alignments, tf.float32)

    def on_train_begin(self, logs=None):
        self._writer = tf.summary.create_file_writer(self.log_dir)
        self._compute_alignments = tf.function(self._alignments, autograph=False)

    def on_epoch_end(self, epoch, logs=None):
        alignments = self._compute_alignments().numpy()
        with self._writer.as_default(step=epoch):
            for index, (source, target, source_tokens, target_tokens) in enumerate(
                zip(self.sources, self.targets, self._source_tokens, self._target_tokens)
            ):
                example = AlignmentExample(
                    source=f"epoch {epoch + 1}: {source}",
                    translation=target,
                    source_tokens=source_tokens,
                    output_tokens=target_tokens,
                    alignments=alignments[index, : len(target_tokens), : len(source_tokens)],
                )
                tf.summary.image(
                    f"attention/example_{index}",
                    tf.image.decode_png(heatmap_png([example]), channels=4)[tf.newaxis],
                    description=f"Attention of teacher-forced decoding for: {source}",
                )
        self._writer.flush()

    def on_train_end(self, logs=None):
        self._writer.close()
