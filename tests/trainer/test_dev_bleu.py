"""Dev BLEU during fit: logged each epoch (history, CSV, TensorBoard) and followed by `training.monitor`."""

import csv

import pytest
import tensorflow as tf

from helpers.tiny_configs import LEARNING_MODEL
from keras_attention.config import RunConfig
from keras_attention.data import dates
from keras_attention.errors import ConfigError
from keras_attention.evaluation import corpus_bleu
from keras_attention.runs import load_run
from keras_attention.trainer import train


def tensorboard_scalars(directory):
    """Tag -> list of values of the scalar summaries in the event files under `directory`."""
    values = {}
    for path in directory.rglob("events.out.tfevents.*"):
        for record in tf.data.TFRecordDataset(str(path)):
            event = tf.compat.v1.Event.FromString(record.numpy())
            for value in event.summary.value:
                values.setdefault(value.tag, []).append(float(tf.make_ndarray(value.tensor)))
    return values


def test_dev_bleu_is_logged_and_monitor_val_bleu_saves_the_best_epoch(tmp_path):
    config = RunConfig.from_dict(
        {
            "data": {"num_train": 1000, "num_dev": 60, "num_test": 1},
            "source": {"lowercase": True, "max_length": 40},
            "target": {"max_length": 12},
            "model": LEARNING_MODEL,
            "training": {
                "epochs": 2,
                "batch_size": 32,
                "learning_rate": 0.01,
                "monitor": "val_bleu",
                "save_best": True,
                "early_stopping_patience": 5,
                "attention_images": 0,
            },
            "decoding": {"max_length": 12},
            "evaluation": {"dev_bleu_sentences": 40},
        }
    )
    summary = train(config, tmp_path / "run", verbose=0, log=lambda line: None)
    with open(tmp_path / "run" / "history.csv", newline="") as handle:
        logged = [float(row["val_bleu"]) for row in csv.DictReader(handle)]
    assert len(logged) == 2 and all(0.0 <= value <= 100.0 for value in logged) and max(logged) > 0
    assert summary["final"]["val_bleu"] == pytest.approx(logged[-1])
    assert tensorboard_scalars(tmp_path / "run" / "logs" / "validation")["epoch_bleu"] == pytest.approx(logged)
    run = load_run(tmp_path / "run")
    run.model.load_weights(tmp_path / "run" / "checkpoints" / "best.weights.h5")
    sources, references = zip(*dates.train_test_split(1000, 61, 0)[1][:40])
    best_bleu = corpus_bleu(run.translator().translate(list(sources)).translations, list(references))
    assert best_bleu == pytest.approx(max(logged))
    with open(tmp_path / "run" / "history.csv", newline="") as handle:
        rouge_l = [float(row["val_rouge_l"]) for row in csv.DictReader(handle)]
    assert len(rouge_l) == 2 and all(0.0 <= value <= 100.0 for value in rouge_l)
    assert tensorboard_scalars(tmp_path / "run" / "logs" / "validation")["epoch_rouge_l"] == pytest.approx(rouge_l)


def test_dev_scores_are_the_scores_of_the_dev_translations():
    """`DevBleu` on a model: its logged BLEU, ROUGE-L and exact match are those of the model's
    greedy translations of the pairs (checked on an untrained model, whose outputs are poor)."""
    from helpers.tiny_seq2seq import tiny_translator_parts

    from keras_attention.evaluation import exact_match, rouge
    from keras_attention.trainer.dev_bleu import DevBleu

    *_, source_tokenizer, target_tokenizer, model = tiny_translator_parts()
    pairs = [("abc", "x y"), ("fed", "z"), ("bad bed", "x z y")]
    callback = DevBleu(
        pairs, source_tokenizer, target_tokenizer, max_length=6, exact_match_name="em", rouge_l_name="val_rouge_l"
    )
    callback.set_model(model)
    logs = {}
    callback.on_epoch_end(0, logs)
    translations = callback._translator_for_model().translate([source for source, _ in pairs]).translations
    references = [reference for _, reference in pairs]
    assert logs == pytest.approx(
        {
            "val_bleu": corpus_bleu(translations, references),
            "em": exact_match(translations, references),
            "val_rouge_l": rouge(translations, references)["rouge_l"],
        }
    )


def test_the_dev_translations_are_greedy_with_the_runs_output_controls():
    from helpers.tiny_seq2seq import tiny_translator_parts

    from keras_attention.trainer.dev_bleu import dev_bleu_callbacks

    *_, source_tokenizer, target_tokenizer, model = tiny_translator_parts()
    config = RunConfig.from_dict(
        {
            "data": {"format": "dates", "num_dev": 8},
            "evaluation": {"dev_bleu_sentences": 4},
            "decoding": {"strategy": "beam", "n_best": 2, "min_length": 3, "no_repeat_ngram_size": 1, "max_length": 6},
        }
    )
    pairs = [("abc", "x y"), ("fed", "z"), ("bad bed", "x z y"), ("cab", "y"), ("dead", "x")]
    (callback,) = dev_bleu_callbacks(config, pairs, source_tokenizer, target_tokenizer)
    callback.set_model(model)
    translator = callback._translator_for_model()
    assert (translator.decoding.strategy, translator.decoding.n_best, translator.max_length) == ("greedy", 1, 6)
    output = translator.translate_batch(tf.constant([source for source, _ in pairs[:4]]))
    for ids in output["ids"].numpy():
        tokens = list(ids[: list(ids).index(3)]) if 3 in ids else list(ids)
        assert len(tokens) >= 3 and len(set(tokens)) == len(tokens), ids


@pytest.mark.parametrize("monitor, mode", [("val_rouge_l", "max"), ("val_bleu", "max"), ("val_exact_match", "max"), ("val_loss", "min")])
def test_the_dev_scores_count_higher_as_better(monitor, mode):
    from keras_attention.trainer.setup import monitor_mode

    assert monitor_mode(monitor) == mode


def test_dev_scores_need_dev_pairs(tmp_path):
    (tmp_path / "train.tsv").write_text("a\tb\n", encoding="utf-8")
    config = RunConfig.from_dict(
        {"data": {"format": "tsv", "train": str(tmp_path / "train.tsv")}, "evaluation": {"dev_bleu_sentences": 5}}
    )
    with pytest.raises(ConfigError, match="training.monitor: 'val_rouge_l' needs evaluation.dev_bleu_sentences > 0, got 0"):
        RunConfig.from_dict({"training": {"monitor": "val_rouge_l"}})
    with pytest.raises(ConfigError, match=r"evaluation.dev_bleu_sentences: .* needs dev pairs, but the data config gives none \(data.dev\)"):
        train(config, tmp_path / "run", verbose=0, log=lambda line: None)
