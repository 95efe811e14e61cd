"""The `keras-attention` command called in the test process, as the decoding tests call it."""

import warnings

from keras_attention import cli


def run_cli(capsys, monkeypatch, *args):
    """Runs `keras-attention ARGS` in this process; returns `(status, stdout, stderr)`.

    The command replaces `warnings.showwarning` (its `keras-attention: warning:` lines); the
    `monkeypatch` puts pytest's back afterwards.
    """
    monkeypatch.setattr(warnings, "showwarning", warnings.showwarning)
    status = cli.main([str(arg) for arg in args])
    output = capsys.readouterr()
    return status, output.out, output.err
