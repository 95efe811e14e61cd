"""The op allow-list: ops that a TF Serving model server is known to have.

TF Serving links TensorFlow's core ops and the tensorflow-text ops (`tensorflow_text:ops_lib`)
into its model server, but an older tensorflow-text than ours: up to TF Serving 2.19, tf-text
2.12; TF Serving 2.20, tf-text 2.20. An op that the server lacks makes it refuse the model with
"Op type not registered". `export` lists every op of the exported graph, the function library
included, and refuses the export when one is outside `ALLOWED_OPS`.

Targeted servers: TF Serving 2.14 to 2.20. Older ones are not targeted: `DisableCopyOnRead`, which
a recent TensorFlow writes into every SavedModel's save function, is missing from older runtimes
(tensorflow/tensorflow#62489).

The list has two parts:

- `CORE_OPS`: long-standing TensorFlow core ops (tensors, math, strings, ragged tensors, lookup
  tables, control flow, variables and the SavedModel save / restore functions), all present in
  TensorFlow 2.14: what the greedy and beam search exports of character and WordPiece models
  (with and without dropout) use, and their close relatives.
- `TEXT_OPS`: tensorflow-text ops present since tf-text 2.7 (normalization, case folding,
  FastWordpiece), hence in the tf-text 2.12 of TF Serving <= 2.19; and the three ops of
  `tf_text.SentencepieceTokenizer` that a SentencePiece export records: `SentencepieceOp` (the
  model resource; the serialized model is its `model` attribute, and the export sets its
  `shared_name`), `SentencepieceTokenizeOp` and `SentencepieceDetokenizeOp`, with their
  other attributes at their defaults, which a SavedModel leaves out (`return_nbest` of
  `SentencepieceTokenizeOp`, for instance, is not recorded). They are old op names of tf-text's
  own SentencePiece kernels (`sentencepiece_kernels.cc`), not the `TFText>`-prefixed
  `FastSentencepiece*` ops. These three names are registered by `core/ops/sentencepiece_ops.cc`
  in every tf-text version from before 2.4 to today, and tf-text's `ops_lib` target, which TF
  Serving links, has depended on them (`:sentencepiece_tokenizer_cc`) since then; TF Serving
  2.13-2.18 pin tf-text 2.12.1, and TF Serving's own regression model
  (`oss_scripts/model_server/save_models.py`) calls `SentencepieceTokenizer`. Read from the
  sources; not checked against a running model server here, nor the pins of 2.19 and 2.20 at
  their release tags. The attributes newer tf-text added to `SentencepieceTokenizeOp`
  (`num_threads`, `chunk_size`) stay at their defaults, so the SavedModel omits them and an
  older server reads the node.

XLA ops (such as `XlaDynamicUpdateSlice`, which `keras.ops.slice_update` records) are left out on
purpose: a model server built without XLA support lacks them, so the decoding loop writes its steps
with `TensorScatterUpdate` instead.

Grow the list only for ops checked against those versions.
"""

from pathlib import Path

from tensorflow.core.protobuf import saved_model_pb2

from keras_attention.errors import ExportError

