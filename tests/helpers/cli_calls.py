"""The `keras-attention` command and Python scripts called in the test process, as most CLI and
script tests call them (a fresh process costs a TensorFlow start-up; the tests that are about the
fresh process start one)."""

import dataclasses
import io
import runpy
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


@dataclasses.dataclass
class ScriptResult:
    """What a script run by `run_script` ended with, named as in `subprocess.CompletedProcess`."""

    returncode: int
    stdout: str
    stderr: str


def run_script(capsys, monkeypatch, path, *args, **environment):
    """Runs a script as `python PATH ARGS` would, in this process, with `environment` variables set;
    returns its `ScriptResult` (a `SystemExit` gives the exit status; another exception propagates)."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "argv", [str(path), *map(str, args)])
    returncode = 0
    try:
        runpy.run_path(str(path), run_name="__main__")
    except SystemExit as stop:
        returncode = stop.code if isinstance(stop.code, int) else 1
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
    captured = capsys.readouterr()
    return ScriptResult(returncode, captured.out, captured.err)
