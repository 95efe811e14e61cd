"""The export's files and guarantees: TF Serving layout and versions, warmup requests, model
config, recorded decoding options, the op allow-list, atomic publication, saved_model_cli."""

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tensorflow as tf
import tensorflow_text as tf_text
from helpers.export_inputs import KINDS, ROOT, SENTENCES
from google.protobuf import text_format
from tensorflow.core.protobuf import saved_model_pb2
from tensorflow_serving.apis import prediction_log_pb2
from tensorflow_serving.config import model_server_config_pb2
from helpers.tiny_runs import python_env

from keras_attention import cli
from keras_attention.config import DecodingConfig
from keras_attention.errors import ExportError
from keras_attention.export import ALLOWED_OPS, check_ops, export_translator, saved_model_cli, saved_model_ops
from keras_attention.export.ops import TEXT_OPS
from keras_attention.export.layout import TEMPORARY_PREFIX, publish, remove_abandoned, versions
from keras_attention.translator import Translator

pytestmark = pytest.mark.requires_tensorflow


def test_layout_versions_and_files(export_of):
    exported = export_of("greedy")
    assert versions(exported.base) == [1]
    assert sorted(path.name for path in exported.base.iterdir()) == ["1", "models.config"]
    names = {path.relative_to(exported.path).as_posix() for path in exported.path.rglob("*") if path.is_file()}
    assert {"saved_model.pb", "assets.extra/tf_serving_warmup_requests", "assets.extra/keras_attention.json"} <= names
    assert any(name.startswith("variables/variables.data") for name in names)


def test_next_version_follows_the_highest_and_versions_are_never_replaced(export_of, tmp_path):
    translator = export_of("greedy").translator
    base = tmp_path / "dates"
    (base / "4").mkdir(parents=True)  # an older version (and a folder a server ignores)
    (base / "notes").mkdir()
    (base / "models.config").write_text("# edited by hand\n")
    assert export_translator(translator, base, warmup_sentences=SENTENCES[:2]).version == 5
    assert (base / "models.config").read_text() == "# edited by hand\n"  # kept
    with pytest.raises(ExportError, match=r"version 4 already exists in .*dates.*choose another --version"):
        export_translator(translator, base, version=4)
    assert versions(base) == [4, 5]
    assert not list((base / "4").iterdir())
    assert not list(base.glob(f"{TEMPORARY_PREFIX}*"))


def test_cli_refuses_an_existing_version_and_sampling(export_of, capsys):
    exported = export_of("greedy")
    arguments = ["export", "--model", str(exported.run), "--output", str(exported.base)]
    assert cli.main([*arguments, "--version", "1"]) == 2
    assert "version 1 already exists" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main([*arguments, "--strategy", "sample"])
    assert "invalid choice: 'sample'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main([*arguments, "--version", "0"])
    assert "expected a positive integer" in capsys.readouterr().err


def test_output_that_is_a_file_is_an_error(export_of, tmp_path):
    (tmp_path / "dates").write_text("not a folder")
    with pytest.raises(ExportError, match="exists and is not a folder"):
        export_translator(export_of("greedy").translator, tmp_path / "dates")


def test_decoding_options_are_recorded(exported):
    metadata = json.loads((exported.path / "assets.extra" / "keras_attention.json").read_text())
    decoding = exported.translator.decoding
    assert ["--strategy", decoding.strategy] == KINDS[exported.kind]["decoding"][:2]
    assert metadata["decoding"]["strategy"] == decoding.strategy
    assert metadata["decoding"]["max_length"] == decoding.max_length == 16
    assert metadata["decoding"]["beam_size"] == (3 if decoding.strategy == "beam" else None)
    assert metadata["max_source_length"] == 48
    assert metadata["ops"] == list(saved_model_ops(exported.path))
    aligned = metadata["signatures"]["alignments"]
    assert ("generation_probabilities" in aligned) == (exported.kind == "copy")
    ensemble = exported.kind == "ensemble"
    assert metadata["models"] == (2 if ensemble else 1)
    assert metadata["decoding"]["ensemble_average"] == ("probability" if ensemble else None)
    sources = [str(Path(run).resolve()) for run in exported.runs]
    assert metadata["source"] == (sources if ensemble else sources[0])
    assets = sorted(path.name for path in (exported.path / "assets").glob("*.spm.model"))
    expected = {"ensemble": ["source-2.spm.model"], "sentencepiece": ["source.spm.model", "target.spm.model"]}
    assert assets == expected.get(exported.kind, [])


