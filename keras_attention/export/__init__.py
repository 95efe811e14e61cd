"""Export for TF Serving: string-in/string-out SavedModels in the versioned serving layout.

- `export_run` / `export_translator`: write `OUTPUT/<version>/`, a SavedModel whose signatures
  take UTF-8 sentences and return translations (`serving_default`) or tokens and alignments
  (`alignments`), with warmup requests, after checking its ops against `ALLOWED_OPS`.
- `ServingModule`: the exported `tf.Module` and its signatures.
- `saved_model_ops` / `check_ops`: the op list of a SavedModel and the allow-list check.

See docs/serving.md for serving the result with `tensorflow/serving`.
"""

from keras_attention.export.exporter import ExportResult, export_run, export_translator
from keras_attention.export.ops import ALLOWED_OPS, check_ops, saved_model_ops
from keras_attention.export.serving import ServingModule

__all__ = [
    "ALLOWED_OPS",
    "ExportResult",
    "ServingModule",
    "check_ops",
    "export_run",
    "export_translator",
    "saved_model_ops",
]
