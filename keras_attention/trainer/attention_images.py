"""Attention heatmaps of fixed examples, written to TensorBoard after every epoch.

The heatmap drawing here is a small local function (matplotlib's Agg canvas, no pyplot state);
it is meant to be replaced by the library's heatmap function in `keras_attention.evaluation`
once that exists.
"""

import io

import keras
import tensorflow as tf
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from keras_attention.models import inference_models

END_TOKEN = "</s>"


def alignment_png(alignments, source_tokens, target_tokens, title=None):
    """Draws an alignment matrix as a heatmap and returns it as PNG bytes.

    Args:
        alignments: array `(len(target_tokens), len(source_tokens))` of weights in [0, 1].
        source_tokens: column labels.
        target_tokens: row labels.
        title: optional title.

    Returns:
        The PNG file contents.
    """
    figure = Figure(figsize=(1.8 + 0.22 * len(source_tokens), 1.4 + 0.22 * len(target_tokens)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    image = axes.imshow(alignments, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto", interpolation="nearest")
    axes.set_xticks(range(len(source_tokens)), labels=source_tokens, rotation=90, fontsize=8)
    axes.set_yticks(range(len(target_tokens)), labels=target_tokens, fontsize=8)
    axes.set_xlabel("source")
    axes.set_ylabel("target")
    if title:
        axes.set_title(title, fontsize=9)
    figure.colorbar(image, ax=axes, fraction=0.05)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _visible(text):
    """`text` as a matplotlib label: spaces shown as a visible sign, `$` not read as math."""
    return "\u2423" if text == " " else text.replace("$", r"\$")


def _tokens(tokenizer, texts):
    """Each text's tokens as the model sees them (truncated), then `</s>`."""
    rows = tokenizer.split(tf.constant(list(texts), tf.string)).to_list()
    return [[_visible(token.decode("utf-8")) for token in row[: tokenizer.max_length]] + [END_TOKEN] for row in rows]


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
        self._compute_alignments = tf.function(self._alignments)

    def on_epoch_end(self, epoch, logs=None):
        alignments = self._compute_alignments().numpy()
        with self._writer.as_default(step=epoch):
            for index, (source, source_tokens, target_tokens) in enumerate(
                zip(self.sources, self._source_tokens, self._target_tokens)
            ):
                weights = alignments[index, : len(target_tokens), : len(source_tokens)]
                title = f"epoch {epoch + 1}: {_visible(source)}"
                png = alignment_png(weights, source_tokens, target_tokens, title=title)
                tf.summary.image(
                    f"attention/example_{index}",
                    tf.image.decode_png(png, channels=4)[tf.newaxis],
                    description=f"Attention of teacher-forced decoding for: {source}",
                )
        self._writer.flush()

    def on_train_end(self, logs=None):
        self._writer.close()