def test_warmup_requests_replay_through_the_saved_model(export_of):
    exported = export_of("greedy")
    records = list(tf.data.TFRecordDataset(str(exported.path / "assets.extra" / "tf_serving_warmup_requests")))
    requests = [prediction_log_pb2.PredictionLog.FromString(record.numpy()).predict_log.request for record in records]
    assert {(request.model_spec.name, request.model_spec.signature_name) for request in requests} == {
        ("dates", "serving_default"),
        ("dates", "alignments"),
    }
    loaded = tf.saved_model.load(str(exported.path))
    for request in requests:
        inputs = tf.make_ndarray(request.inputs["inputs"])
        outputs = loaded.signatures[request.model_spec.signature_name](inputs=tf.constant(inputs))
        assert outputs["translations"].shape == (len(inputs),)
    assert sorted(len(tf.make_ndarray(request.inputs["inputs"])) for request in requests) == [1, 1, 5, 5]


def test_model_config_parses(export_of):
    exported = export_of("greedy")
    config = text_format.Parse((exported.base / "models.config").read_text(), model_server_config_pb2.ModelServerConfig())
    (model,) = config.model_config_list.config
    assert (model.name, model.base_path, model.model_platform) == ("dates", "/models/dates", "tensorflow")
    assert model.model_version_policy.latest.num_versions == 1


def test_every_op_of_the_export_is_allowed(exported):
    ops = check_ops(exported.path)
    assert set(ops) <= ALLOWED_OPS
    assert {"NormalizeUTF8", "While"} <= set(ops)
    tokenizer_ops = {
        "char": set(),
        "wordpiece": {"FastWordpieceTokenizeWithOffsets"},
        "sentencepiece": {"SentencepieceOp", "SentencepieceTokenizeOp", "SentencepieceDetokenizeOp"},
    }
    for run in KINDS[exported.kind].get("members", [KINDS[exported.kind]]):  # each source tokenizer of an ensemble
        assert tokenizer_ops[run["source"]["tokenizer"]] <= set(ops) & TEXT_OPS


def test_sentencepiece_nodes_record_only_the_model_and_its_shared_name(export_of):
    """Other attributes stay at their defaults, which a SavedModel leaves out: an older server's
    op definitions need not know attributes that tf-text added later."""
    saved_model = saved_model_pb2.SavedModel.FromString((export_of("sentencepiece").path / "saved_model.pb").read_bytes())
    graph = saved_model.meta_graphs[0].graph_def
    nodes = [*graph.node, *(node for function in graph.library.function for node in function.node_def)]
    attributes = {
        (node.op, frozenset(name for name in node.attr if not name.startswith("_")))
        for node in nodes
        if node.op.startswith("Sentencepiece")
    }
    assert attributes == {
        ("SentencepieceOp", frozenset({"model", "shared_name"})),
        ("SentencepieceTokenizeOp", frozenset()),
        ("SentencepieceDetokenizeOp", frozenset()),
    }


def test_sentencepiece_models_are_assets_of_the_saved_model(export_of):
    """The run's model files are in `assets/`, tracked: the TF2 loader gives their paths back."""
    exported = export_of("sentencepiece")
    names = ["source.spm.model", "target.spm.model"]
    assert sorted(path.name for path in (exported.path / "assets").iterdir()) == names
    for name in names:
        assert (exported.path / "assets" / name).read_bytes() == (exported.run / "vocab" / name).read_bytes()
    loaded = tf.saved_model.load(str(exported.path))
    assert sorted(asset.asset_path.numpy().decode().rsplit("/", 1)[1] for asset in loaded.assets) == names
    assert not list((export_of("beam").path / "assets").glob("*"))  # no asset without a SentencePiece model


def test_an_op_outside_the_allow_list_refuses_the_export(export_of, tmp_path):
    base = tmp_path / "dates"
    with pytest.raises(ExportError, match=r"1 op outside the allow-list .*: NormalizeUTF8 \(in __inference"):
        export_translator(export_of("greedy").translator, base, allowed_ops=ALLOWED_OPS - {"NormalizeUTF8"})
    assert list(base.iterdir()) == []  # no version, no temporary folder


def test_check_ops_names_a_foreign_op(tmp_path):
    """A newer tf-text op (not in tf-text 2.12) in a saved function is refused by name."""
    module = tf.Module()
    module.binarize = tf.function(
        lambda text: tf_text.utf8_binarize(text), input_signature=[tf.TensorSpec([None], tf.string)]
    )
    tf.saved_model.save(module, str(tmp_path / "model"))
    with pytest.raises(ExportError, match=r"outside the allow-list.*Utf8Binarize \(in __inference"):
        check_ops(tmp_path / "model")


