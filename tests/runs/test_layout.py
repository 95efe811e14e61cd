"""The run directory layout: every path comes from `RunLayout`, and only its module names them."""

import ast
from pathlib import Path

from keras_attention.runs import RunLayout

LIBRARY = Path(__file__).resolve().parents[2] / "keras_attention"
LAYOUT_MODULE = LIBRARY / "runs" / "layout.py"


def test_every_path_of_a_run_directory(tmp_path):
    layout = RunLayout(str(tmp_path))
    relative = {
        "config": "config.yaml",
        "model": "model.keras",
        "summary": "summary.json",
        "history": "history.csv",
        "logs": "logs",
        "attention_logs": "logs/attention",
        "best_checkpoint": "checkpoints/best.weights.h5",
        "backup_config": "backup/config.yaml",
        "backup_state": "backup/state",
        "workers": "workers",
    }
    assert {name: layout.relative(getattr(layout, name)) for name in relative} == relative
    assert layout.relative(layout.vocabulary("target")) == "vocab/target.txt"
    assert layout.relative(layout.sentencepiece_model("source")) == "vocab/source.spm.model"
    assert layout.relative(layout.epoch_checkpoint(3)) == "checkpoints/epoch-0003.weights.h5"
    assert layout.relative(layout.worker_backup("worker-1")) == "workers/worker-1/backup"
    assert layout.relative(layout.hypotheses("data/dev.anki.txt")) == "hypotheses/dev.anki.tsv"
    assert [layout.relative(path) for path in layout.required] == [
        "config.yaml",
        "model.keras",
        "vocab/source.txt",
        "vocab/target.txt",
    ]
    assert [layout.relative(path) for path in layout.partial_outputs] == ["backup", "history.csv", "checkpoints", "logs"]


def path_literals(path):
    """The string literals of a module that can name a file: those with a dot (`summary.json`),
    and those joined to a path with `/` (`directory / "logs"`); docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    joined = {
        id(operand)
        for node in ast.walk(tree)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)
        for operand in (node.left, node.right)
    }
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and ("." in node.value or id(node) in joined)
    }


def test_only_the_layout_module_names_the_files_of_a_run_directory():
    files = {"config.yaml", "model.keras", "summary.json", "history.csv", "best.weights.h5"}
    folders = {"vocab", "logs", "attention", "checkpoints", "backup", "state", "workers", "hypotheses"}
    layout_source = LAYOUT_MODULE.read_text(encoding="utf-8")
    assert files <= path_literals(LAYOUT_MODULE) and all(f'/ "{name}"' in layout_source for name in folders)
    elsewhere = {
        str(path.relative_to(LIBRARY)): sorted((files | folders) & path_literals(path))
        for path in LIBRARY.rglob("*.py")
        if path != LAYOUT_MODULE
    }
    assert {module: found for module, found in elsewhere.items() if found} == {}
