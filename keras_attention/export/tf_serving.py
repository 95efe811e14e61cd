"""TF Serving files built with the `tensorflow-serving-api` protos: warmup requests, model config."""

from pathlib import Path

import tensorflow as tf
from google.protobuf import text_format
from tensorflow_serving.apis import model_pb2, predict_pb2, prediction_log_pb2
from tensorflow_serving.config import model_server_config_pb2

WARMUP_FILE = "assets.extra/tf_serving_warmup_requests"
WARMUP_SENTENCES = (
    "Tuesday, March 3, 1998",
    "3rd of july 2021",
    "12/25/1999",
    "",
    "A longer sentence of ordinary words, with punctuation, numbers like 42 and accents: café.",
)


def warmup_requests(model_name, signatures, input_name, sentences=WARMUP_SENTENCES):
    """Builds the warmup records TF Serving replays when it loads a version.

    For each signature, one request of a single sentence and one of all `sentences`, so that
    the batch sizes a server sees first are already traced and initialized.

    Args:
        model_name: the model's name in the server's config.
        signatures: signature names to warm up.
        input_name: the signatures' input key.
        sentences: strings to send.

    Returns:
        List of serialized `PredictionLog` protos.
    """
    records = []
    for signature in signatures:
        for batch in (list(sentences[:1]), list(sentences)):
            request = predict_pb2.PredictRequest(
                model_spec=model_pb2.ModelSpec(name=model_name, signature_name=signature)
            )
            request.inputs[input_name].CopyFrom(tf.make_tensor_proto(batch, dtype=tf.string, shape=[len(batch)]))
            log = prediction_log_pb2.PredictionLog(predict_log=prediction_log_pb2.PredictLog(request=request))
            records.append(log.SerializeToString())
    return records


def write_warmup_requests(version_folder, records):
    """Writes serialized `PredictionLog` records as the TFRecord file `assets.extra/tf_serving_warmup_requests`."""
    path = Path(version_folder) / WARMUP_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with tf.io.TFRecordWriter(str(path)) as writer:
        for record in records:
            writer.write(record)
    return path


def model_config(model_name, base_path, versions=1):
    """A `--model_config_file` for `tensorflow_model_server` serving one model.

    Args:
        model_name: the name clients use (`/v1/models/NAME`).
        base_path: the model's folder as the server sees it (holding the version folders).
        versions: serve the latest `versions` versions.

    Returns:
        The config in protobuf text format.
    """
    config = model_server_config_pb2.ModelServerConfig()
    model = config.model_config_list.config.add(name=model_name, base_path=base_path, model_platform="tensorflow")
    model.model_version_policy.latest.num_versions = versions
    return text_format.MessageToString(config)
