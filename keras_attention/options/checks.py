"""The checks that every option validator builds on, and the error they raise."""

import numbers


class OptionError(ValueError):
    """An option value that is not valid.

    Its message reads in the style of Keras's argument errors (``"`beam_size` must be a positive
    integer. Received: beam_size=0"``); a config names the key instead (`RunConfig` writes
    `decoding.beam_size: expected a positive integer, got 0`).

    Args:
        option: the option's name (`beam_size`).
        expected: what a valid value is, as a noun phrase (`"a positive integer"`).
        value: the value received.
    """

    def __init__(self, option, expected, value):
        super().__init__(f"`{option}` must be {expected}. Received: {option}={value!r}")
        self.option = option
        self.expected = expected
        self.value = value


def is_positive_int(value):
    """Whether `value` is a positive int (a bool is not)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value > 0


def check_positive_int(value, name):
    """Raises `OptionError` unless `value` is a positive int (bools refused)."""
    if not is_positive_int(value):
        raise OptionError(name, "a positive integer", value)


def check_count(value, name):
    """Raises `OptionError` unless `value` is an int >= 0 (bools refused)."""
    if not (isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0):
        raise OptionError(name, "an integer >= 0", value)


def check_number(value, name, minimum, strict=False):
    """Raises `OptionError` unless `value` is a real number `>= minimum` (`> minimum` if `strict`)."""
    valid = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not valid or value < minimum or (strict and value == minimum):
        raise OptionError(name, f"a number {'>' if strict else '>='} {minimum}", value)


def check_choice(value, choices, name):
    """Raises `OptionError` unless `value` is one of `choices`."""
    if value not in choices:
        raise OptionError(name, f"one of {list(choices)}", value)
