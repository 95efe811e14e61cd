"""A serving client that knows nothing of keras_attention: only TensorFlow and tensorflow-text.

Run as `python serving_client.py REQUEST.json` with keras_attention made unimportable (a
meta-path blocker installed here, before anything else is imported; the tests also leave the
repository off PYTHONPATH). REQUEST.json holds `{"models": {NAME: VERSION_FOLDER, ...}, "batches": [[base64
of UTF-8 bytes, ...], ...]}`. Every batch goes through both signatures of every model twice: with
`tf.saved_model.load` (TF2) and with a TF1 session loader, which restores the SavedModel the way
TensorFlow Serving and `saved_model_cli run` do. Prints `RESULT {"blocked": ..., "modules": ...,
"answers": {NAME: {"tf2": ..., "tf1": ...}}}`, each a list (one per batch) of
`{signature: {output: nested lists}}`.
"""

import base64
import importlib.abc
import json
import sys

BLOCKED = "keras_attention"


class _Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == BLOCKED or name.startswith(BLOCKED + "."):
            raise ModuleNotFoundError(f"{name} is blocked in this serving client", name=name)
        return None


sys.meta_path.insert(0, _Blocker())

import tensorflow as tf  # noqa: E402
import tensorflow_text  # noqa: E402,F401  (registers the tf-text ops, as a model server does)

SIGNATURES = ("serving_default", "alignments")


def _plain(value):
    """numpy output -> JSON-able nested lists; strings must be valid UTF-8."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return value


def _tf2(model, batches):
    loaded = tf.saved_model.load(model)
    results = []
    for batch in batches:
        answers = {name: loaded.signatures[name](inputs=tf.constant(batch, tf.string)) for name in SIGNATURES}
        results.append(
            {name: {key: _plain(value.numpy().tolist()) for key, value in outputs.items()} for name, outputs in answers.items()}
        )
    return results


def _tf1(model, batches):
    import numpy as np

    results = [{} for _ in batches]
    with tf.compat.v1.Session(graph=tf.Graph()) as session:
        meta_graph = tf.compat.v1.saved_model.load(session, ["serve"], model)
        for name in SIGNATURES:
            signature = meta_graph.signature_def[name]
            fetches = {key: info.name for key, info in signature.outputs.items()}
            for index, batch in enumerate(batches):
                feed = {signature.inputs["inputs"].name: np.array(batch, dtype=object).reshape(len(batch))}
                output = session.run(fetches, feed)
                results[index][name] = {key: _plain(value.tolist()) for key, value in output.items()}
    return results


def main(path):
    try:
        import keras_attention  # noqa: F401

        blocked = "imported"
    except ModuleNotFoundError as error:
        blocked = f"ModuleNotFoundError: {error}"
    with open(path, encoding="utf-8") as handle:
        request = json.load(handle)
    batches = [[base64.b64decode(text) for text in batch] for batch in request["batches"]]
    answers = {
        name: {"tf2": _tf2(model, batches), "tf1": _tf1(model, batches)} for name, model in request["models"].items()
    }
    result = {
        "blocked": blocked,
        "modules": sorted(name for name in sys.modules if name.split(".")[0] == BLOCKED),
        "answers": answers,
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
