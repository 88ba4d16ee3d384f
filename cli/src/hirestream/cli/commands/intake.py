"""``hirestream intake …``: intake's own tools (benchmark)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import statistics
import subprocess
import tarfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, TypeVar

import asyncpg
import httpx
import typer
import uvloop

BENCH_SLUG = "bench-posting"
T = TypeVar("T")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    channel: str
    accepted: int
    failed: int
    seconds: float
    latencies: list[float]
    # CPU seconds spent during the run by each party sharing the machine.
    cpu: dict[str, float] = field(default_factory=dict)
    label: str = ""
    wal_bytes: int = 0  # PostgreSQL WAL written during the run (the whole server)

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies) or [0.0]
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000

    def line(self) -> str:
        p50 = statistics.median(sorted(self.latencies) or [0.0]) * 1000
        # Cores busy on average, and CPU milliseconds per accepted application: the second is
        # what to compare when other work on the machine takes cores away.
        cpu = "  ".join(
            f"{who}={seconds / self.seconds:.2f} ({seconds * 1000 / max(self.accepted, 1):.1f}ms)"
            for who, seconds in self.cpu.items()
            if self.seconds
        )
        return (
            f"{self.label + ' ' if self.label else ''}{self.channel}: accepted={self.accepted}"
            f" failed={self.failed} in {self.seconds:.1f}s -> {self.rate:.1f}/s"
            f"  p50={p50:.0f} ms  p99={self.percentile(0.99):.0f} ms"
            + (f"  cpu(cores) {cpu}" if cpu else "")
            + f"  wal={self.wal_bytes / max(self.accepted, 1) / 1024:.0f} KB/app"
        )


# Random bytes drawn once: each CV is a window of them at its own offset behind a header
# naming it, so every submission is distinct (its own hash) and incompressible without the
# load generator drawing 150 KB of fresh randomness per request on the cores it shares.
_RANDOM = os.urandom(4 << 20)


def fake_cv(index: int, size: int) -> bytes:
    """A distinct, incompressible ~size-byte PDF per submission (distinct content hash)."""
    head = f"%PDF-1.4\n% bench cv {index} {uuid.uuid4()}\n".encode()
    length = max(0, size - len(head) - 6)
    start = (index * 7919) % (len(_RANDOM) - length) if length < len(_RANDOM) else 0
    return head + _RANDOM[start : start + length] + b"\n%%EOF"


def fake_mail(index: int, size: int, domain: str) -> bytes:
    """A distinct application mail, built from a template: the stdlib ``EmailMessage``
    generator costs the load generator several ms per message, which it would steal from the
    server on 2 shared cores. Base64 lines of 76 characters, CRLF, as mail clients send."""
    body = base64.encodebytes(fake_cv(index, size)).replace(b"\n", b"\r\n")
    boundary = f"=bench-{uuid.uuid4().hex}"
    head = (
        f"From: Bench {index} <s{index}@bench.example.com>\r\n"
        f"To: {BENCH_SLUG}@{domain}\r\n"
        f"Subject: Application\r\n"
        f"Message-ID: <{uuid.uuid4()}@bench.example.com>\r\n"
        f"MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\n"
        f'Content-Type: text/plain; charset="utf-8"\r\n\r\n'
        f"My CV is attached.\r\n"
        f"--{boundary}\r\n"
        f"Content-Type: application/pdf\r\n"
        f"Content-Transfer-Encoding: base64\r\n"
        f'Content-Disposition: attachment; filename="cv.pdf"\r\n\r\n'
    ).encode()
    return head + body + f"--{boundary}--\r\n".encode()


def counter(limit: int, deadline: float) -> Callable[[], int | None]:
    state = {"n": 0}

    def take() -> int | None:  # one event loop: no lock needed
        if state["n"] >= limit or time.monotonic() > deadline:
            return None
        state["n"] += 1
        return state["n"]

    return take


async def _drive(
    channel: str,
    concurrency: int,
    count: int,
    seconds: float,
    build: Callable[[int], T],
    send_one: Callable[[int, T], Awaitable[bool]],
) -> Result:
    """``concurrency`` workers, each sending one submission after another until ``count`` were
    sent or ``seconds`` passed. ``build(index)`` makes submission ``index`` (not timed);
    ``send_one(worker, submission)`` sends it on that worker's connection and says whether it
    was accepted (a failure it saw is ``False``, not an exception)."""
    result = Result(channel, 0, 0, 0.0, [])
    take = counter(count, time.monotonic() + seconds)

    async def worker(number: int) -> None:
        while (index := take()) is not None:
            submission = build(index)
            started = time.perf_counter()
            ok = await send_one(number, submission)
            result.latencies.append(time.perf_counter() - started)
            if ok:
                result.accepted += 1
            else:
                result.failed += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(number) for number in range(concurrency)))
    result.seconds = time.perf_counter() - started
    return result


async def bench_http(
    url: str, api_key: str, count: int, seconds: float, concurrency: int, size: int
) -> Result:
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        def build(index: int) -> tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]:
            data = {
                "posting": BENCH_SLUG,
                "name": f"Bench {index}",
                "email": f"b{index}@bench.example.com",
            }
            return data, {"cv": (f"cv-{index}.pdf", fake_cv(index, size), "application/pdf")}

        async def send_one(
            _: int, form: tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]
        ) -> bool:
            data, files = form
            try:
                response = await client.post(
                    "/v1/applications", data=data, files=files, headers={"X-API-Key": api_key}
                )
            except httpx.HTTPError:
                return False
            return response.status_code == 201

        return await _drive("http", concurrency, count, seconds, build, send_one)


def multipart_application(index: int, size: int) -> tuple[bytes, str]:
    """The same form httpx sends, built directly: (body, content type)."""
    boundary = uuid.uuid4().hex
    fields = {
        "posting": BENCH_SLUG,
        "name": f"Bench {index}",
        "email": f"b{index}@bench.example.com",
    }
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    head = "".join(parts) + (
        f'--{boundary}\r\nContent-Disposition: form-data; name="cv"; filename="cv-{index}.pdf"'
        "\r\nContent-Type: application/pdf\r\n\r\n"
    )
    body = head.encode() + fake_cv(index, size) + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class HttpClient:
    """One keep-alive HTTP/1.1 connection, requests built by hand: httpx spent ~5 ms of CPU
    per 150 KB upload, as much as the server it measured, on the same 2 cores."""

    def __init__(self, host: str, port: int, api_key: str) -> None:
        self._address = (host, port)
        self._api_key = api_key
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, content_type: str) -> int:
        if self._writer is None or self._reader is None:
            self._reader, self._writer = await asyncio.open_connection(*self._address)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self._address[0]}\r\n"
            f"X-API-Key: {self._api_key}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        try:
            self._writer.write(head + body)
            status_line = await self._reader.readline()
            length, closing = 0, False
            while (line := await self._reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and "close" in value.lower():
                    closing = True
            await self._reader.readexactly(length)
            if closing or not status_line:
                await self.close()
            return int(status_line.split()[1])
        except (OSError, asyncio.IncompleteReadError, IndexError, ValueError):
            await self.close()
            raise ConnectionError("request failed") from None

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def bench_http_raw(
    url: str, api_key: str, count: int, seconds: float, concurrency: int, size: int
) -> Result:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    clients = [HttpClient(host, int(port), api_key) for _ in range(concurrency)]

    async def send_one(worker: int, request: tuple[bytes, str]) -> bool:
        try:
            return await clients[worker].post("/v1/applications", *request) == 201
        except ConnectionError:  # the client closed the connection; the next post reopens it
            return False

    try:
        return await _drive(
            "http",
            concurrency,
            count,
            seconds,
            lambda index: multipart_application(index, size),
            send_one,
        )
    finally:
        for client in clients:
            await client.close()


class SmtpClient:
    """The least a sending server does: one connection, one message after another. smtplib in
    threads spent more CPU (GIL, the email generator) than the server it measured."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer

    @classmethod
    async def connect(cls, port: int) -> SmtpClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        client = cls(reader, writer)
        await client._reply()
        await client.command(b"EHLO bench.example.com")
        return client

    async def _reply(self) -> bytes:
        while True:
            line = await self._reader.readline()
            if not line:
                raise ConnectionError("server closed the connection")
            if line[3:4] != b"-":
                return line

    async def command(self, line: bytes) -> bytes:
        self._writer.write(line + b"\r\n")
        return await self._reply()

    async def send(self, sender: bytes, recipient: bytes, message: bytes) -> bool:
        if not (await self.command(b"MAIL FROM:<" + sender + b">")).startswith(b"250"):
            return False
        if not (await self.command(b"RCPT TO:<" + recipient + b">")).startswith(b"250"):
            await self.command(b"RSET")
            return False
        if not (await self.command(b"DATA")).startswith(b"354"):
            return False
        # The template has no line starting with "." (base64 and fixed text): no stuffing.
        self._writer.write(message)
        return (await self.command(b".")).startswith(b"250")

    async def close(self) -> None:
        await self.command(b"QUIT")
        self._writer.close()


