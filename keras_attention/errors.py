"""Errors raised for bad user input.

Every error that a user can cause with a config file, a run directory or a data file derives from
`KerasAttentionError`; the CLI prints these as one clear message and exits non-zero instead of
showing a traceback.
"""


class KerasAttentionError(Exception):
    """Base class for errors caused by user input (files, configs, arguments)."""


class ConfigError(KerasAttentionError, ValueError):
    """A configuration file or value is invalid."""


class RunDirectoryError(KerasAttentionError, FileNotFoundError):
    """A run directory is missing or incomplete."""


class DataError(KerasAttentionError, ValueError):
    """A data file is malformed."""


class ExportError(KerasAttentionError):
    """A model cannot be exported (an op a server lacks, a version that exists, an unusable folder)."""


class TuningError(KerasAttentionError):
    """A hyperparameter search cannot start, or its trials fail."""
