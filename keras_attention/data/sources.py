"""Loads the train / dev / test pairs that a `DataConfig` names."""

import dataclasses

from keras_attention.data import dates
from keras_attention.data.tsv import read_tsv


@dataclasses.dataclass
class Splits:
    """Text pairs of a run: `train` always, `dev` and `test` possibly empty lists."""

    train: list
    dev: list
    test: list


def load_splits(data_config):
    """Returns the `Splits` that `data_config` describes.

    For the `dates` task, dev and test are generated held-out dates whose sources (also after
    lowercasing and collapsing whitespace) never occur in the training set.
    """
    if data_config.task == "dates":
        train, held_out = dates.train_test_split(
            data_config.num_train, data_config.num_dev + data_config.num_test, data_config.seed
        )
        return Splits(train, held_out[: data_config.num_dev], held_out[data_config.num_dev :])
    return Splits(
        read_tsv(data_config.train),
        read_tsv(data_config.dev) if data_config.dev else [],
        read_tsv(data_config.test) if data_config.test else [],
    )