async def bench_smtp(
    port: int, domain: str, count: int, seconds: float, concurrency: int, size: int
) -> Result:
    recipient = f"{BENCH_SLUG}@{domain}".encode()
    clients = [await SmtpClient.connect(port) for _ in range(concurrency)]

    def build(index: int) -> tuple[bytes, bytes]:
        return f"s{index}@bench.example.com".encode(), fake_mail(index, size, domain)

    async def send_one(worker: int, mail: tuple[bytes, bytes]) -> bool:
        sender, message = mail
        try:
            return await clients[worker].send(sender, recipient, message)
        except (OSError, ConnectionError):
            clients[worker] = await SmtpClient.connect(port)
            return False

    try:
        return await _drive("smtp", concurrency, count, seconds, build, send_one)
    finally:
        for client in clients:
            with contextlib.suppress(OSError, ConnectionError):
                await client.close()


def _cpu_seconds(pid: int, *, with_exited_children: bool = False) -> float:
    """utime + stime of a process from /proc (Linux); 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if with_exited_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / _CLOCK_TICKS


def _children(pid: int) -> Iterator[int]:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                yield int(entry.name)


def _tree_cpu(pid: int) -> float:
    """A process and its live children, plus the children that have exited and been reaped."""
    return _cpu_seconds(pid, with_exited_children=True) + sum(
        _cpu_seconds(child) for child in _children(pid)
    )


class CpuMeter:
    """CPU used by the load generator (this process), intake (all its processes) and
    PostgreSQL (all its backends, when embedded), between ``start`` and ``stop``."""

    def __init__(self, intake_pid: int, postgres_pid: int | None) -> None:
        self._pids = {"loadgen": os.getpid(), "intake": intake_pid}
        if postgres_pid is not None:
            self._pids["postgres"] = postgres_pid
        self._before: dict[str, float] = {}

    def _sample(self) -> dict[str, float]:
        return {
            who: (time.process_time() if who == "loadgen" else _tree_cpu(pid))
            for who, pid in self._pids.items()
        }

    def start(self) -> None:
        self._before = self._sample()

    def stop(self) -> dict[str, float]:
        after = self._sample()
        return {who: after[who] - self._before[who] for who in after}


async def _fetchval(database_url: str, sql: str, *args: object) -> object:
    """One statement on a connection of its own (the bench's few statements between runs)."""
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def _add_posting(database_url: str) -> None:
    await _fetchval(
        database_url,
        "INSERT INTO intake.postings (posting_id, slug, title) VALUES ($1, $2, 'Bench')"
        " ON CONFLICT (slug) DO NOTHING",
        uuid.uuid4(),
        BENCH_SLUG,
    )


async def _wal_lsn(database_url: str) -> str:
    return str(await _fetchval(database_url, "SELECT pg_current_wal_lsn()::text"))


async def _wal_bytes_since(database_url: str, lsn: str) -> int:
    diff = await _fetchval(
        database_url, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::text::pg_lsn)::bigint", lsn
    )
    return int(str(diff))


