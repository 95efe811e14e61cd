"""The copy task of the learning tests: the target is the source itself."""

import numpy as np


def copy_task(count, seed=3):
    """Returns `(inputs, target_out)` for `model.fit`: random 3-token sources over ids 4-9."""
    source = np.random.default_rng(seed).integers(4, 10, size=(count, 3)).astype("int32")
    target_in = np.concatenate([np.full((count, 1), 2, "int32"), source], axis=1)
    target_out = np.concatenate([source, np.full((count, 1), 3, "int32")], axis=1)
    return {"source": source, "target_in": target_in}, target_out
