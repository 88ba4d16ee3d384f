"""The intake benchmark's own machinery: the shared driver, its clients on real sockets, and
the baseline's environment."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session

from hirestream.cli.commands.intake import (
    _drive,
    bench_http_raw,
    bench_smtp,
    hide_undeclared_accelerators,
)


async def test_drive_counts_every_submission_once_and_stops_at_the_count() -> None:
    sent: list[tuple[int, int]] = []

    async def send_one(worker: int, index: int) -> bool:
        sent.append((worker, index))
        await asyncio.sleep(0)
        return index % 3 != 0

    result = await _drive("x", 4, 30, 60.0, lambda index: index, send_one)
    assert sorted(index for _, index in sent) == list(range(1, 31))
    assert {worker for worker, _ in sent} == {0, 1, 2, 3}
    assert (result.accepted, result.failed) == (20, 10)
    assert len(result.latencies) == 30 and result.seconds > 0


async def test_drive_stops_at_the_deadline() -> None:
    async def send_one(_: int, __: int) -> bool:
        await asyncio.sleep(0.01)
        return True

    result = await _drive("x", 2, 1_000_000, 0.2, lambda index: index, send_one)
    assert 0 < result.accepted < 100 and result.seconds < 1.0


async def test_the_http_client_posts_each_form_on_a_kept_alive_connection() -> None:
    connections, bodies = 0, []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while not reader.at_eof():
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:  # the client closed its connection
                return
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            bodies.append(await reader.readexactly(length))
            status = b"201 Created" if len(bodies) % 2 else b"422 Unprocessable"
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 2\r\n\r\n{}")

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        result = await bench_http_raw(f"http://127.0.0.1:{port}", "k", 10, 30.0, 2, 2048)
    finally:
        server.close()
    assert (result.accepted, result.failed) == (5, 5)
    assert connections == 2 and len(bodies) == 10
    assert all(b'name="cv"; filename="cv-' in body for body in bodies)


async def test_the_smtp_client_sends_each_mail_and_counts_the_250s() -> None:
    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
            received.append(envelope.original_content or b"")
            return "250 OK" if len(received) % 2 else "550 no"

    server = await asyncio.get_running_loop().create_server(lambda: SMTP(Handler()), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        result = await bench_smtp(port, "jobs.localhost", 6, 30.0, 3, 2048)
    finally:
        server.close()
    assert (result.accepted, result.failed) == (3, 3)
    assert len(received) == 6 and all(b"Content-Transfer-Encoding: base64" in m for m in received)


def test_a_baseline_does_not_get_accelerators_its_intake_did_not_declare(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    for source, deps in ((old, '"fastapi>=0.115"'), (new, '"httptools>=0.6", "uvloop>=0.19"')):
        (source / "services/intake").mkdir(parents=True)
        (source / "services/intake/pyproject.toml").write_text(f"dependencies = [{deps}]\n")

    def importable(path: Path, module: str) -> bool:
        probe = f"import sys; sys.path.insert(0, {str(path)!r}); import {module}"
        return subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode == 0

    hidden_old, hidden_new = hide_undeclared_accelerators(old), hide_undeclared_accelerators(new)
    for module in ("httptools", "uvloop"):
        assert not importable(hidden_old, module)
        assert importable(hidden_new, module)  # declared: the installed package is used
