"""Packages whose public names load on first use (PEP 562), so that importing a package is instant
and its modules may import each other's sections without import cycles."""

import importlib


def lazy_names(namespace, modules):
    """The `__all__`, `__getattr__` and `__dir__` of a package whose names live in its modules.

    Args:
        namespace: the package's `globals()`; a name is cached there once loaded.
        modules: module name -> the names of it that the package exports.

    Returns:
        `(__all__, __getattr__, __dir__)`, to assign at the package's top level.
    """
    module_of = {name: module for module, names in modules.items() for name in names}

    def __getattr__(name):
        if name not in module_of:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module_of[name]), name)
        namespace[name] = value
        return value

    def __dir__():
        return sorted(set(namespace) | set(module_of))

    return sorted(module_of), __getattr__, __dir__