def test_sigkill_part_way_leaves_no_version(export_of, tmp_path):
    """Kills the export command once it has started writing; a server finds no version."""
    exported = export_of("greedy")
    base = tmp_path / "dates"
    process = subprocess.Popen(
        [sys.executable, "-m", "keras_attention.cli", "export", "--model", str(exported.run), "--output", str(base)],
        env=python_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not list(base.glob(f"{TEMPORARY_PREFIX}*/*")) and process.poll() is None:
            assert time.monotonic() < deadline, "the export did not start writing"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert versions(base) == []
    assert [path.name for path in base.iterdir() if path.name.isdigit()] == []
    (leftover,) = base.glob(f"{TEMPORARY_PREFIX}*")
    remove_abandoned(base)  # what the next export does first
    assert not leftover.exists()


def test_saved_model_cli_wrapper_shows_the_string_signatures(export_of, monkeypatch, capsys):
    exported = export_of("beam")
    monkeypatch.setattr(sys, "argv", ["keras-attention-saved-model-cli", "show", "--dir", str(exported.path), "--all"])
    with pytest.raises(SystemExit) as exit:
        saved_model_cli.main()
    assert exit.value.code in (None, 0)
    shown = capsys.readouterr().out
    for signature, outputs in (
        ("serving_default", ("translations", "n_best_translations")),
        ("alignments", ("translations", "source_tokens", "output_tokens")),
    ):
        block = shown.split(f"signature_def['{signature}']:")[1].split("signature_def[")[0]
        assert "inputs['inputs'] tensor_info:\n        dtype: DT_STRING\n        shape: (-1)" in block
        for output in outputs:
            assert f"outputs['{output}'] tensor_info:\n        dtype: DT_STRING" in block


def test_saved_model_cli_wrapper_runs_the_model(export_of):
    """`run` loads the model the TF1 way, in a process that registered the tf-text ops first."""
    exported = export_of("greedy")
    wrapper = [sys.executable, "-m", "keras_attention.export.saved_model_cli"]
    sentences = SENTENCES[:2]
    ran = subprocess.run(
        [*wrapper, "run", "--dir", str(exported.path), "--tag_set", "serve", "--signature_def", "serving_default",
         "--input_exprs", f"inputs={sentences!r}"],
        capture_output=True, text=True, env=python_env(), timeout=120,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr[-2000:]
    printed = re.search(r"Result for output key translations:\n\[(.*?)\]", ran.stdout, re.S).group(1)
    expected = exported.translator.translate(sentences).translations
    assert re.findall(r"b'([^']*)'", printed) == expected


def test_the_wrapper_is_a_console_script():
    setup = (ROOT / "setup.py").read_text()
    assert '"keras-attention-saved-model-cli=keras_attention.export.saved_model_cli:main"' in setup


def test_publish_never_replaces_a_version_that_appeared_meanwhile(tmp_path):
    base = tmp_path / "dates"
    (base / "3").mkdir(parents=True)  # e.g. another export finished first
    temporary = base / f"{TEMPORARY_PREFIX}1-x"
    temporary.mkdir()
    (temporary / "saved_model.pb").write_bytes(b"")
    with pytest.raises(ExportError, match="version 3 already exists"):
        publish(temporary, base, 3)
    assert not temporary.exists() and list((base / "3").iterdir()) == []


def test_sampling_is_not_exported(export_of, tmp_path):
    translator = export_of("greedy").translator
    sampling = Translator(
        translator.encoder,
        translator.decoder,
        translator.source_tokenizer,
        translator.target_tokenizer,
        decoding=DecodingConfig(strategy="sample", max_length=16),
    )
    with pytest.raises(ExportError, match=r"export needs a strategy among \['greedy', 'beam'\], got strategy 'sample'"):
        export_translator(sampling, tmp_path / "dates")
    assert not (tmp_path / "dates").exists()


@pytest.mark.parametrize("content, message", [(None, "cannot read the warmup sentences"), ("", "no warmup sentences")])
def test_bad_warmup_file_is_an_error(tmp_path, capsys, content, message):
    warmup = tmp_path / "warmup.txt"
    if content is not None:
        warmup.write_text(content)
    arguments = ["export", "--model", str(tmp_path / "run"), "--output", str(tmp_path / "dates"), "--warmup", str(warmup)]
    assert cli.main(arguments) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "dates").exists()
