"""The `evaluation` and `decoding` sections: dev-set BLEU during training, and how translations are produced."""

import dataclasses
import typing

from keras_attention.config.checks import named, require
from keras_attention.options import decoding as decoding_options


@dataclasses.dataclass
class EvaluationConfig:
    """Dev-set scores during training.

    Args:
        dev_bleu_sentences: after every epoch, translate the first this many dev pairs and log
            their sacreBLEU corpus BLEU as `val_bleu` and their mean ROUGE-L F1 as `val_rouge_l`
            (progress bar, `history.csv`, TensorBoard), which `training.monitor` can then
            follow; 0 turns it off.
    """

    dev_bleu_sentences: int = 0

    def validate(self, key="evaluation"):
        require(
            self.dev_bleu_sentences >= 0,
            f"{key}.dev_bleu_sentences",
            f"expected 0 (off) or a positive integer, got {self.dev_bleu_sentences!r}",
        )


@dataclasses.dataclass
class DecodingConfig:
    """How translations are produced (see `keras_attention.decoding`).

    Args:
        max_length: maximum number of output tokens.
        batch_size: sentences decoded together.
        strategy: one of `keras_attention.options.decoding.STRATEGIES`: `greedy` (most probable token at each step),
            `beam` (beam search) or `sample` (random draws).
        beam_size: hypotheses kept per sentence (`beam`).
        length_penalty: GNMT length penalty weight `alpha >= 0`, 0 for none (`beam`).
        coverage_penalty: GNMT coverage penalty weight `beta >= 0`, 0 for none (`beam`).
        n_best: hypotheses returned per sentence, at most `beam_size`; above 1 needs `beam`.
        temperature: sampling temperature, `> 0` (`sample`).
        top_k: draw from the `top_k` most probable tokens only, `null` for all (`sample`).
        seed: seed of the random draws, `null` for a different one at each run (`sample`).
        max_length_ratio: also stop each output after `ceil(max_length_ratio * source length)`
            tokens, both lengths counting `</s>`; `null` for no relative limit.
        min_length: no `</s>` before this many output tokens (every strategy; 0 for none). An
            output can still stop shorter at its length limit.
        no_repeat_ngram_size: no output holds an n-gram of this many tokens twice (every
            strategy; 0 for no limit, 1 for no token twice).
        ensemble_average: how an ensemble of runs averages its members' next-token
            distributions: `probability` (the log of the mean probability) or `log_probability`
            (the mean of the log-probabilities); unused by a single run.
    """

    max_length: int = 128
    batch_size: int = 256
    strategy: str = "greedy"
    beam_size: int = 5
    length_penalty: float = 0.0
    coverage_penalty: float = 0.0
    n_best: int = 1
    temperature: float = 1.0
    top_k: typing.Optional[int] = None
    seed: typing.Optional[int] = None
    max_length_ratio: typing.Optional[float] = None
    min_length: int = 0
    no_repeat_ngram_size: int = 0
    ensemble_average: str = "probability"

    def validate(self, key="decoding"):
        options = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        del options["strategy"], options["seed"]
        with named(f"{key}."):
            decoding_options.check_decoding_options(self.strategy, **options)
