"""Builds config sections from nested dicts and YAML files, and says where a bad value is.

Each key is checked against the section's fields and each value against the field's type hint;
a section's own checks then run. Every error is a `ConfigError` that names the key path and,
for a YAML file, the file and line.
"""

import dataclasses
import types
import typing

import yaml

from keras_attention.config.renamed import RENAMED_KEYS, warn_renamed
from keras_attention.errors import ConfigError


def read_yaml(path):
    """The mapping in YAML file `path`, and the 1-based line of each dotted key path in it.

    Raises:
        ConfigError: the file does not exist or is not valid YAML.
    """
    if not path.is_file():
        raise ConfigError(f"config file {str(path)!r} does not exist")
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    return data or {}, _key_lines(node)


def _key_lines(node, prefix=""):
    """Maps each dotted key path of a YAML mapping node to its 1-based line number."""
    lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}{key_node.value}"
            lines[key] = key_node.start_mark.line + 1
            lines.update(_key_lines(value_node, key + "."))
    return lines


def load(cls, data, origin, lines):
    """Builds section class `cls` from nested dicts `data` and validates it.

    Args:
        cls: the section dataclass (`RunConfig`, usually).
        data: nested mapping; missing keys take their defaults.
        origin: name used in error messages (a file path, usually).
        lines: dotted key path -> line number in `origin` (empty when it is no file).

    Returns:
        The validated section.

    Raises:
        ConfigError: naming `origin`, the line where known, the key and what was expected.
    """
    try:
        return _build(cls, data, "", lines, origin).validate()
    except ConfigError as error:
        message = str(error)
        key = message.split(":", 1)[0]
        while key not in lines and "." in key:  # a key that is absent: the line of its section
            key = key.rsplit(".", 1)[0]
        where = f"{origin}, line {lines[key]}" if key in lines else origin
        raise ConfigError(f"{where}: {message}") from None


def _build(cls, data, prefix, lines, origin):
    where = prefix.rstrip(".") or "top level"
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of keys to values, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    names = [field.name for field in dataclasses.fields(cls)]
    values = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if path in RENAMED_KEYS:
            new_path = RENAMED_KEYS[path]
            key = new_path.rsplit(".", 1)[-1]
            if key in data:
                raise ConfigError(f"{path}: the deprecated name of {new_path}, which is also given; keep only {new_path}")
            warn_renamed(path, f"{origin}, line {lines[path]}: " if path in lines else f"{origin}: ")
        if key not in names:
            raise ConfigError(f"{path}: unknown key; {where} allows {names}")
        values[key] = _build_value(value, hints[key], path, lines, origin)
    return cls(**values)


def _build_value(value, hint, path, lines, origin):
    """Builds a section (a dataclass, optional or not), a mapping of names to sections, or a value."""
    optional = typing.get_origin(hint) in (typing.Union, types.UnionType)
    base = next(arg for arg in typing.get_args(hint) if arg is not type(None)) if optional else hint
    if dataclasses.is_dataclass(base):
        return None if optional and value is None else _build(base, value, path + ".", lines, origin)
    if typing.get_origin(base) is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: expected a mapping of names to settings, got {type(value).__name__}")
        section = typing.get_args(base)[1]
        return {name: _build(section, item, f"{path}.{name}.", lines, origin) for name, item in value.items()}
    return _coerce(value, hint, path)


def _coerce(value, hint, path):
    """Checks `value` against the type hint; ints are accepted where floats are expected."""
    if hint is typing.Any:
        return value
    choices = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(choices) > 1:
        return _coerce_choice(value, choices, type(None) in typing.get_args(hint), path)
    optional = typing.get_origin(hint) in (typing.Union, types.UnionType)
    base = next(arg for arg in typing.get_args(hint) if arg is not type(None)) if optional else hint
    if value is None:
        if optional:
            return None
        raise ConfigError(f"{path}: expected {base.__name__}, got null")
    if base is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if base is int and isinstance(value, bool) or not isinstance(value, base):
        expected = f"{base.__name__} or null" if optional else base.__name__
        raise ConfigError(f"{path}: expected {expected}, got {type(value).__name__} {value!r}")
    return value


def _coerce_choice(value, choices, optional, path):
    """Checks `value` against a union such as `str | list[str]` (lists: every item checked)."""
    if value is None and optional:
        return None
    for choice in choices:
        if typing.get_origin(choice) is list:
            item = typing.get_args(choice)[0]
            if isinstance(value, list) and all(isinstance(element, item) for element in value):
                return value
        elif isinstance(value, choice):
            return value
    names = " or ".join(
        f"a list of {typing.get_args(choice)[0].__name__}" if typing.get_origin(choice) is list else choice.__name__
        for choice in choices
    )
    raise ConfigError(f"{path}: expected {names}{' or null' if optional else ''}, got {type(value).__name__} {value!r}")
