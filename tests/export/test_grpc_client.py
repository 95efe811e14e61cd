"""The Python gRPC client of docs/serving.md, run as written against a `PredictionService` that
answers from the exported SavedModel the way TF Serving's does (no model server binary is
installable here)."""

import contextlib
import io
import re
from concurrent import futures

import grpc
import pytest
import tensorflow as tf
from helpers.export_inputs import ROOT
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

pytestmark = pytest.mark.requires_tensorflow

VERSION = 1


class SavedModelPredictionService(prediction_service_pb2_grpc.PredictionServiceServicer):
    """`Predict` over one loaded SavedModel: inputs and outputs as `TensorProto`s by signature."""

    def __init__(self, path, name):
        self.model = tf.saved_model.load(str(path))
        self.name = name

    def Predict(self, request, context):  # noqa: N802 (the gRPC method's name)
        if request.model_spec.name != self.name:
            context.abort(grpc.StatusCode.NOT_FOUND, f"Servable not found for request: {request.model_spec.name}")
        signature_name = request.model_spec.signature_name or "serving_default"
        inputs = {key: tf.constant(tf.make_ndarray(proto)) for key, proto in request.inputs.items()}
        outputs = self.model.signatures[signature_name](**inputs)
        response = predict_pb2.PredictResponse()
        response.model_spec.name = self.name
        response.model_spec.version.value = VERSION
        response.model_spec.signature_name = signature_name
        for key, value in outputs.items():
            response.outputs[key].CopyFrom(tf.make_tensor_proto(value.numpy()))
        return response


def _documented_client():
    text = (ROOT / "docs" / "serving.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- grpc-client:start -->\n```python\n(.*?)```\n<!-- grpc-client:end -->", text, re.S)
    return block.group(1)


def test_documented_grpc_client(export_of):
    exported = export_of("greedy")
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(
        SavedModelPredictionService(exported.path, "dates"), server
    )
    port = server.add_insecure_port("localhost:0")
    server.start()
    try:
        code = _documented_client()
        assert code.count("localhost:8500") == 1
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code.replace("localhost:8500", f"localhost:{port}"), "docs/serving.md", "exec"), {})
    finally:
        server.stop(None)
    sentences = ["Tuesday, March 3, 1998", "3rd of july 2021", ""]
    expected = exported.translator.translate(sentences)
    lines = [f"model version {VERSION}"] + [
        f"{sentence!r} -> {translation!r} (score {score:.4f})"
        for sentence, translation, score in zip(sentences, expected.translations, expected.scores)
    ]
    assert printed.getvalue().splitlines() == lines
