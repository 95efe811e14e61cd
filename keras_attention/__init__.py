"""keras-attention: attention-based sequence-to-sequence models on Keras 3.

The public API:

- layers: `AttentionLayer`, `AttentionRNN` / `AttentionRNNCell` (attention inside the RNN step),
  `AttentionMemory` / `SplitMemory` (attention keys computed once per sentence), `CoverageLoss`,
  `PointerGenerator` (copy attention),
  `InitialAttentionState`, `PaddingMask`, `RemoveMask`
- config: `RunConfig` and its parts `DataConfig`, `TextConfig`, `ModelConfig`,
  `TrainingConfig`, `DecodingConfig`, `EvaluationConfig`, `TuningConfig`, `HyperparameterSpec`
- models: `build_seq2seq`, `compile_seq2seq`, `inference_models`
- decoding: `greedy_decode`, `beam_search_decode`, `sample_decode`, `Ensemble` (several models
  decoding as one)
- text and data: `CharTokenizer`, `WordPieceTokenizer`, `SentencePieceTokenizer`,
  `learn_vocabulary`, `learn_vocabularies`, `tokenizer_from_config`, `read_tsv`, `read_parallel`, `read_jsonl`,
  `make_dataset`, `teacher_forcing_inputs`
- runs: `train`, `fit_streamed`, `load_run`, `load_translator` (a run or an ensemble of runs),
  `save_run`, `RunLayout`, `Translator`, `DevBleu`
- checkpoints: `average_checkpoints`, `average_run_checkpoints`
- export for TF Serving: `export_run`, `export_translator`
- evaluation: `score_translations`, `alignment_examples`, `save_heatmaps`
- tuning: `tune`, `Seq2SeqHyperModel` (keras-tuner)
- errors: `KerasAttentionError`, `ConfigError`, `DataError`, `ExportError`, `RunDirectoryError`, `TuningError`

Names load on first use, so `import keras_attention` is instant and the TensorFlow-only parts
(runs, training, translation) are imported only when asked for; the layers and models work on
any Keras backend.
"""

from keras_attention.lazy import lazy_names

__version__ = "0.1.0"

_MODULES = {
    "keras_attention.config": (
        "DataConfig",
        "DecodingConfig",
        "ModelConfig",
        "RunConfig",
        "TextConfig",
        "TrainingConfig",
        "EvaluationConfig",
        "HyperparameterSpec",
        "TuningConfig",
    ),
    "keras_attention.errors": (
        "ConfigError",
        "DataError",
        "ExportError",
        "KerasAttentionError",
        "RunDirectoryError",
        "TuningError",
    ),
    "keras_attention.layers": (
        "AttentionLayer",
        "AttentionMemory",
        "AttentionRNN",
        "AttentionRNNCell",
        "CoverageLoss",
        "InitialAttentionState",
        "PaddingMask",
        "PointerGenerator",
        "RemoveMask",
        "SplitMemory",
    ),
    "keras_attention.models": ("build_seq2seq", "compile_seq2seq", "inference_models"),
    "keras_attention.decoding": ("beam_search_decode", "greedy_decode", "sample_decode"),
    "keras_attention.decoding.ensemble": ("Ensemble",),
    "keras_attention.text.char_tokenizer": ("CharTokenizer",),
    "keras_attention.text.sentencepiece_tokenizer": ("SentencePieceTokenizer",),
    "keras_attention.text.wordpiece_tokenizer": ("WordPieceTokenizer",),
    "keras_attention.text.tokenizer": ("learn_vocabularies", "learn_vocabulary", "tokenizer_from_config"),
    "keras_attention.data.pipeline": ("make_dataset", "teacher_forcing_inputs"),
    "keras_attention.trainer": ("fit_streamed", "train"),
    "keras_attention.data.readers": ("read_jsonl", "read_parallel", "read_tsv"),
    "keras_attention.trainer.dev_bleu": ("DevBleu",),
    "keras_attention.evaluation.metrics": ("score_translations",),
    "keras_attention.evaluation.heatmaps": ("alignment_examples", "save_heatmaps"),
    "keras_attention.runs": ("RunLayout", "average_checkpoints", "average_run_checkpoints", "load_run", "load_translator", "save_run"),
    "keras_attention.translator": ("Translator",),
    "keras_attention.export": ("export_run", "export_translator"),
    "keras_attention.tuning": ("Seq2SeqHyperModel", "tune"),
}
__all__, __getattr__, __dir__ = lazy_names(globals(), _MODULES)
