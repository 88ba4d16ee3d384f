"""INTAKE_WORKERS: several intake processes share the HTTP and SMTP ports; what any of them
accepts is published by the first one's relay; none outlives a killed supervisor."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import asyncpg
import httpx
import pytest

from hirestream.kit.devstack import free_port, wait_for_port
from hirestream.kit.runtime import migrate
from hirestream.kit.testing import Stack
from hirestream.kit.workers import WORKER_INDEX_ENV

pytestmark = pytest.mark.integration
CV = b"%PDF-1.4\n" + os.urandom(20_000)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def listening_ports(pid: int) -> set[int]:
    """TCP ports the process itself holds a listening socket on."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def intake_workers(
    stack: Stack, database_url: str, topic_prefix: str, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], int, int]]:
    asyncio.run(migrate(database_url, "intake", "hirestream.intake"))

    async def add_posting() -> None:
        conn = await asyncpg.connect(database_url)
        await conn.execute(
            "INSERT INTO intake.postings (posting_id, slug, title) VALUES ($1, 'ops', 'Ops')",
            uuid.uuid4(),
        )
        await conn.close()

    asyncio.run(add_posting())
    http_port, smtp_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap,
        "HIRESTREAM_TOPIC_PREFIX": topic_prefix,
        "INTAKE_HTTP_HOST": "127.0.0.1",
        "INTAKE_SMTP_HOST": "127.0.0.1",
        "INTAKE_HTTP_PORT": str(http_port),
        "INTAKE_SMTP_PORT": str(smtp_port),
        "INTAKE_API_KEY": "k",
        "INTAKE_MAIL_DOMAIN": "jobs.example.com",
        "INTAKE_WORKERS": "3",
    }
    env.pop(WORKER_INDEX_ENV, None)
    log = open(tmp_path / "intake.log", "ab")  # noqa: SIM115 - owned by the child
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "hirestream.intake"], env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{http_port}/healthz", timeout=1).is_success:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        wait_for_port(smtp_port, 30)
        yield supervisor, http_port, smtp_port
    finally:
        if supervisor.poll() is None:
            supervisor.terminate()
            supervisor.wait(20)
        log.close()


def test_workers_share_both_ports_and_every_application_is_published(
    intake_workers: tuple[subprocess.Popen[bytes], int, int], database_url: str
) -> None:
    import smtplib

    supervisor, http_port, smtp_port = intake_workers
    workers = children(supervisor.pid)
    assert len(workers) == 3
    # Every worker listens on both ports with a socket of its own (SO_REUSEPORT).
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(
        {http_port, smtp_port} <= listening_ports(pid) for pid in workers
    ):
        time.sleep(0.5)
    for pid in workers:
        assert {http_port, smtp_port} <= listening_ports(pid)
    with httpx.Client(base_url=f"http://127.0.0.1:{http_port}") as http:
        for i in range(12):
            # A new connection each time: the kernel spreads connections over the workers.
            response = http.post(
                "/v1/applications",
                data={"posting": "ops", "name": f"P {i}", "email": f"p{i}@example.org"},
                files={"cv": ("cv.pdf", CV + str(i).encode(), "application/pdf")},
                headers={"X-API-Key": "k", "Connection": "close"},
            )
            assert response.status_code == 201, response.text
    for i in range(6):
        message = EmailMessage()
        message["From"] = f"M {i} <m{i}@example.org>"
        message["To"] = "ops@jobs.example.com"
        message.set_content("CV attached.")
        message.add_attachment(
            CV + b"m" + str(i).encode(), maintype="application", subtype="pdf", filename="cv.pdf"
        )
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as smtp:
            smtp.send_message(message)

    async def unsent() -> tuple[int, int]:
        conn = await asyncpg.connect(database_url)
        try:
            total = await conn.fetchval("SELECT count(*) FROM intake.outbox")
            pending = await conn.fetchval(
                "SELECT count(*) FROM intake.outbox WHERE sent_at IS NULL"
            )
            return total, pending
        finally:
            await conn.close()

    deadline = time.monotonic() + 30
    while (counts := asyncio.run(unsent()))[1] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert counts == (18, 0)


def test_a_killed_supervisor_takes_its_workers_with_it(
    intake_workers: tuple[subprocess.Popen[bytes], int, int],
) -> None:
    supervisor, http_port, _ = intake_workers
    workers = children(supervisor.pid)
    assert len(workers) == 3
    supervisor.send_signal(signal.SIGKILL)
    supervisor.wait(5)
    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in workers)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{http_port}/healthz", timeout=1)
