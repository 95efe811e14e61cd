"""Registries by name: a dict of `"module:attribute"` strings, loaded on first use.

A registry names what it holds by import path, so that the config (which validates the names)
imports neither the registered code nor the Keras and TensorFlow it needs.
"""

import importlib


def load(registry, name):
    """The object that `registry[name]` (`"module:attribute"`) names, importing its module."""
    module, attribute = registry[name].split(":")
    return getattr(importlib.import_module(module), attribute)
