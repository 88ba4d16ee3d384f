"""``hirestream bench pipeline``: N applications with realistic PDF/DOCX CVs through the whole
running pipeline on the embedded stack, against the in-process parse+score rate of the same CVs.

Reported: pipeline throughput (applications/s, received → notified), end-to-end latency
p50/p95/p99 at half the measured maximum rate, and the pipeline's share of the in-process rate.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from hirestream.cli.demo_data import DemoApplication, generate_demo_applications
from hirestream.cli.sink import SmtpSink
from hirestream.cli.stack import Infrastructure, Ports, ServiceProcesses, StackConfig, prepare

bench = typer.Typer(help="Benchmarks that run the real stack.")
console = Console(width=140)
EXAMPLES = Path(__file__).resolve().parents[5] / "examples" / "postings"
_APPLICATION_ID = re.compile(r"/v1/applications/([0-9a-f-]{36})")


def in_process_rate(cvs: list[DemoApplication], seconds: float = 10.0) -> float:
    """CVs per second through extraction, profile building and scoring in one process."""
    from hirestream.cli.offline import score_files

    postings = {p.stem: p for p in EXAMPLES.glob("*.md")}
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for cv in cvs:
            score_files(postings[cv.posting_slug], [cv.cv_path])
            done += 1
    return done / (time.perf_counter() - started)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Submitter:
    def __init__(self, config: StackConfig, cvs: list[DemoApplication]) -> None:
        self._config = config
        # PDFs only, so each submission can carry distinct bytes (a comment after %%EOF): intake
        # links the same CV sent twice to one application, and a load test needs N of them.
        self._payloads = [
            (cv.posting_slug, cv.cv_path.name, cv.cv_path.read_bytes())
            for cv in cvs
            if cv.cv_path.suffix == ".pdf"
        ]
        self.submitted: dict[str, float] = {}
        self._lock = threading.Lock()
        self._local = threading.local()

    def _client(self) -> httpx.Client:
        if not hasattr(self._local, "client"):
            self._local.client = httpx.Client(base_url=self._config.intake_url, timeout=60)
        client: httpx.Client = self._local.client
        return client

    def submit(self, index: int) -> None:
        slug, filename, pdf = self._payloads[index % len(self._payloads)]
        content = base64.b64encode(
            pdf + f"\n%submission {index} {uuid.uuid4()}\n".encode()
        ).decode()
        body = {
            "posting": slug,
            "name": f"Candidate {index}",
            "email": f"candidate-{index}-{uuid.uuid4().hex[:6]}@example.com",
            "cv": {"filename": filename, "content_base64": content},
        }
        headers = {"X-API-Key": self._config.api_key, "Idempotency-Key": uuid.uuid4().hex}
        sent_at = time.time()
        response = self._client().post("/v1/applications", json=body, headers=headers)
        response.raise_for_status()
        with self._lock:
            self.submitted[response.json()["application_id"]] = sent_at


def notified_at(sink: SmtpSink) -> dict[str, float]:
    seen: dict[str, float] = {}
    for mail in sink.messages:
        match = _APPLICATION_ID.search(mail.body)
        if match and match.group(1) not in seen:
            seen[match.group(1)] = mail.received_at
    return seen


def wait_all(sink: SmtpSink, ids: set[str], processes: ServiceProcesses, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ids <= notified_at(sink).keys():
        processes.check_alive()
        if time.monotonic() > deadline:
            missing = len(ids - notified_at(sink).keys())
            raise TimeoutError(f"{missing} applications not notified after {timeout}s")
        time.sleep(0.2)


def run_pipeline_bench(applications: int, parsers: int, workdir: Path) -> dict[str, Any]:
    infra = Infrastructure(workdir)
    ports = Ports.free()
    sink = SmtpSink(ports.notifier_smtp)
    processes: ServiceProcesses | None = None
    try:
        database_url, bootstrap = infra.start()
        asyncio.run(prepare(database_url, bootstrap))
        sink.start()
        config = StackConfig(
            database_url,
            bootstrap,
            workdir,
            ports,
            extra_env={"HIRESTREAM_RELAY_POLL_SECONDS": "0.2", "HIRESTREAM_LOG_LEVEL": "WARNING"},
        )
        processes = ServiceProcesses(config)
        processes.start_all()
        for extra in range(1, parsers):
            processes.start("parser", instance=f"-{extra}", env={"PARSER_HTTP_PORT": "0"})
        processes.wait_healthy()
        api = httpx.Client(base_url=config.scorer_url, timeout=30)
        slugs = []
        from hirestream.scorer.domain.posting import read_posting

        for path in sorted(EXAMPLES.glob("*.md")):
            text = path.read_text("utf-8")
            slug = read_posting(text, path.stem).slug
            api.put(
                f"/v1/postings/{slug}",
                json={"slug": slug, "text": text},
                headers={"X-API-Key": config.api_key},
            ).raise_for_status()
            slugs.append(slug)
        intake = httpx.Client(base_url=config.intake_url, timeout=30)
        deadline = time.monotonic() + 60
        while not all(intake.get(f"/v1/postings/{s}").status_code == 200 for s in slugs):
            if time.monotonic() > deadline:
                raise TimeoutError("postings never reached intake")
            time.sleep(0.2)

        cvs = generate_demo_applications(workdir / "cvs")
        baseline = in_process_rate(cvs)

        # Warm-up: consumer groups settle, caches fill.
        warm = Submitter(config, cvs)
        for i in range(10):
            warm.submit(i)
        wait_all(sink, set(warm.submitted), processes, 120)

        # Phase 1, maximum rate: submit everything at once (8 clients), time until all notified.
        flood = Submitter(config, cvs)
        started = time.time()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(flood.submit, range(applications)))
        wait_all(sink, set(flood.submitted), processes, 600)
        seen = notified_at(sink)
        finished = max(seen[i] for i in flood.submitted)
        throughput = applications / (finished - started)

        # Phase 2, half that rate, open loop: end-to-end latency per application.
        rate = throughput / 2
        paced = Submitter(config, cvs)
        count = max(40, min(applications, int(rate * 30)))
        begin = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            for i in range(count):
                delay = begin + i / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(paced.submit, i)
        wait_all(sink, set(paced.submitted), processes, 600)
        seen = notified_at(sink)
        latencies = [seen[i] - t for i, t in paced.submitted.items()]
        return {
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "applications": applications,
            "parser_instances": parsers,
            "in_process_cvs_per_s": round(baseline, 2),
            "pipeline_applications_per_s": round(throughput, 2),
            "pipeline_share_of_in_process": round(throughput / baseline, 3),
            "half_rate_per_s": round(rate, 2),
            "half_rate_samples": len(latencies),
            "latency_p50_s": round(statistics.median(latencies), 3),
            "latency_p95_s": round(percentile(latencies, 0.95), 3),
            "latency_p99_s": round(percentile(latencies, 0.99), 3),
        }
    finally:
        if processes is not None:
            processes.stop_all()
        sink.stop()
        infra.stop()


@bench.command("pipeline")
def pipeline_command(
    applications: Annotated[int, typer.Option(help="applications in the maximum-rate phase")] = 300,
    parsers: Annotated[int, typer.Option(help="parser instances (same consumer group)")] = 1,
    output: Annotated[Path | None, typer.Option(help="append the JSON result to this file")] = None,
) -> None:
    """The whole pipeline on the embedded stack: throughput, latency, overhead."""
    workdir = Path(tempfile.mkdtemp(prefix="hirestream-bench-"))
    result = run_pipeline_bench(applications, parsers, workdir)
    line = json.dumps(result)
    typer.echo(line)
    if output is not None:
        with output.open("a") as handle:
            handle.write(line + "\n")


def register(app: typer.Typer) -> None:
    app.add_typer(bench, name="bench")
