"""The `keras-attention` command line: thin wrappers over library functions, one module per command.

Run `keras-attention COMMAND --help` for each command's options. A new command is a module with
`add_parser(commands)` (which sets the `handler` default) and one line in `main.COMMANDS`.
"""

from keras_attention.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
