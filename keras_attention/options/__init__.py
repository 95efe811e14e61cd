"""Option tables and their validators, one module per domain, shared by the code that uses an
option and by the config loader.

They import neither Keras nor TensorFlow, so that loading a config (and the CLI's `--help`) stays
instant: the domains' own packages (`keras_attention.layers`, ...) import Keras on import.
Validators raise `ValueError` with what was received; the config turns that into a
`ConfigError` that names the key.
"""
