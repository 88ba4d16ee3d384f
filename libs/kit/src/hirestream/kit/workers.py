"""Several processes of one service sharing its listening ports (``SO_REUSEPORT``).

One Python process is one event loop on one core. A front door that parses requests and mail
(intake) scales past one core only with more processes: the kernel spreads new connections
over every socket bound to the port. The supervisor starts ``count`` workers and keeps them
running; worker 0 is the whole service (consumers, outbox relay, reconciler, background
tasks, and the ports), the others serve the ports only, so consumer groups, the relay and
mailbox polling are not multiplied. An outbox row written by any worker wakes worker 0's
relay (``NOTIFY`` is per database).

Workers die with the supervisor (``PR_SET_PDEATHSIG``): a supervisor killed with SIGKILL
leaves no orphan holding the ports.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from types import FrameType

log = logging.getLogger(__name__)

WORKER_INDEX_ENV = "HIRESTREAM_WORKER_INDEX"
_PR_SET_PDEATHSIG = 1


def worker_index() -> int | None:
    """This process's index among its service's workers; ``None`` when not supervised."""
    value = os.environ.get(WORKER_INDEX_ENV, "")
    return int(value) if value.isdigit() else None


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket that other workers may bind to the same port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the supervisor goes away (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the supervisor's own stop still applies
        pass


def supervise(
    count: int,
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    *,
    stop_timeout: float = 12.0,
    restart_delay: float = 1.0,
) -> int:
    """Run ``count`` copies of ``argv`` until SIGTERM/SIGINT; a worker that exits on its own
    is started again. Returns the exit status for the supervisor process."""
    stopping = False

    def stop(signum: int, _: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def start(index: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            list(argv),
            env={**os.environ, **(env or {}), WORKER_INDEX_ENV: str(index)},
            preexec_fn=_die_with_parent,  # safe here: the supervisor runs no threads
        )

    workers = [start(index) for index in range(count)]
    log.info("started %d workers: %s", count, [w.pid for w in workers])
    while not stopping:
        time.sleep(0.2)
        for index, worker in enumerate(workers):
            if worker.poll() is not None and not stopping:
                log.warning("worker %d exited with %s; starting it again", index, worker.returncode)
                time.sleep(restart_delay)
                workers[index] = start(index)
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + stop_timeout
    for worker in workers:
        try:
            worker.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    return 0


def supervise_this_module(count: int, module: str, env: Mapping[str, str] | None = None) -> None:
    """``python -m <module>`` as ``count`` workers; exits the process when they are done."""
    sys.exit(supervise(count, [sys.executable, "-m", module], env))
