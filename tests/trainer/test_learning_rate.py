"""`training.learning_rate_decay`: `LearningRateDecay` sets the rate of every batch from the run's
progress, checked against Keras's own step-based schedules that compute the same curves."""

import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_attention.config import RunConfig, TrainingConfig
from keras_attention.trainer import learning_rate
from keras_attention.trainer.callbacks import RunProgress, make_callbacks
from keras_attention.trainer.learning_rate import LearningRateDecay, decayed_learning_rate
from keras_attention.trainer.streamed_epochs import streamed_epochs

INITIAL, FINAL = 0.01, 0.001
BATCHES, EPOCHS = 8, 3  # 64 examples in batches of 8


class RecordRates(keras.callbacks.Callback):
    """The learning rate each trained batch ran with."""

    def __init__(self):
        super().__init__()
        self.rates = []

    def on_train_batch_end(self, batch, logs=None):
        self.rates.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))


def fit_rates(decay, data=None, optimizer=None, epochs=EPOCHS, **options):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=optimizer or keras.optimizers.Adam(INITIAL), loss="mse")
    record = RecordRates()
    data = data if data is not None else (np.ones((64, 2)), np.ones((64, 1)))
    inputs = {"x": data[0], "y": data[1], "batch_size": BATCHES} if isinstance(data, tuple) else {"x": data}
    history = model.fit(**inputs, epochs=epochs, verbose=0, callbacks=[decay, record], shuffle=False)
    return record.rates, history.history, model


def keras_schedule(decay, steps):
    if decay == "linear":
        return keras.optimizers.schedules.PolynomialDecay(INITIAL, steps, end_learning_rate=FINAL, power=1.0)
    return keras.optimizers.schedules.CosineDecay(INITIAL, steps, alpha=FINAL / INITIAL)


@pytest.mark.parametrize("decay", ["linear", "cosine"])
def test_rates_equal_keras_step_schedules_over_the_planned_epochs(decay):
    rates, history, _ = fit_rates(LearningRateDecay(decay, INITIAL, FINAL, EPOCHS))
    steps = BATCHES * EPOCHS
    schedule = keras_schedule(decay, steps)
    expected = [float(schedule(step)) for step in range(steps)]
    np.testing.assert_allclose(rates, expected, rtol=1e-5)
    assert rates[0] == pytest.approx(INITIAL) and rates[-1] > FINAL
    np.testing.assert_allclose(history["learning_rate"], rates[BATCHES - 1 :: BATCHES], rtol=1e-6)


def test_a_streamed_dataset_decays_by_epoch_until_an_epoch_has_told_its_length():
    data = tf.data.Dataset.from_tensor_slices((np.ones((64, 2)), np.ones((64, 1)))).filter(lambda x, y: True)
    assert int(data.cardinality()) == tf.data.UNKNOWN_CARDINALITY
    with streamed_epochs():
        rates, history, _ = fit_rates(LearningRateDecay("linear", INITIAL, FINAL, EPOCHS), data=data.batch(BATCHES))
    schedule = keras_schedule("linear", BATCHES * EPOCHS)
    assert rates[:BATCHES] == pytest.approx([INITIAL] * BATCHES)
    np.testing.assert_allclose(rates[BATCHES:], [float(schedule(step)) for step in range(BATCHES, 3 * BATCHES)], rtol=1e-5)
    # Each epoch ends with a step that finds no batch; the log keeps the last trained batch's rate.
    np.testing.assert_allclose(history["learning_rate"], rates[BATCHES - 1 :: BATCHES], rtol=1e-6)


def test_a_time_limit_that_has_passed_gives_the_final_rate():
    rates, _, _ = fit_rates(LearningRateDecay("cosine", INITIAL, FINAL, EPOCHS, minutes=1e-9), epochs=1)
    assert rates == pytest.approx([FINAL] * BATCHES)