async def _checkpoint(admin_url: str) -> None:
    """Before each measurement, the previous one's dirty pages are written out: otherwise the
    checkpoint it caused (timed, every 5 min) falls inside a later run, whose WAL then holds
    every page it touches in full (WAL per application went 166 → 465 KB in such a run)."""
    await _fetchval(admin_url, "CHECKPOINT")


def _wait_healthy(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError("intake did not become healthy")


def _listening_ports(pid: int) -> set[int]:
    """TCP ports the process holds a listening socket on (Linux /proc)."""
    inodes = set()
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _wait_workers(supervisor: int, workers: int, ports: set[int], timeout: float = 90) -> None:
    """Until every worker listens on every port: connections made earlier (the clients keep
    theirs for the whole run) would all land on the workers that were up first."""
    if workers <= 1:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = [pid for pid in _children(supervisor) if ports <= _listening_ports(pid)]
        if len(ready) >= workers:
            return
        time.sleep(0.3)
    raise TimeoutError(f"not all {workers} intake workers listen on {sorted(ports)}")


def _wait_smtp(port: int, timeout: float = 30) -> None:
    from hirestream.kit.devstack import wait_for_port

    wait_for_port(port, timeout)


def checkout(ref: str, into: Path) -> Path:
    """intake and kit sources as of git ``ref``, to run the baseline beside the working tree
    (its ``src`` directories go first on the intake process's PYTHONPATH)."""
    root = Path(__file__).resolve().parents[5]
    archive = into / f"{ref.replace('/', '_')}.tar"
    subprocess.run(
        ["git", "-C", str(root), "archive", "-o", str(archive), ref, "services/intake", "libs/kit"],
        check=True,
    )
    target = into / f"src-{ref.replace('/', '_')}"
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target


# Packages uvicorn (httptools) or intake (uvloop) use merely because they are installed. The
# workspace has one environment, so a baseline from before intake declared them would pick them
# up too and be measured with part of the change it is compared against.
_ACCELERATORS = ("httptools", "uvloop")


def hide_undeclared_accelerators(source: Path) -> Path:
    """A directory to put first on the baseline's PYTHONPATH: each accelerator its intake
    ``pyproject.toml`` does not declare is a module there whose import fails, as it did then."""
    declared = (source / "services/intake/pyproject.toml").read_text()
    hidden = source / "_undeclared"
    for name in _ACCELERATORS:
        if f'"{name}' not in declared:
            (hidden / name).mkdir(parents=True, exist_ok=True)
            (hidden / name / "__init__.py").write_text(
                f"raise ImportError('{name} is not a dependency of intake at this ref')\n"
            )
    hidden.mkdir(exist_ok=True)
    return hidden


def register(app: typer.Typer) -> None:
    intake = typer.Typer(help="Intake: the front door for applications.")
    app.add_typer(intake, name="intake")

    @intake.command("bench")
    def bench(
        channel: Annotated[str, typer.Option(help="http, smtp or both")] = "both",
        seconds: Annotated[float, typer.Option(help="duration per channel")] = 20.0,
        count: Annotated[int, typer.Option(help="stop after this many per channel")] = 100_000,
        concurrency: Annotated[int, typer.Option()] = 16,
        cv_kb: Annotated[int, typer.Option(help="CV size in KB")] = 150,
        workers: Annotated[int, typer.Option(help="INTAKE_WORKERS of the intake under test")] = 1,
        baseline_workers: Annotated[
            int, typer.Option(help="INTAKE_WORKERS of the baseline (a ref before 2 workers: 1)")
        ] = 1,
        baseline: Annotated[
            str,
            typer.Option(help="git ref: also run intake as of this ref, alternating, same client"),
        ] = "",
        repeat: Annotated[int, typer.Option(help="runs per variant; medians are reported")] = 1,
        current: Annotated[
            str, typer.Option(help="git ref to run as 'current' instead of the working tree")
        ] = "",
        http_client: Annotated[
            str, typer.Option(help="raw (hand-built requests, cheap) or httpx")
        ] = "raw",
    ) -> None:
        """Accepted submissions/s, p50/p99 latency and CPU use of intake alone on the embedded
        stack (or DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS when set). Each run gets a fresh
        database and a freshly started intake."""
        from hirestream.cli.stack import (
            Infrastructure,
            Ports,
            ServiceProcesses,
            StackConfig,
            prepare,
        )
        from hirestream.kit.devstack import create_database, drop_database, scratch_dir

        with scratch_dir("hirestream-intake-bench-") as workdir:
            infra = Infrastructure(workdir)
            admin_url, bootstrap = infra.start(f"bench_{uuid.uuid4().hex[:8]}")
            postgres_pid = None
            if infra.postgres is not None:
                pidfile = infra.postgres.data_dir / "postmaster.pid"
                postgres_pid = int(pidfile.read_text().split()[0])

            def sources(ref: str) -> dict[str, str]:
                source = checkout(ref, workdir)
                paths = [
                    hide_undeclared_accelerators(source),
                    source / "services/intake/src",
                    source / "libs/kit/src",
                ]
                return {"PYTHONPATH": os.pathsep.join(str(p) for p in paths)}

            variants: list[tuple[str, dict[str, str]]] = []
            if baseline:
                variants.append(
                    (
                        f"baseline({baseline})",
                        {"INTAKE_WORKERS": str(baseline_workers), **sources(baseline)},
                    )
                )
            variants.append(
                (
                    f"current({current})" if current else "current",
                    {"INTAKE_WORKERS": str(workers), **(sources(current) if current else {})},
                )
            )
            channels = ["http", "smtp"] if channel == "both" else [channel]
            size = cv_kb * 1024
            results: dict[tuple[str, str], list[Result]] = {}

            def measure(label: str, env: dict[str, str], which: str) -> Result:
                name = f"bench_{uuid.uuid4().hex[:8]}"
                database_url = asyncio.run(create_database(admin_url, name))
                asyncio.run(prepare(database_url, bootstrap))
                asyncio.run(_add_posting(database_url))
                config = StackConfig(database_url, bootstrap, workdir, Ports.free())
                processes = ServiceProcesses(config)
                try:
                    processes.start("intake", env=env)
                    _wait_healthy(config.intake_url)
                    _wait_smtp(config.ports.intake_smtp)
                    _wait_workers(
                        processes.procs["intake"].pid,
                        int(env.get("INTAKE_WORKERS", "1")),
                        {config.ports.intake_http, config.ports.intake_smtp},
                    )
                    time.sleep(1.0)
                    meter = CpuMeter(processes.procs["intake"].pid, postgres_pid)
                    asyncio.run(_checkpoint(admin_url))
                    wal_before = asyncio.run(_wal_lsn(database_url))
                    meter.start()
                    # The load generator on uvloop too: asyncio's own loop cost it more CPU
                    # per request, taken from the server it measures on the same 2 cores.
                    if which == "http":
                        result = uvloop.run(
                            (bench_http_raw if http_client == "raw" else bench_http)(
                                config.intake_url, config.api_key, count, seconds, concurrency, size
                            )
                        )
                    else:
                        result = uvloop.run(
                            bench_smtp(
                                config.ports.intake_smtp,
                                config.mail_domain,
                                count,
                                seconds,
                                concurrency,
                                size,
                            )
                        )
                    result.cpu = meter.stop()
                    result.wal_bytes = asyncio.run(_wal_bytes_since(database_url, wal_before))
                    processes.check_alive()
                    return result
                finally:
                    processes.stop_all()
                    asyncio.run(
                        drop_database(admin_url, name)
                    )  # the next run finds the server as the first did

            try:
                # A fresh database and intake for every measurement: SMTP measured on the
                # tables HTTP had just filled paid for full-page writes HTTP's rows caused.
                for run in range(repeat):
                    for which in channels:
                        for label, env in variants:
                            result = measure(label, env, which)
                            result.label = f"[{run + 1}/{repeat}] {label}"
                            typer.echo(result.line())
                            results.setdefault((label, which), []).append(result)
                if repeat > 1 or baseline:
                    _summary(results, [label for label, _ in variants], channels)
            finally:
                infra.stop()

    def _summary(
        results: dict[tuple[str, str], list[Result]], labels: list[str], channels: list[str]
    ) -> None:
        typer.echo("medians:")
        for which in channels:
            rates: dict[str, float] = {}
            for label in labels:
                runs = results.get((label, which), [])
                if not runs:
                    continue
                rates[label] = statistics.median(r.rate for r in runs)
                p99 = statistics.median(r.percentile(0.99) for r in runs)
                typer.echo(f"  {which} {label}: {rates[label]:.1f}/s  p99={p99:.0f} ms")
            if len(rates) == 2 and rates[labels[0]]:
                typer.echo(
                    f"  {which} ratio current/baseline: {rates[labels[1]] / rates[labels[0]]:.2f}"
                )