CORE_OPS = frozenset(
    {
        # tensors and math
        "Abs", "AddV2", "All", "Any", "ArgMax", "ArgMin", "BatchMatMulV2", "BiasAdd", "Bitcast",
        "BitwiseAnd", "BroadcastArgs", "BroadcastTo", "Cast", "Ceil", "ConcatV2", "Const", "Cumsum",
        "DenseBincount", "Einsum", "Equal", "Exp", "ExpandDims", "Fill", "Floor", "FloorDiv",
        "FloorMod", "GatherNd", "GatherV2", "Greater", "GreaterEqual", "Identity", "IdentityN",
        "Less", "LessEqual", "Log", "LogicalAnd", "LogicalNot", "LogicalOr", "LogSoftmax", "MatMul",
        "Max", "Maximum", "Mean", "Min", "Minimum", "Mul", "Neg", "NotEqual", "OneHot", "Pack",
        "Pad", "PadV2", "Pow", "Prod", "Range", "RealDiv", "Relu", "Reshape", "ReverseV2",
        "Rsqrt", "ScatterNd", "Select", "SelectV2", "Shape", "Sigmoid", "Size", "Slice",
        "Softmax", "Split", "SplitV", "Sqrt", "Square", "Squeeze", "StopGradient", "StridedSlice",
        "Sub", "Sum", "Tanh", "TensorScatterUpdate", "Tile", "TopKV2", "Transpose", "Unpack",
        "UnsortedSegmentSum", "Where", "ZerosLike",
        # random numbers (TensorFlow 2.5+): Keras' RNN layers draw their dropout masks at every
        # call, training or not, so a model with dropout has them in its graph, unused at inference
        "OnesLike", "StatelessRandomGetKeyCounter", "StatelessRandomUniformV2",
        # strings
        "RegexReplace", "StaticRegexFullMatch", "StaticRegexReplace", "StringJoin", "StringLength",
        "StringSplitV2", "StringStrip", "Substr", "UnicodeDecode", "UnicodeEncode",
        "UnicodeTranscode", "UnsortedSegmentJoin",
        # ragged tensors
        "RaggedGather", "RaggedRange", "RaggedTensorFromVariant", "RaggedTensorToTensor",
        "RaggedTensorToVariant",
        # lookup tables
        "HashTableV2", "LookupTableFindV2", "LookupTableImportV2", "LookupTableSizeV2",
        # control flow and functions
        "Assert", "If", "NoOp", "PartitionedCall", "Placeholder", "StatefulPartitionedCall",
        "StatelessIf", "StatelessWhile", "TensorListFromTensor", "TensorListGetItem",
        "TensorListLength", "TensorListReserve", "TensorListSetItem", "TensorListStack", "While",
        # variables, save and restore
        "AssignVariableOp", "DisableCopyOnRead", "MergeV2Checkpoints", "ReadVariableOp",
        "RestoreV2", "SaveV2", "ShardedFilename", "StringFormat", "VarHandleOp",
        "VarIsInitializedOp",
    }
)  # fmt: skip
TEXT_OPS = frozenset(
    {
        "CaseFoldUTF8",
        "NormalizeUTF8",
        "FastWordpieceTokenizeWithOffsets",
        "TFText>FastWordpieceDetokenize",
        "SentencepieceOp",
        "SentencepieceTokenizeOp",
        "SentencepieceDetokenizeOp",
    }
)
ALLOWED_OPS = CORE_OPS | TEXT_OPS


def saved_model_ops(directory):
    """Lists the ops of a SavedModel: every node of its graphs and of their function libraries.

    Args:
        directory: SavedModel folder (holding `saved_model.pb`).

    Returns:
        dict `{op name: sorted list of the functions using it}` (`"<graph>"` for the top graph).
    """
    saved_model = saved_model_pb2.SavedModel()
    saved_model.ParseFromString((Path(directory) / "saved_model.pb").read_bytes())
    uses = {}
    for meta_graph in saved_model.meta_graphs:
        graph = meta_graph.graph_def
        for node in graph.node:
            uses.setdefault(node.op, set()).add("<graph>")
        for function in graph.library.function:
            for node in function.node_def:
                uses.setdefault(node.op, set()).add(function.signature.name)
    return {op: sorted(functions) for op, functions in sorted(uses.items())}


def check_ops(directory, allowed=ALLOWED_OPS):
    """Refuses a SavedModel that uses an op outside `allowed`.

    Args:
        directory: SavedModel folder.
        allowed: set of op names (default `ALLOWED_OPS`).

    Returns:
        The sorted list of the ops the SavedModel uses.

    Raises:
        ExportError: naming each op outside `allowed` and a function that uses it.
    """
    uses = saved_model_ops(directory)
    foreign = [op for op in uses if op not in allowed]
    if foreign:
        listed = ", ".join(f"{op} (in {uses[op][0]})" for op in foreign)
        raise ExportError(
            f"the exported graph uses {len(foreign)} op{'s' if len(foreign) > 1 else ''} outside the "
            f"allow-list of ops known to exist in TF Serving 2.14-2.20: {listed}; a server without "
            f"them refuses the model (see keras_attention/export/ops.py)"
        )
    return list(uses)
