"""Training glue: from a `RunConfig` to a saved run directory.

`train` does every step; a script that does them its own way uses `keras_attention.trainer.setup`
(strategy, data, tokenizers) and `fit_streamed` (the `model.fit` call on that data).
"""

from keras_attention.trainer.fit import train
from keras_attention.trainer.streamed_epochs import fit_streamed

__all__ = ["fit_streamed", "train"]
