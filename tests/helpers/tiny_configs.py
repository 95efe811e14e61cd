"""Model sizes the tests share, as `model.*` keys (pass them to `ModelConfig(**...)` or a config dict)."""

# A trainable run of a few thousand parameters: the trainer, tuning, export and bench tests.
TINY_MODEL = {"embedding_dim": 8, "encoder_units": 8, "decoder_units": 16, "attention_units": 8, "attentional_units": 16}
# Sizes that all differ, so that a mixed-up dimension fails: the model and decoding tests.
DISTINCT_SIZES = {"embedding_dim": 8, "encoder_units": 6, "decoder_units": 10, "attention_units": 5, "attentional_units": 7}
# Enough capacity to learn the learning tests' tasks to their stated accuracy in a few epochs.
LEARNING_MODEL = {"embedding_dim": 16, "encoder_units": 16, "decoder_units": 32, "attention_units": 16, "attentional_units": 32}