def test_the_run_follows_whichever_plan_ends_it_first(monkeypatch):
    ticks = iter(range(1000))
    monkeypatch.setattr(learning_rate, "time", types.SimpleNamespace(perf_counter=lambda: 60.0 * next(ticks)))
    # One clock reading at the start and one before each batch: batch k (from 1) starts 60 k seconds
    # into a 12-minute budget, k / 12 of it, ahead of the epoch plan's (k - 1) / 24.
    rates, _, _ = fit_rates(LearningRateDecay("linear", INITIAL, FINAL, EPOCHS, minutes=12))
    expected = [INITIAL + (FINAL - INITIAL) * min(k / 12, 1.0) for k in range(1, 25)]
    np.testing.assert_allclose(rates, expected, rtol=1e-6)
    # A 10-hour budget: from the second batch on, the epoch plan is ahead.
    rates, _, _ = fit_rates(LearningRateDecay("linear", INITIAL, FINAL, EPOCHS, minutes=600))
    np.testing.assert_allclose(rates[1:], [float(keras_schedule("linear", 24)(step)) for step in range(1, 24)], rtol=1e-5)


def test_an_epoch_resumed_in_its_middle_counts_its_skipped_batches_but_not_as_an_epoch_length():
    decay = LearningRateDecay("linear", INITIAL, FINAL, epochs=2, position=types.SimpleNamespace(skip=3))
    decay.set_params({"steps": None, "epochs": 2})
    decay.on_train_begin()
    decay.on_epoch_begin(1)
    assert decay.progress() == pytest.approx(0.5)
    decay.on_epoch_end(1)
    assert decay._batches_per_epoch is None


def test_the_rate_of_a_loss_scale_optimizer_decays():
    optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(INITIAL))
    rates, _, model = fit_rates(LearningRateDecay("linear", INITIAL, FINAL, 1), optimizer=optimizer, epochs=1)
    assert rates[-1] == pytest.approx(INITIAL + (FINAL - INITIAL) * 7 / 8)
    assert float(keras.ops.convert_to_numpy(model.optimizer.inner_optimizer.learning_rate)) == pytest.approx(rates[-1])


@pytest.mark.parametrize("progress, linear, cosine", [(-1, 0.01, 0.01), (0.5, 0.0055, 0.0055), (2, 0.001, 0.001)])
def test_decayed_learning_rate_at_fixed_points(progress, linear, cosine):
    assert decayed_learning_rate("linear", INITIAL, FINAL, progress) == pytest.approx(linear)
    assert decayed_learning_rate("cosine", INITIAL, FINAL, progress) == pytest.approx(cosine)
    assert decayed_learning_rate("cosine", INITIAL, FINAL, 0.25) == pytest.approx(0.001 + 0.009 * (2 + 2**0.5) / 4)


@pytest.mark.parametrize(
    "arguments, message",
    [
        (("step", INITIAL, FINAL, 3), "decay: expected one of ['linear', 'cosine'], got 'step'"),
        (("linear", INITIAL, FINAL, 0), "epochs: expected a positive int, got 0"),
        (("linear", INITIAL, FINAL, 3, 0), "minutes: expected > 0 or None, got 0"),
    ],
)
def test_bad_arguments(arguments, message):
    with pytest.raises(ValueError) as raised:
        LearningRateDecay(*arguments)
    assert str(raised.value) == message


def test_the_training_config_puts_the_decay_among_the_run_callbacks(tmp_path):
    config = RunConfig()
    config.training = TrainingConfig(
        epochs=4, learning_rate_decay="cosine", final_learning_rate=1e-4, max_training_minutes=7
    )
    callbacks = make_callbacks(config, "loss", tmp_path, tmp_path / "backup", True, RunProgress(), None)
    (decay,) = [callback for callback in callbacks if isinstance(callback, LearningRateDecay)]
    assert (decay.decay, decay.initial, decay.final, decay.epochs, decay.seconds) == ("cosine", 3e-3, 1e-4, 4, 420)
    config.training = TrainingConfig()
    callbacks = make_callbacks(config, "loss", tmp_path, tmp_path / "backup", True, RunProgress(), None)
    assert not any(isinstance(callback, LearningRateDecay) for callback in callbacks)
