"""Search hyperparameters from a YAML config: `python training/tune.py --config CONFIG --output DIR`.

The same as `keras-attention tune`; see `--help` and docs/tuning.md.
"""

import sys

from keras_attention.cli import main

if __name__ == "__main__":
    sys.exit(main(["tune", *sys.argv[1:]]))
