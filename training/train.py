"""Train a model from a YAML config: `python training/train.py --config CONFIG --output RUN_DIR`.

The same as `keras-attention train`; see `--help`.
"""

import sys

from keras_attention.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", *sys.argv[1:]]))
