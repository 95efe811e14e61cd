"""The README's example script runs as written and learns the dates task."""

import ast
import re
from pathlib import Path

from helpers.cli_calls import run_script

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def readme_example():
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- example:start -->\n```python\n(.*?)```\n<!-- example:end -->", text, re.S)
    assert match, "README.md lost its example markers"
    return match.group(1)


def test_readme_opens_with_two_command_quick_start():
    text = README.read_text(encoding="utf-8")
    quick_start = re.search(r"## Quick start\n\n```bash\n(.*?)```", text, re.S)
    assert quick_start and text.index("## Quick start") < text.index("## What it is")
    commands = [line for line in quick_start.group(1).splitlines() if line.strip()]
    assert [command.split("#")[0].strip() for command in commands] == ["make demo", "make test"]


def test_readme_example_runs(tmp_path, monkeypatch, capsys):
    """The example, written to a file, runs as `python example.py` would, in the test process
    (no second TensorFlow start-up)."""
    script = tmp_path / "example.py"
    script.write_text(readme_example(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_script(capsys, monkeypatch, script)
    assert result.returncode == 0, result.stderr[-3000:]
    printed = result.stdout.strip().splitlines()[-1]
    assert ast.literal_eval(printed) == ["1998-03-03", "2021-07-03", "1999-12-25"]
