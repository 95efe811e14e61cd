"""Distributed tuning with keras-tuner's chief/worker mode.

Every process runs the same `keras-attention tune` command. The environment says its role:

- `KERASTUNER_TUNER_ID`: `chief` for the process that holds the oracle (it runs no trials, and
  writes the report at the end), any other unique name (`worker0`, `worker1`, ...) for a worker;
- `KERASTUNER_ORACLE_IP`, `KERASTUNER_ORACLE_PORT`: the address the chief serves the oracle at
  and the workers connect to (gRPC).

Without these variables the search runs in one process.
"""

import os
import time
from concurrent import futures

from keras_attention.errors import TuningError

ID_VARIABLE = "KERASTUNER_TUNER_ID"
IP_VARIABLE = "KERASTUNER_ORACLE_IP"
PORT_VARIABLE = "KERASTUNER_ORACLE_PORT"
SINGLE_TUNER_ID = "tuner0"


def tuner_role(environ=None):
    """This process's role in the search: `single`, `chief` or `worker`.

    Args:
        environ: mapping to read the variables from (default `os.environ`).

    Raises:
        TuningError: the variables are incomplete or the port is not a number.
    """
    environ = os.environ if environ is None else environ
    given = [name for name in (ID_VARIABLE, IP_VARIABLE, PORT_VARIABLE) if environ.get(name)]
    if IP_VARIABLE not in given and PORT_VARIABLE not in given:
        return "single"
    missing = sorted({ID_VARIABLE, IP_VARIABLE, PORT_VARIABLE} - set(given))
    if missing:
        raise TuningError(
            f"distributed tuning needs {ID_VARIABLE}, {IP_VARIABLE} and {PORT_VARIABLE} together; "
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set (see docs/tuning.md)"
        )
    if not environ[PORT_VARIABLE].isdigit():
        raise TuningError(f"{PORT_VARIABLE} must be a port number, got {environ[PORT_VARIABLE]!r}")
    return "chief" if "chief" in environ[ID_VARIABLE] else "worker"


def tuner_id(environ=None):
    """This process's tuner id (`tuner0` when the search runs in one process)."""
    environ = os.environ if environ is None else environ
    return environ.get(ID_VARIABLE) or SINGLE_TUNER_ID


def serve_oracle(tuner, log, poll_seconds=1.0):
    """Serves `tuner`'s oracle to the workers until the search is over (the chief's search).

    keras-tuner's own chief loop (`Tuner.search` on the chief) checks for the end only every 20
    seconds, never stops its server and does not notice when the port cannot be bound; this one
    reuses its gRPC servicer and end condition, polls every `poll_seconds` and fails clearly.

    Args:
        tuner: the chief's `keras_tuner.Tuner`.
        log: function that prints progress lines.
        poll_seconds: how often to check whether every worker is done.

    Raises:
        TuningError: the address cannot be served.
    """
    import grpc
    from keras_tuner.src import protos
    from keras_tuner.src.distribute import oracle_chief

    address = f"{os.environ[IP_VARIABLE]}:{os.environ[PORT_VARIABLE]}"
    tuner.save()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    servicer = oracle_chief.OracleServicer(tuner.oracle)
    protos.get_service_grpc().add_OracleServicer_to_server(servicer, server)
    try:
        bound = server.add_insecure_port(address)
    except RuntimeError as error:
        bound, reason = 0, str(error)
    else:
        reason = "the port is in use or the address is not this machine's"
    if not bound:
        raise TuningError(f"the chief cannot serve the oracle at {address} ({reason})")
    server.start()
    log(f"chief: serving the oracle at {address}; waiting for workers")
    try:
        while not (servicer.stop_triggered and oracle_chief.exit_chief(tuner.oracle)):
            time.sleep(poll_seconds)
    finally:
        server.stop(grace=None)
