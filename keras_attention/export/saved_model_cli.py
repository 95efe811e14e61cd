"""`keras-attention-saved-model-cli`: TensorFlow's `saved_model_cli` with the tensorflow-text ops.

`saved_model_cli` cannot load op libraries, so `run` on an exported model fails with "Op type not
registered 'NormalizeUTF8'". This wrapper imports `tensorflow_text` (which registers its ops)
and then runs `saved_model_cli` with the same arguments:

```
keras-attention-saved-model-cli show --dir saved_models/dates/1 --all
keras-attention-saved-model-cli run --dir saved_models/dates/1 --tag_set serve \\
    --signature_def serving_default --input_exprs 'inputs=["3 March 1998"]'
```
"""

import sys


def main():
    """Entry point of the console script; returns `saved_model_cli`'s exit status."""
    import tensorflow_text  # noqa: F401  (registers the tf-text ops)
    from tensorflow.python.tools import saved_model_cli

    return saved_model_cli.main()


if __name__ == "__main__":
    sys.exit(main())
