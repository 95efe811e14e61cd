"""Attention heatmaps: the alignment matrix of a translation, source tokens across, output tokens down.

Drawn with matplotlib's Agg canvas (no display needed, the global pyplot backend untouched). Labels
use DejaVu Sans, which ships with matplotlib and covers Latin (Spanish, French, German, ...),
Greek and Cyrillic; installed Noto / CJK fonts are used as fallbacks for other scripts. Each cell
gets a fixed size, so a long sentence makes a larger image rather than unreadable labels.

Example:

```python
translator = load_run("runs/bible").translator()
examples = alignment_examples(translator, ["In the beginning, God created the heavens."])
save_heatmaps(examples, "attention.png")
```
"""

import dataclasses
import io
import math
import typing
import textwrap
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from keras_attention.options.checks import check_positive_int
from keras_attention.special_tokens import END_ID

FONT_FAMILIES = (
    "DejaVu Sans",
    "Noto Sans",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans Arabic",
    "Noto Sans Devanagari",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)
CELL_INCHES = 0.26
LABEL_POINTS = 9
_VISIBLE = {" ": "\u2423", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


@dataclasses.dataclass
class AlignmentExample:
    """One translated sentence with its attention.

    Attributes:
        source: the input sentence.
        translation: the output sentence.
        source_tokens: source tokens as the encoder saw them, `</s>` included (columns).
        output_tokens: output tokens as decoded, the final `</s>` included (rows).
        alignments: float array `(len(output_tokens), len(source_tokens))`; row i is the
            attention of output step i over the source positions.
        generation_probabilities: with copy attention, float array `(len(output_tokens),)`,
            the probability `p_gen` that output token i was generated rather than copied from
            the source; `None` otherwise.
    """

    source: str
    translation: str
    source_tokens: list
    output_tokens: list
    alignments: np.ndarray
    generation_probabilities: typing.Optional[np.ndarray] = None


def alignment_examples(translator, sentences):
    """Translates `sentences` and collects each one's tokens and alignment matrix.

    Args:
        translator: a `Translator` (e.g. `load_run(DIR).translator()`).
        sentences: list of strings, translated as one batch.

    Returns:
        List of `AlignmentExample`, one per sentence, with the probability of generating of
        each output token for a model with copy attention. Token labels come from the
        tokenizers' vocabularies, so subwords keep their `##` continuation mark and unknown
        tokens show as `<unk>`.
    """
    output = translator.translate_batch(list(sentences))
    probabilities = translator.generation_probabilities(list(sentences), output["ids"])
    source_vocabulary = translator.source_tokenizer.vocabulary
    target_vocabulary = translator.target_tokenizer.vocabulary
    examples = []
    for index, sentence in enumerate(sentences):
        source_ids = _through_end(output["source_ids"][index].numpy())
        output_ids = _through_end(output["ids"][index].numpy())
        examples.append(
            AlignmentExample(
                source=sentence,
                translation=output["translations"][index].numpy().decode("utf-8"),
                source_tokens=[source_vocabulary[token] for token in source_ids],
                output_tokens=[target_vocabulary[token] for token in output_ids],
                alignments=output["alignments"][index].numpy()[: len(output_ids), : len(source_ids)],
                generation_probabilities=None
                if probabilities is None
                else probabilities[index].numpy()[: len(output_ids)],
            )
        )
    return examples


def _through_end(ids):
    """The ids up to and including the first `</s>` (all of them if there is none)."""
    ends = np.flatnonzero(ids == END_ID)
    return ids[: ends[0] + 1] if len(ends) else ids


def draw_alignment(axes, example, title=True):
    """Draws one alignment matrix on matplotlib `axes`.

    The color scale runs from 0 to the matrix's largest weight (the colorbar shows the values), so
    the spread-out attention over a long sentence stays visible. With copy attention, the right
    axis gives each output token's probability of generating, `p_gen` (near 0: copied).

    Args:
        axes: a matplotlib `Axes`.
        example: `AlignmentExample`.
        title: put the source sentence and its translation above the matrix.

    Returns:
        The `AxesImage`, for a colorbar.
    """
    strongest = float(np.max(example.alignments, initial=0.0)) or 1.0
    image = axes.imshow(
        example.alignments, cmap="viridis", vmin=0.0, vmax=strongest, aspect="auto", interpolation="nearest"
    )
    axes.set_xticks(range(len(example.source_tokens)), [_visible(token) for token in example.source_tokens])
    axes.set_yticks(range(len(example.output_tokens)), [_visible(token) for token in example.output_tokens])
    axes.tick_params(axis="x", labelrotation=90, labelsize=LABEL_POINTS, top=True, labeltop=True, bottom=False, labelbottom=False)
    axes.tick_params(axis="y", labelsize=LABEL_POINTS)
    axes.set_xlabel("source")
    axes.set_ylabel("output")
    if example.generation_probabilities is not None:
        right = axes.secondary_yaxis("right")
        right.set_yticks(
            range(len(example.output_tokens)), [f"{value:.2f}" for value in example.generation_probabilities]
        )
        right.tick_params(labelsize=LABEL_POINTS)
        right.set_ylabel("p_gen (generate, not copy)")
    if title:
        width = max(30, int(len(example.source_tokens) * CELL_INCHES * 12))
        lines = textwrap.wrap(example.source, width) + textwrap.wrap(f"\u2192 {example.translation}", width)
        axes.set_title(_escape_math("\n".join(lines)), fontsize=LABEL_POINTS + 1, loc="left")
    return image


def heatmap_figure(examples, columns=1):
    """A figure with one alignment matrix per example, in a grid of `columns` columns.

    Cells have the same size in every panel, so panels grow with their sentences.

    Args:
        examples: list of `AlignmentExample`.
        columns: number of panels per row.

    Returns:
        A matplotlib `Figure` on an Agg canvas.
    """
    if not examples:
        raise ValueError("heatmap_figure needs at least one example, got none")
    check_positive_int(columns, "columns")
    columns = min(columns, len(examples))
    rows = math.ceil(len(examples) / columns)
    grid = [examples[row * columns : (row + 1) * columns] for row in range(rows)]
    widths = [max(len(row[column].source_tokens) for row in grid if column < len(row)) for column in range(columns)]
    heights = [max(len(example.output_tokens) for example in row) for row in grid]
    label_inches = 1.6 + 0.09 * max(len(token) for example in examples for token in example.output_tokens)
    if any(example.generation_probabilities is not None for example in examples):
        label_inches += 0.9  # the right axis of p_gen
    panel_extra = 2.4  # title, rotated source labels, colorbar
    figure = Figure(
        figsize=(
            sum(CELL_INCHES * width + label_inches + 1.0 for width in widths),
            sum(CELL_INCHES * height + panel_extra for height in heights),
        ),
        layout="constrained",
    )
    FigureCanvasAgg(figure)
    with _fonts():
        spec = figure.add_gridspec(rows, columns, width_ratios=widths, height_ratios=heights)
        for index, example in enumerate(examples):
            axes = figure.add_subplot(spec[index // columns, index % columns])
            image = draw_alignment(axes, example)
            figure.colorbar(image, ax=axes, fraction=0.04, pad=0.02)
    return figure


def save_heatmaps(examples, path, columns=1, dpi=100):
    """Draws `examples` with `heatmap_figure` and writes a PNG (or any format matplotlib knows by suffix).

    Returns:
        The `Path` written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure = heatmap_figure(examples, columns)
    with _fonts():
        figure.savefig(path, dpi=dpi)
    return path


def heatmap_png(examples, columns=1, dpi=100):
    """Draws `examples` with `heatmap_figure` and returns the PNG file contents (bytes)."""
    buffer = io.BytesIO()
    figure = heatmap_figure(examples, columns)
    with _fonts():
        figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _visible(token):
    """A label for `token` in which whitespace shows (`␣` for a space) and `$` is not read as math."""
    return _escape_math("".join(_VISIBLE.get(character, character) for character in token))


def _escape_math(text):
    """`text` with `$` escaped, so matplotlib does not parse `$...$` as mathtext."""
    return text.replace("$", r"\$")


def _fonts():
    """A context in which text uses DejaVu Sans, then the installed fallback fonts."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return matplotlib.rc_context(
        {"font.family": "sans-serif", "font.sans-serif": [family for family in FONT_FAMILIES if family in installed]}
    )
