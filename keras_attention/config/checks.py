"""The checks of the config sections: each failure is a `ConfigError` that names the full key."""

import contextlib

from keras_attention.errors import ConfigError
from keras_attention.options.checks import OptionError, check_choice, check_positive_int


def require(condition, key, message):
    """Raises `ConfigError("KEY: MESSAGE")` unless `condition` holds."""
    if not condition:
        raise ConfigError(f"{key}: {message}")


@contextlib.contextmanager
def named(key):
    """Turns the `OptionError` of a check into a `ConfigError` that names the config key.

    `key` is the option's full key (`model.encoder_units`), or, ending in `.`, the section whose
    key the error's option is (`decoding.`).
    """
    try:
        yield
    except OptionError as error:
        full_key = key + error.option if key.endswith(".") else key
        raise ConfigError(f"{full_key}: expected {error.expected}, got {error.value!r}") from None


def positive_int(value, key):
    """Checks that config value `value` at `key` is a positive integer."""
    with named(key):
        check_positive_int(value, key)


def choice(value, choices, key):
    """Checks that config value `value` at `key` is one of `choices`."""
    with named(key):
        check_choice(value, choices, key)
