"""The `keras-attention` command called in the test process, as most CLI tests call it (a fresh
process costs a TensorFlow start-up; the tests that are about the fresh process start one)."""

import io
import sys
import warnings

from keras_attention import cli


def run_cli(capsys, monkeypatch, *args, stdin=None):
    """Runs `keras-attention ARGS` in this process; returns `(status, stdout, stderr)`.

    Args:
        capsys, monkeypatch: the test's pytest fixtures. The command replaces
            `warnings.showwarning` (its `keras-attention: warning:` lines); the `monkeypatch`
            puts pytest's back afterwards.
        *args: the command's arguments (paths and numbers are turned into strings).
        stdin: text the command reads as its standard input, or None.
    """
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8"))
    status = cli.main([str(arg) for arg in args])
    output = capsys.readouterr()
    return status, output.out, output.err
