"""Fixtures of the export tests: five tiny exports, each made once for the session (greedy from a
trained character-level run through the CLI; through the library, beam search from an untrained
WordPiece run, greedy from an untrained SentencePiece run, unigram source and BPE target, and
greedy from an untrained copy-attention run; through the CLI with `--model` twice, an ensemble of
two untrained runs with different source tokenizers; the untrained runs saved without training
to save time), and the answers of a serving client that cannot import keras_attention."""

import base64
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.export_inputs import INPUTS, KINDS
from helpers.tiny_runs import write_tiny_config

CLIENT = Path(__file__).resolve().parent / "serving_client.py"


@dataclasses.dataclass
class Exported:
    """A tiny run exported once: `base/1` is the version folder; `translator` the library's;
    `runs` the run directories (two for the ensemble), `run` the first."""

    kind: str
    run: Path
    base: Path
    path: Path
    translator: object
    runs: list


@pytest.fixture(scope="session")
def export_of(tmp_path_factory):
    """Returns a function `kind -> Exported` that trains and exports each kind once."""
    from keras_attention import cli
    from keras_attention.cli.decoding import translator_from_arguments
    from keras_attention.config import RunConfig
    from keras_attention.export import export_run
    from keras_attention.runs import load_run
    from keras_attention.trainer import train

    cache = {}

    def export(kind):
        if kind not in cache:
            directory = tmp_path_factory.mktemp(f"export-{kind}")
            runs = []
            for number, settings in enumerate(KINDS[kind].get("members", [KINDS[kind]])):
                run = directory / (f"run-{number + 1}" if "members" in KINDS[kind] else "run")
                settings = {key: settings[key] for key in ("source", "target", "model")}
                config = RunConfig.from_yaml(write_tiny_config(run.with_name(f"{run.name}-data"), **settings))
                if KINDS[kind]["trained"]:
                    train(config, run, verbose=0, log=lambda line: None)
                else:
                    _save_untrained_run(config, run, seed=5 + number)
                runs.append(str(run))
            base = directory / "saved_models" / "dates"
            models = [argument for run in runs for argument in ("--model", run)]
            arguments = [*models, "--output", str(base), *KINDS[kind]["decoding"]]
            namespace = cli.build_parser().parse_args(["export", *arguments])
            translator = translator_from_arguments([load_run(run) for run in namespace.model], namespace)
            if kind in ("greedy", "ensemble"):
                assert cli.main(["export", *arguments]) == 0
            else:
                export_run(runs[0], base, decoding=translator.decoding)
            cache[kind] = Exported(kind, Path(runs[0]), base, base / "1", translator, runs)
        return cache[kind]

    return export


def _save_untrained_run(config, directory, seed):
    """Writes a run directory with learned vocabularies and a model freshly initialized from `seed`."""
    import keras

    from keras_attention.data.sources import load_splits
    from keras_attention.models import build_seq2seq
    from keras_attention.runs import save_run
    from keras_attention.trainer.setup import learn_tokenizers

    splits = load_splits(config.data, config.vocabulary_sample_size(), seed=0)
    source_tokenizer, target_tokenizer = learn_tokenizers(config, splits, lambda line: None)
    keras.utils.set_random_seed(seed)
    model = build_seq2seq(config.model, source_tokenizer.vocabulary_size, target_tokenizer.vocabulary_size)
    save_run(directory, config, model, source_tokenizer, target_tokenizer)


@pytest.fixture(scope="session", params=sorted(KINDS))
def exported(request, export_of):
    """Each kind of export in turn."""
    return export_of(request.param)


@pytest.fixture(scope="session")
def client_result(export_of, tmp_path_factory):
    """The serving client's result, run once in a fresh process that cannot import keras_attention:
    both exports, batches `INPUTS` and the empty batch, through both signatures, loaded the TF2
    way and the TF1 (TF Serving) way."""
    request = tmp_path_factory.mktemp("client") / "request.json"
    models = {kind: str(export_of(kind).path) for kind in KINDS}
    batches = [[base64.b64encode(text).decode("ascii") for text in INPUTS], []]
    request.write_text(json.dumps({"models": models, "batches": batches}), encoding="utf-8")
    environment = {"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3", "HOME": str(request.parent)}
    completed = subprocess.run(
        [sys.executable, str(CLIENT), str(request)],
        capture_output=True,
        text=True,
        env=environment,  # no PYTHONPATH: the repository is not importable from there
        cwd=request.parent,
        timeout=240,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    assert completed.returncode == 0 and lines, completed.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT ") :])


@pytest.fixture(scope="session")
def served(client_result):
    """Returns a function `kind -> {"tf2": ..., "tf1": ...}`: the client's answers for that export."""
    return lambda kind: client_result["answers"][kind]
