"""Helpers shared by the tests, imported as `helpers.NAME` (tests/ is on `sys.path` through
tests/conftest.py): tiny model configs, tiny training runs and searches, the tiny models of the
decoding tests, NumPy references and inputs of the export tests."""
