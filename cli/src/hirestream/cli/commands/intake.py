"""``hirestream intake …``: intake's own tools (benchmark)."""

from __future__ import annotations

import asyncio
import os
import smtplib
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Annotated

import asyncpg
import httpx
import typer

BENCH_SLUG = "bench-posting"


@dataclass
class Result:
    channel: str
    accepted: int
    failed: int
    seconds: float
    latencies: list[float]

    def line(self) -> str:
        ordered = sorted(self.latencies) or [0.0]
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
        rate = self.accepted / self.seconds if self.seconds else 0.0
        return (
            f"{self.channel}: accepted={self.accepted} failed={self.failed} "
            f"in {self.seconds:.1f}s -> {rate:.1f}/s  p50={p50:.0f} ms  p99={p99:.0f} ms"
        )


def fake_cv(index: int, size: int) -> bytes:
    """A distinct, incompressible ~size-byte PDF per submission (distinct content hash)."""
    head = f"%PDF-1.4\n% bench cv {index} {uuid.uuid4()}\n".encode()
    return head + os.urandom(max(0, size - len(head) - 6)) + b"\n%%EOF"


async def _http_worker(
    client: httpx.AsyncClient,
    next_index: Callable[[], int | None],
    size: int,
    api_key: str,
    result: Result,
) -> None:
    while (index := next_index()) is not None:
        data = {
            "posting": BENCH_SLUG,
            "name": f"Bench {index}",
            "email": f"b{index}@bench.example.com",
        }
        files = {"cv": (f"cv-{index}.pdf", fake_cv(index, size), "application/pdf")}
        started = time.perf_counter()
        try:
            response = await client.post(
                "/v1/applications", data=data, files=files, headers={"X-API-Key": api_key}
            )
            ok = response.status_code == 201
        except httpx.HTTPError:
            ok = False
        result.latencies.append(time.perf_counter() - started)
        if ok:
            result.accepted += 1
        else:
            result.failed += 1


def counter(limit: int, deadline: float) -> Callable[[], int | None]:
    lock, state = threading.Lock(), {"n": 0}

    def take() -> int | None:
        with lock:
            if state["n"] >= limit or time.monotonic() > deadline:
                return None
            state["n"] += 1
            return state["n"]

    return take


async def bench_http(
    url: str, api_key: str, count: int, seconds: float, concurrency: int, size: int
) -> Result:
    result = Result("http", 0, 0, 0.0, [])
    take = counter(count, time.monotonic() + seconds)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(
            *(_http_worker(client, take, size, api_key, result) for _ in range(concurrency))
        )
        result.seconds = time.perf_counter() - started
    return result


def bench_smtp(
    port: int, domain: str, count: int, seconds: float, concurrency: int, size: int
) -> Result:
    result = Result("smtp", 0, 0, 0.0, [])
    take = counter(count, time.monotonic() + seconds)
    lock = threading.Lock()

    def worker() -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
            while (index := take()) is not None:
                message = EmailMessage()
                message["From"] = f"Bench {index} <s{index}@bench.example.com>"
                message["To"] = f"{BENCH_SLUG}@{domain}"
                message["Subject"] = "Application"
                message.set_content("My CV is attached.")
                message.add_attachment(
                    fake_cv(index, size), maintype="application", subtype="pdf", filename="cv.pdf"
                )
                started = time.perf_counter()
                try:
                    smtp.send_message(message)
                    ok = True
                except smtplib.SMTPException:
                    ok = False
                with lock:
                    result.latencies.append(time.perf_counter() - started)
                    if ok:
                        result.accepted += 1
                    else:
                        result.failed += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


async def _add_posting(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO intake.postings (posting_id, slug, title) VALUES ($1, $2, 'Bench')"
            " ON CONFLICT (slug) DO NOTHING",
            uuid.uuid4(),
            BENCH_SLUG,
        )
    finally:
        await conn.close()


def _wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError("intake did not become healthy")


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
    ) -> None:
        """Accepted submissions/s and p50/p99 latency of intake alone on the embedded stack
        (or DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS when set)."""
        from hirestream.cli.stack import (
            Infrastructure,
            Ports,
            ServiceProcesses,
            StackConfig,
            prepare,
        )

        workdir = Path(tempfile.mkdtemp(prefix="hirestream-intake-bench-"))
        infra = Infrastructure(workdir)
        database_url, bootstrap = infra.start(f"bench_{uuid.uuid4().hex[:8]}")
        processes: ServiceProcesses | None = None
        try:
            asyncio.run(prepare(database_url, bootstrap))
            asyncio.run(_add_posting(database_url))
            config = StackConfig(database_url, bootstrap, workdir, Ports.free())
            processes = ServiceProcesses(config)
            processes.start("intake")
            _wait_healthy(config.intake_url)
            size = cv_kb * 1024
            if channel in ("http", "both"):
                result = asyncio.run(
                    bench_http(config.intake_url, config.api_key, count, seconds, concurrency, size)
                )
                typer.echo(result.line())
            if channel in ("smtp", "both"):
                smtp_result = bench_smtp(
                    config.ports.intake_smtp, config.mail_domain, count, seconds, concurrency, size
                )
                typer.echo(smtp_result.line())
            processes.check_alive()
        finally:
            if processes is not None:
                processes.stop_all()
            infra.stop()
