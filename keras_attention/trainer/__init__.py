"""Training glue: from a `RunConfig` to a saved run directory."""

from keras_attention.trainer.fit import train

__all__ = ["train"]
