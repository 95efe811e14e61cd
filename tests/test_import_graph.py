"""The library's imports run one way: the backend-agnostic packages import no TensorFlow-only module,
nothing imports the CLI, and the module-level imports have no cycle."""

import ast
import sys
from pathlib import Path

import pytest

LIBRARY = Path(__file__).resolve().parent.parent / "keras_attention"
BACKEND_AGNOSTIC = ("keras_attention.layers", "keras_attention.models", "keras_attention.decoding")
# Library modules that import neither Keras nor TensorFlow: loading a config stays instant.
FRAMEWORK_FREE = (
    "keras_attention.config",
    "keras_attention.options",
    "keras_attention.special_tokens",
    "keras_attention.errors",
    "keras_attention.lazy",
    "keras_attention.tuning.space",
)
# What the backend-agnostic packages may import besides the standard library.
ALLOWED_FOR_BACKEND_AGNOSTIC = BACKEND_AGNOSTIC + FRAMEWORK_FREE + ("keras", "numpy")


def module_name(path):
    parts = path.relative_to(LIBRARY.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path, module_level_only):
    """The absolute module names that a module imports (`from X import Y` counts as X)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if module_level_only else list(ast.walk(tree))
    if module_level_only:  # imports inside module-level `if` / `try` blocks run at import too
        nodes = [node for top in nodes for node in ast.walk(top) if not isinstance(top, (ast.FunctionDef, ast.ClassDef))]
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


MODULES = {module_name(path): path for path in LIBRARY.rglob("*.py")}


def within(name, packages):
    return any(name == package or name.startswith(package + ".") for package in packages)


@pytest.mark.parametrize("module", sorted(name for name in MODULES if within(name, BACKEND_AGNOSTIC)))
def test_backend_agnostic_modules_import_no_tensorflow_only_module(module):
    imported = imported_modules(MODULES[module], module_level_only=False)
    others = {name for name in imported if not within(name, ALLOWED_FOR_BACKEND_AGNOSTIC)}
    assert {name for name in others if name.split(".")[0] not in sys.stdlib_module_names} == set()


@pytest.mark.parametrize("module", sorted(name for name in MODULES if within(name, FRAMEWORK_FREE)))
def test_framework_free_modules_import_only_each_other_and_pure_python(module):
    imported = imported_modules(MODULES[module], module_level_only=False)
    others = {name for name in imported if not within(name, FRAMEWORK_FREE)}
    assert {name for name in others if name.split(".")[0] not in sys.stdlib_module_names} <= {"yaml"}


def test_nothing_imports_the_cli():
    importers = {
        module
        for module, path in MODULES.items()
        if not within(module, ("keras_attention.cli",))
        and any(within(name, ("keras_attention.cli",)) for name in imported_modules(path, module_level_only=False))
    }
    assert importers == set()


def test_module_level_imports_have_no_cycle():
    # `from a.b.c import x` runs a/__init__ and a/b/__init__ first; a module's own ancestor
    # packages are already being imported when it runs, so an edge to one of them is no cycle.
    graph = {
        module: {
            target
            for name in imported_modules(path, module_level_only=True)
            for target in MODULES
            if (name == target or (name.startswith(target + ".") and MODULES[target].name == "__init__.py"))
            and not module.startswith(target + ".")
        }
        - {module}
        for module, path in MODULES.items()
    }
    visiting, done, cycles = set(), set(), []

    def visit(module, trail):
        if module in done:
            return
        if module in visiting:
            cycles.append(trail[trail.index(module) :])
            return
        visiting.add(module)
        for target in sorted(graph[module]):
            visit(target, trail + [target])
        visiting.discard(module)
        done.add(module)

    for module in sorted(graph):
        visit(module, [module])
    assert cycles == []
