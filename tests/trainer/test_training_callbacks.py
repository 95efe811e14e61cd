"""What a training run writes through its callbacks: history, checkpoints, TensorBoard scalars and
attention heatmap images; and the callbacks' own rules."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_attention.errors import ConfigError
from keras_attention.runs import RunLayout, load_run
from keras_attention.trainer.callbacks import CheckMonitor, HistoryCSV, read_history
from keras_attention.trainer.streamed_epochs import ExactStepCount


def summaries(log_dir):
    """`(tag, step, tensor)` of every summary value in the event files under `log_dir`."""
    found = []
    for path in sorted(log_dir.glob("events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                found.append((value.tag, event.step, tf.make_ndarray(value.tensor)))
    return found


def test_run_keeps_last_checkpoints_and_best_and_drops_its_backup(tiny_run):
    output, summary = tiny_run
    assert summary["epochs"] == 3 and summary["resumed_from"] is None
    assert [epoch for epoch, _ in RunLayout(output).epoch_checkpoints()] == [2, 3]
    assert (output / "checkpoints" / "best.weights.h5").is_file()
    assert not (output / "backup").exists()
    rows = read_history(output / "history.csv")
    assert [row["epoch"] for row in rows] == ["0", "1", "2"]
    assert {"loss", "val_loss", "val_sequence_accuracy"} <= set(rows[0])


def test_best_checkpoint_holds_the_epoch_with_the_lowest_val_loss(tiny_run):
    output, _ = tiny_run
    rows = read_history(output / "history.csv")
    best_epoch = 1 + min(range(len(rows)), key=lambda index: float(rows[index]["val_loss"]))
    kept = dict(RunLayout(output).epoch_checkpoints())
    assert best_epoch in kept, f"val_loss by epoch: {[row['val_loss'] for row in rows]}"
    model = load_run(output).model
    model.load_weights(output / "checkpoints" / "best.weights.h5")
    best = model.get_weights()
    model.load_weights(kept[best_epoch])
    for got, expected in zip(best, model.get_weights()):
        np.testing.assert_array_equal(got, expected)


def test_tensorboard_has_scalars_and_attention_images_each_epoch(tiny_run):
    output, _ = tiny_run
    scalars = {tag for tag, _, _ in summaries(output / "logs" / "train")}
    assert "epoch_loss" in scalars
    images = summaries(output / "logs" / "attention")
    assert sorted((tag, step) for tag, step, _ in images) == [
        (f"attention/example_{index}", step) for index in range(2) for step in range(3)
    ]
    for _, _, tensor in images:
        width, height, png = tensor
        image = tf.io.decode_png(png)
        assert image.shape[:2] == (int(height), int(width)) and image.shape[0] > 100


def test_history_keeps_each_epoch_once_when_an_epoch_is_trained_again(tmp_path):
    history = HistoryCSV(tmp_path / "history.csv")
    for epoch, loss in enumerate([3.0, 2.0, 1.5]):
        history.on_epoch_end(epoch, {"loss": loss})
    history.on_epoch_end(1, {"loss": 1.9, "val_loss": 2.1})
    rows = read_history(tmp_path / "history.csv")
    assert [(row["epoch"], row["loss"], row["val_loss"]) for row in rows] == [("0", "3.0", "NA"), ("1", "1.9", "2.1")]


def test_unknown_monitor_fails_after_the_first_epoch():
    check = CheckMonitor("val_bleu")
    with pytest.raises(ConfigError, match=r"training.monitor: 'val_bleu' is not logged .* \['loss', 'val_loss'\]"):
        check.on_epoch_end(0, {"loss": 1.0, "val_loss": 1.1})
    CheckMonitor("val_loss").on_epoch_end(0, {"loss": 1.0, "val_loss": 1.1})


def test_exact_step_count_undoes_the_phantom_step_of_an_unknown_length_dataset():
    def iterations(callbacks):
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        data = tf.data.Dataset.from_tensor_slices((np.ones((12, 2), "float32"), np.ones((12, 1), "float32")))
        data = data.filter(lambda x, y: True).batch(4)  # 3 batches, length unknown to Keras
        assert data.cardinality() == tf.data.UNKNOWN_CARDINALITY
        model.fit(data, epochs=3, verbose=0, callbacks=callbacks)
        return int(model.optimizer.iterations.numpy())

    assert iterations([]) == 3 * 3 + 3  # upstream: one phantom increment per epoch
    assert iterations([ExactStepCount()]) == 3 * 3
