"""Learning test: two runs of the shipped dates config on 8,000 training pairs, 1 epoch each under
different seeds, decode as an ensemble at least as well as the better of them on the 2,000
held-out dates. (On the config's 20,000 pairs one epoch already gives 100%: nothing to gain.)"""

import dataclasses

import pytest

from helpers.tiny_runs import ROOT
from keras_attention.config import RunConfig
from keras_attention.data.sources import load_splits
from keras_attention.evaluation import score_translations
from keras_attention.options.decoding import ENSEMBLE_AVERAGES
from keras_attention.runs import load_translator
from keras_attention.trainer import train

pytestmark = pytest.mark.learning

DATES_CONFIG = ROOT / "training" / "configs" / "dates.yaml"
TRAINING_PAIRS = 8000


@pytest.fixture(scope="module")
def one_epoch_runs(tmp_path_factory):
    """`(run directories, their held-out exact match, the held-out pairs)`."""
    config = RunConfig.from_yaml(DATES_CONFIG)
    config = dataclasses.replace(config, data=dataclasses.replace(config.data, num_train=TRAINING_PAIRS))
    runs, exact_matches = [], []
    for seed in (0, 1):
        training = dataclasses.replace(config.training, epochs=1, seed=seed)
        directory = tmp_path_factory.mktemp(f"dates-seed-{seed}") / "run"
        summary = train(dataclasses.replace(config, training=training), directory, verbose=0, log=lambda line: None)
        runs.append(directory)
        exact_matches.append(summary.test["exact_match"])
    return runs, exact_matches, load_splits(config.data).test


@pytest.mark.parametrize("average", ENSEMBLE_AVERAGES)
def test_an_ensemble_of_two_one_epoch_runs_is_at_least_the_better_run(one_epoch_runs, average):
    runs, exact_matches, test = one_epoch_runs
    sources, references = (list(side) for side in zip(*test))
    assert len(sources) == 2000 and exact_matches[0] != exact_matches[1]
    assert all(0.5 < exact_match < 0.99 for exact_match in exact_matches), exact_matches  # room to gain
    decoding = dataclasses.replace(RunConfig.from_yaml(DATES_CONFIG).decoding, ensemble_average=average)
    translator = load_translator(runs, decoding=decoding)
    hypotheses = translator.translate(sources).translations
    exact_match = score_translations(hypotheses, references)["exact_match"]
    print(f"held-out exact match: runs {exact_matches}, ensemble ({average}) {exact_match:.4f}")
    assert exact_match >= max(exact_matches)
