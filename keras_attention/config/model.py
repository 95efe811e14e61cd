"""The `model` section: the architecture of the encoder-decoder."""

import dataclasses
import typing

from keras_attention.config.checks import choice, named, positive_int, require
from keras_attention.options import attention as attention_options

ATTENTION_PLACEMENTS = ("after_lstm", "in_step")
INITIALIZATIONS = ("keras", "torch")


@dataclasses.dataclass
class ModelConfig:
    """Architecture of the encoder-decoder.

    Args:
        embedding_dim: size of the source and target token embeddings.
        encoder_units: LSTM units per encoder layer (per direction when bidirectional).
        encoder_layers: number of stacked encoder LSTM layers.
        bidirectional: whether every encoder layer reads in both directions.
        decoder_units: LSTM units per decoder layer.
        decoder_layers: number of stacked decoder LSTM layers.
        attention: attention score, one of `keras_attention.options.attention.SCORES` (see `AttentionLayer`).
        attention_units: size of the additive scoring space (required for the additive scores
            `ADDITIVE_SCORES`; `null` otherwise).
        attentional_units: size of the attentional vector `tanh(W [c; s])` fed to the output layer.
        dropout: dropout rate on embeddings, between recurrent layers (`after_lstm` only) and on
            the attentional vector.
        attention_scale: scaling of a multiplicative score: `null`, `inverse_sqrt` or `learned`;
            only for `luong_general` and `scaled_dot` (`null` means `inverse_sqrt` for
            `scaled_dot`).
        attention_dropout: fraction of the alignments dropped in training (`after_lstm` only).
        attention_placement: `after_lstm` (attention over the LSTM outputs, parallel over time,
            fast) or `in_step` (attention inside every decoder step, from the previous state, as
            Bahdanau et al. describe).
        input_feeding: whether the previous attentional vector is fed to the next step
            (Luong et al.; `in_step` only).
        coverage: whether the sum of the past alignments enters the score (See et al.; `in_step`
            and additive scores only).
        coverage_loss_weight: weight of the coverage loss term (a number >= 0, required with
            `coverage`; `null` otherwise).
        copy: copy attention (a pointer-generator, `keras_attention.layers.PointerGenerator`):
            each output token is generated from the vocabulary or copied from the source, by
            the attention. With `target.shared_vocabulary: true` every source token is a
            target token; with separate vocabularies a source token is copied as the target
            token of the same string, and one the target vocabulary lacks as `<unk>`
            (`keras_attention.models.copy_target_ids`).
        tie_embeddings: the target embedding is also the output projection (Press and Wolf,
            2017): logits `attentional . E^T` (no bias) through one
            `keras_attention.layers.TiedEmbedding`, which saves `vocabulary x embedding_dim`
            parameters. Needs `attentional_units` equal to `embedding_dim`. The source embedding
            stays its own: it lives in the encoder sub-model, and Keras saving keeps a layer
            shared by two sub-models only once.
        initialization: weight initialization scheme, one of `INITIALIZATIONS` (see
            `keras_attention.models.initialization`): `torch` (the default: PyTorch's layer
            defaults, uniform +-1/sqrt(fan_in) weights and N(0, 1) embeddings) or `keras`
            (Keras's layer defaults). On the Bible en-es config `torch` scores dev BLEU 6.9
            after a 5-minute training budget where `keras` scores 0.7 (BENCHMARKS.md).
    """

    embedding_dim: int = 64
    encoder_units: int = 128
    encoder_layers: int = 1
    bidirectional: bool = True
    decoder_units: int = 256
    decoder_layers: int = 1
    attention: str = "bahdanau"
    attention_units: typing.Optional[int] = 128
    attentional_units: int = 256
    dropout: float = 0.0
    attention_scale: typing.Optional[str] = None
    attention_dropout: float = 0.0
    attention_placement: str = "after_lstm"
    input_feeding: bool = False
    coverage: bool = False
    coverage_loss_weight: typing.Optional[float] = None
    copy: bool = False
    tie_embeddings: bool = False
    initialization: str = "torch"

    def validate(self, key="model"):
        for name in (
            "embedding_dim",
            "encoder_units",
            "encoder_layers",
            "decoder_units",
            "decoder_layers",
            "attentional_units",
        ):
            positive_int(getattr(self, name), f"{key}.{name}")
        choice(self.attention, attention_options.SCORES, f"{key}.attention")
        additive = self.attention in attention_options.ADDITIVE_SCORES
        if additive:
            require(
                self.attention_units is not None,
                f"{key}.attention_units",
                f"required (a positive integer) for attention {self.attention!r}, got null",
            )
            positive_int(self.attention_units, f"{key}.attention_units")
        else:
            require(
                self.attention_units is None,
                f"{key}.attention_units",
                f"must be null for attention {self.attention!r} (it has no scoring space), "
                f"got {self.attention_units!r}",
            )
        with named(f"{key}.attention_scale"):
            attention_options.resolve_scale(self.attention, self.attention_scale)
        require(
            0.0 <= self.dropout < 1.0, f"{key}.dropout", f"expected 0 <= dropout < 1, got {self.dropout!r}"
        )
        require(
            0.0 <= self.attention_dropout < 1.0,
            f"{key}.attention_dropout",
            f"expected 0 <= attention_dropout < 1, got {self.attention_dropout!r}",
        )
        choice(self.attention_placement, ATTENTION_PLACEMENTS, f"{key}.attention_placement")
        choice(self.initialization, INITIALIZATIONS, f"{key}.initialization")
        if self.attention_placement != "in_step":
            for name in ("input_feeding", "coverage"):
                require(
                    not getattr(self, name),
                    f"{key}.{name}",
                    f"needs attention_placement 'in_step', got attention_placement "
                    f"{self.attention_placement!r}",
                )
        else:
            require(
                self.attention_dropout == 0.0,
                f"{key}.attention_dropout",
                f"must be 0 with attention_placement 'in_step', got {self.attention_dropout!r}",
            )
        require(
            not self.coverage or additive,
            f"{key}.coverage",
            f"needs an additive attention {list(attention_options.ADDITIVE_SCORES)}, got attention "
            f"{self.attention!r}",
        )
        if self.coverage:
            require(
                self.coverage_loss_weight is not None and self.coverage_loss_weight >= 0,
                f"{key}.coverage_loss_weight",
                f"expected a number >= 0 with coverage, got {self.coverage_loss_weight!r}",
            )
        else:
            require(
                self.coverage_loss_weight is None,
                f"{key}.coverage_loss_weight",
                f"must be null without coverage, got {self.coverage_loss_weight!r}",
            )
        require(
            not self.tie_embeddings or self.attentional_units == self.embedding_dim,
            f"{key}.tie_embeddings",
            f"needs attentional_units equal to embedding_dim, got attentional_units {self.attentional_units} "
            f"and embedding_dim {self.embedding_dim}",
        )
