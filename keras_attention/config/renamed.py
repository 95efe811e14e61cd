"""Config keys that were renamed: the old name keeps working, with a `FutureWarning`."""

import warnings

RENAMED_KEYS = {"data.task": "data.format"}


def warn_renamed(old, where=""):
    """Warns that key `old` is deprecated in favour of its new name; `where` prefixes the message."""
    warnings.warn(
        f"{where}{old} is deprecated: it is now {RENAMED_KEYS[old]} (same values); rename it",
        FutureWarning,
        stacklevel=3,
    )
