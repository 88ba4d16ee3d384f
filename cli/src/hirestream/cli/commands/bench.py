"""``hirestream bench pipeline``: N applications with realistic PDF and DOCX CVs through the whole
running pipeline on the embedded stack, against the in-process parse+score rate of the same CVs.

Reported per configuration: pipeline throughput (applications/s, received → notified), end-to-end
latency p50/p95/p99 at half the measured maximum rate, the pipeline's share of the in-process
rate (measured just before, on the very CV files the load generator sends), and the CPU seconds
each process spent per application during the maximum-rate phase — the load generator's own
included, since it shares the machine with what it measures.

``--compare-unbatched`` runs the services twice in the same invocation, once consuming and
relaying one message at a time (``HIRESTREAM_CONSUMER_BATCH_MAX=1``,
``HIRESTREAM_RELAY_BATCH_SIZE=1``) and once with the default batches, each on a fresh database
and topic prefix, ``--rounds`` times alternately; the summary gives the medians and the ratio.
``--baseline REF`` does the same with the services (libs and services) at git revision REF.
``--variant "LABEL:KEY=VALUE,..."`` (repeatable) adds a configuration of the working tree with
those environment settings (e.g. ``"1 worker:PARSER_EXTRACT_WORKERS=1"``), run alternately too.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import os
import re
import statistics
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from hirestream.cli.demo_data import DemoApplication, generate_demo_applications
from hirestream.cli.sink import SmtpSink
from hirestream.cli.stack import Infrastructure, Ports, ServiceProcesses, StackConfig, prepare
from hirestream.kit.devstack import scratch_dir

bench = typer.Typer(help="Benchmarks that run the real stack.")
console = Console(width=140)
EXAMPLES = Path(__file__).resolve().parents[5] / "examples" / "postings"
_APPLICATION_ID = re.compile(rb"/v1/applications/([0-9a-f-]{36})")
# Quoted-printable soft line breaks, which may cut the link; an id's characters are never
# encoded otherwise.
_SOFT_BREAK = re.compile(rb"=\r?\n")
UNBATCHED = {"HIRESTREAM_CONSUMER_BATCH_MAX": "1", "HIRESTREAM_RELAY_BATCH_SIZE": "1"}
REPO = Path(__file__).resolve().parents[5]
# What the services run on: a baseline revision's copy of these goes first on their PYTHONPATH.
SERVICE_SOURCES = (
    "libs/contracts/src",
    "libs/kit/src",
    "libs/skills/src",
    "services/intake/src",
    "services/parser/src",
    "services/scorer/src",
    "services/notifier/src",
)


def baseline_sources(ref: str, into: Path) -> dict[str, str]:
    """The environment that makes the services run the code of git ``ref`` (libs and services,
    from ``git archive``), ahead of the installed working tree; the bench process itself (load
    generator, in-process rate) stays on the working tree."""
    target = into / f"src-{ref.replace('/', '_')}"
    target.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", ref, "libs", "services"],
        check=True,
        capture_output=True,
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return {"PYTHONPATH": os.pathsep.join(str(target / s) for s in SERVICE_SOURCES)}


def parse_variant(text: str) -> tuple[str, dict[str, str]]:
    """``"LABEL:KEY=VALUE,KEY=VALUE"`` → (label, environment)."""
    label, sep, settings = text.partition(":")
    if not sep or not label.strip() or "," in label:
        raise typer.BadParameter(f"expected LABEL:KEY=VALUE[,KEY=VALUE...], got {text!r}")
    env = {}
    for pair in filter(None, (s.strip() for s in settings.split(","))):
        key, eq, value = pair.partition("=")
        if not eq or not key:
            raise typer.BadParameter(f"expected KEY=VALUE, got {pair!r}")
        env[key.strip()] = value.strip()
    return label.strip(), env


def bench_cvs(workdir: Path) -> list[DemoApplication]:
    """The demo CVs, PDF and DOCX alike: what the load generator sends and what the in-process
    rate is taken on (the same files, in the same proportion)."""
    return [
        cv
        for cv in generate_demo_applications(workdir / "cvs")
        if cv.cv_path.suffix in DISTINCT_SUFFIXES
    ]


def in_process_rate(cvs: list[DemoApplication], seconds: float = 10.0) -> tuple[float, float]:
    """CVs per second through the parser's extraction and profile code and the scorer, in this
    process, on these CVs (each posting's requirements read once, as the scorer keeps them);
    and the CPU milliseconds per CV, which other users of the machine disturb far less."""
    from hirestream.cli.offline import facts_from_profile, parse_file
    from hirestream.scorer.domain.posting import read_posting
    from hirestream.scorer.domain.requirements import extract_requirements
    from hirestream.scorer.domain.scoring import score_candidate
    from hirestream.skills import load_taxonomy

    taxonomy = load_taxonomy()
    requirements = {}
    for path in EXAMPLES.glob("*.md"):
        document = read_posting(path.read_text("utf-8"), fallback_slug=path.stem)
        requirements[path.stem] = extract_requirements(document, taxonomy)
    done, started, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        for cv in cvs:
            _, profile = parse_file(cv.cv_path, taxonomy)
            score_candidate(requirements[cv.posting_slug], facts_from_profile(profile), taxonomy)
            done += 1
    return done / (time.perf_counter() - started), 1000 * (time.process_time() - cpu) / done


# Options both bench commands take.
VariantOption = Annotated[
    list[str] | None,
    typer.Option(help='also run "LABEL:KEY=VALUE,..." (working tree, those settings)'),
]
OutputOption = Annotated[Path | None, typer.Option(help="append the JSON results to this file")]


def emit_results(summary: dict[str, Any], runs: list[dict[str, Any]], output: Path | None) -> None:
    """A bench's one JSON line on stdout, also appended to ``output`` when given."""
    line = json.dumps({"summary": summary, "runs": runs})
    typer.echo(line)
    if output is not None:
        with output.open("a") as handle:
            handle.write(line + "\n")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# ------------------------------------------------------------------------------ CPU accounting

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds used) of a live process, from /proc (Linux)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS


def _processes() -> dict[int, tuple[int, float]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            found[int(entry.name)] = stat
    return found


def cpu_by_role(roots: dict[str, tuple[int, bool]]) -> dict[str, float]:
    """CPU seconds per role: a root pid, with all its descendants or alone. Exited processes
    no longer count (the services' workers and connections live for the whole run)."""
    procs = _processes()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    totals = {}
    for role, (root, tree) in roots.items():
        pids, todo = set(), [root]
        while todo:
            pid = todo.pop()
            if pid in procs and pid not in pids:
                pids.add(pid)
                if tree:
                    todo += children.get(pid, [])
        totals[role] = sum(procs[p][1] for p in pids)
    return totals


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (every core, everyone's processes)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / _TICKS


# ------------------------------------------------------------------------------------ the load


# Each submission must carry distinct bytes: intake links an identical CV sent twice to the
# existing application, and a load test needs N applications. A PDF takes a comment after %%EOF;
# a DOCX (a zip archive) takes an archive comment, which zip readers skip by design.
COMMENT_BYTES = 60


def _pdf_distinct(data: bytes) -> tuple[bytes, Callable[[bytes], bytes]]:
    return data, lambda tag: b"\n%" + tag.ljust(COMMENT_BYTES - 2) + b"\n"


def _zip_distinct(data: bytes) -> tuple[bytes, Callable[[bytes], bytes]]:
    """The archive with its end-of-central-directory record declaring a comment of
    COMMENT_BYTES (which each submission then appends)."""
    end = data.rfind(b"PK\x05\x06")
    if end < 0 or len(data) - end != 22:  # no EOCD, or one with a comment already
        raise ValueError("not a zip archive without a comment")
    head = data[: end + 20] + COMMENT_BYTES.to_bytes(2, "little")
    return head, lambda tag: tag.ljust(COMMENT_BYTES)[:COMMENT_BYTES]


DISTINCT_SUFFIXES = {".pdf": _pdf_distinct, ".docx": _zip_distinct}


MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class DistinctCv:
    """One CV file made distinct per submission by a few bytes at its end. ``base64``: the
    file's base64 is computed once for a prefix whose length is a multiple of 3, so a
    submission's tail (the prefix's remainder and its own tag) is encoded alone and appended."""

    def __init__(self, path: Path) -> None:
        self._head, self._tag = DISTINCT_SUFFIXES[path.suffix](path.read_bytes())
        cut = len(self._head) - len(self._head) % 3
        self._prefix = base64.b64encode(self._head[:cut]).decode()
        self._rest = self._head[cut:]

    def base64(self, tag: str) -> str:
        return self._prefix + base64.b64encode(self._rest + self._tag(tag.encode())).decode()

    def content(self, tag: str) -> bytes:
        return self._head + self._tag(tag.encode())


def multipart_form(
    fields: dict[str, str], filename: str, media_type: str, data: bytes
) -> tuple[bytes, str]:
    """The apply form's and the API's upload: text fields and the CV as ``cv``; (body, content
    type)."""
    boundary = uuid.uuid4().hex
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ) + (
        f'--{boundary}\r\nContent-Disposition: form-data; name="cv"; filename="{filename}"'
        f"\r\nContent-Type: {media_type}\r\n\r\n"
    )
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class Submitter:
    """Applications as multipart uploads to ``POST /v1/applications``, over one keep-alive
    connection per thread with the standard library's client: httpx, with the CV as base64 in
    JSON, cost this process ~10 ms of CPU per application on the cores the pipeline runs on."""

    def __init__(self, config: StackConfig, cvs: list[DemoApplication]) -> None:
        self._config = config
        self._payloads = [
            (
                cv.posting_slug,
                cv.cv_path.name,
                MEDIA_TYPES[cv.cv_path.suffix],
                DistinctCv(cv.cv_path),
            )
            for cv in cvs
            if cv.cv_path.suffix in DISTINCT_SUFFIXES
        ]
        self.submitted: dict[str, float] = {}
        self._lock = threading.Lock()
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        if not hasattr(self._local, "connection"):
            host, port = self._config.intake_url.removeprefix("http://").rsplit(":", 1)
            self._local.connection = http.client.HTTPConnection(host, int(port), timeout=60)
        connection: http.client.HTTPConnection = self._local.connection
        return connection

    def submit(self, index: int) -> None:
        slug, filename, media_type, cv = self._payloads[index % len(self._payloads)]
        fields = {
            "posting": slug,
            "name": f"Candidate {index}",
            "email": f"candidate-{index}-{uuid.uuid4().hex[:6]}@example.com",
        }
        body, content_type = multipart_form(
            fields, filename, media_type, cv.content(f"{index} {uuid.uuid4()}")
        )
        headers = {
            "X-API-Key": self._config.api_key,
            "Idempotency-Key": uuid.uuid4().hex,
            "Content-Type": content_type,
        }
        connection = self._connection()
        sent_at = time.time()
        try:
            connection.request("POST", "/v1/applications", body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException):
            connection.close()  # reopened by the next request
            raise
        if response.status != 201:
            raise RuntimeError(f"intake answered {response.status}: {answer[:200]!r}")
        with self._lock:
            self.submitted[json.loads(answer)["application_id"]] = sent_at


class Notifications:
    """When each application's first hiring-team email reached the sink; reads each captured
    mail once (re-scanning them all every 0.2 s cost the load generator CPU of its own)."""

    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink
        self._scanned = 0
        self.seen: dict[str, float] = {}

    def update(self) -> dict[str, float]:
        mails = self._sink.messages[self._scanned :]
        self._scanned += len(mails)
        for mail in mails:
            match = _APPLICATION_ID.search(_SOFT_BREAK.sub(b"", mail.raw))
            if match and match.group(1).decode() not in self.seen:
                self.seen[match.group(1).decode()] = mail.received_at
        return self.seen


def notified_at(sink: SmtpSink) -> dict[str, float]:
    """When each application's first hiring-team email reached ``sink`` (reads them all)."""
    return Notifications(sink).update()


def wait_all(
    notified: Notifications, ids: set[str], processes: ServiceProcesses, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while not ids <= notified.update().keys():
        processes.check_alive()
        if time.monotonic() > deadline:
            missing = len(ids - notified.seen.keys())
            raise TimeoutError(f"{missing} applications not notified after {timeout}s")
        time.sleep(0.2)


def load_postings(config: StackConfig) -> None:
    from hirestream.scorer.domain.posting import read_posting

    api = httpx.Client(base_url=config.scorer_url, timeout=30)
    slugs = []
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


def run_configuration(
    infra: Infrastructure,
    bootstrap: str,
    workdir: Path,
    cvs: list[DemoApplication],
    *,
    label: str,
    env: dict[str, str],
    applications: int,
    parsers: int,
) -> dict[str, Any]:
    """One configuration of the services on a fresh database and topic prefix."""
    assert infra.postgres is not None
    tag = uuid.uuid4().hex[:8]
    database_url = infra.postgres.create_database(f"bench_{tag}")
    prefix = f"b{tag}."
    asyncio.run(prepare(database_url, bootstrap, prefix))
    ports = Ports.free()
    sink = SmtpSink(ports.notifier_smtp)
    sink.start()
    config = StackConfig(
        database_url,
        bootstrap,
        workdir / tag,
        ports,
        topic_prefix=prefix,
        extra_env={
            "HIRESTREAM_LOG_LEVEL": "WARNING",
            **env,
        },
    )
    processes = ServiceProcesses(config)
    try:
        processes.start_all()
        for extra in range(1, parsers):
            processes.start("parser", instance=f"-{extra}", env={"PARSER_HTTP_PORT": "0"})
        processes.wait_healthy(180)
        load_postings(config)
        notified = Notifications(sink)

        # Warm-up: consumer groups settle, caches fill.
        warm = Submitter(config, cvs)
        for i in range(10):
            warm.submit(i)
        wait_all(notified, set(warm.submitted), processes, 180)

        roots = {name: (proc.pid, True) for name, proc in processes.procs.items()}
        roots["load generator + SMTP sink (bench process)"] = (os.getpid(), False)
        if infra.tansu is not None and infra.tansu._proc is not None:
            roots["broker (Tansu)"] = (infra.tansu._proc.pid, True)
        pid_file = infra.postgres.data_dir / "postmaster.pid"
        roots["PostgreSQL"] = (int(pid_file.read_text().split()[0]), True)

        # The in-process rate on the same CVs, now, while the services sit idle; what the idle
        # stack costs meanwhile (polling loops, gauges, heartbeats) is measured alongside.
        idle_before, idle_started = cpu_by_role(roots), time.monotonic()
        baseline, in_process_cpu_ms = in_process_rate(cvs)
        idle_after, idle_seconds = cpu_by_role(roots), time.monotonic() - idle_started
        idle_by_role = {
            r: (idle_after[r] - idle_before[r]) / idle_seconds
            for r in roots
            if not r.startswith("load generator")
        }
        idle_cores = sum(idle_by_role.values())

        # Each parser's main process alone (its tree minus this is its extraction workers): the
        # main process runs the analysis and all I/O, one CV at a time.
        parser_mains = {
            name: (proc.pid, False)
            for name, proc in processes.procs.items()
            if name.startswith("parser")
        }

        # Phase 1, maximum rate: submit everything at once (8 clients), time until all notified.
        mains_before = cpu_by_role(parser_mains)
        cpu_before, busy_before = cpu_by_role(roots), machine_busy_seconds()
        flood = Submitter(config, cvs)
        started = time.time()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(flood.submit, range(applications)))
        wait_all(notified, set(flood.submitted), processes, 900)
        seen = notified.update()
        finished = max(seen[i] for i in flood.submitted)
        cpu_after, busy_after = cpu_by_role(roots), machine_busy_seconds()
        mains_after = cpu_by_role(parser_mains)
        elapsed = finished - started
        throughput = applications / elapsed
        ours = {role: cpu_after[role] - cpu_before.get(role, 0.0) for role in roots}
        parser_main_seconds = {n: mains_after[n] - mains_before[n] for n in parser_mains}
        machine = busy_after - busy_before
        bench_role = "load generator + SMTP sink (bench process)"
        pipeline_cpu_ms = 1000 * sum(v for r, v in ours.items() if r != bench_role) / applications
        cores = os.cpu_count() or 1

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
        wait_all(notified, set(paced.submitted), processes, 900)
        seen = notified.update()
        latencies = [seen[i] - t for i, t in paced.submitted.items()]
        return {
            "configuration": label,
            "date": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "applications": applications,
            "parser_instances": parsers,
            "in_process_cvs_per_s": round(baseline, 2),
            "in_process_cpu_ms_per_cv": round(in_process_cpu_ms, 1),
            "pipeline_applications_per_s": round(throughput, 2),
            "pipeline_share_of_in_process": round(throughput / baseline, 3),
            "half_rate_per_s": round(rate, 2),
            "half_rate_samples": len(latencies),
            "latency_p50_s": round(statistics.median(latencies), 3),
            "latency_p95_s": round(percentile(latencies, 0.95), 3),
            "latency_p99_s": round(percentile(latencies, 0.99), 3),
            # CPU milliseconds per application in phase 1, per process tree.
            "cpu_ms_per_application": {
                role: round(1000 * seconds / applications, 1) for role, seconds in ours.items()
            },
            # Of each parser's figure above: its main process, and its extraction workers.
            "parser_split_ms_per_application": {
                name: {
                    "main process": round(1000 * main / applications, 1),
                    "extraction workers": round(1000 * (ours[name] - main) / applications, 1),
                }
                for name, main in parser_main_seconds.items()
            },
            # Services + PostgreSQL + broker, without the bench process.
            "pipeline_cpu_ms_per_application": round(pipeline_cpu_ms, 1),
            # What the share would be with the machine to ourselves and CPU the only limit:
            # the pipeline on every core against the in-process loop on one.
            "cpu_bound_share_estimate": round(cores * in_process_cpu_ms / pipeline_cpu_ms, 3),
            # The services' CPU while idle (in cores), and the CPU per application above it.
            "idle_stack_cores": round(idle_cores, 3),
            "idle_cores_by_role": {r: round(v, 3) for r, v in idle_by_role.items()},
            "pipeline_cpu_ms_per_application_above_idle": round(
                pipeline_cpu_ms - 1000 * idle_cores * elapsed / applications, 1
            ),
            # The whole machine's busy cores in phase 1, and those not ours (other users).
            "machine_busy_cores": round(machine / elapsed, 2),
            "others_busy_cores": round(max(machine - sum(ours.values()), 0.0) / elapsed, 2),
        }
    finally:
        processes.stop_all()
        sink.stop()


def run_pipeline_bench(
    applications: int,
    parsers: list[int],
    workdir: Path,
    *,
    compare_unbatched: bool = False,
    baseline: str | None = None,
    rounds: int = 1,
    variants: list[tuple[str, dict[str, str]]] | None = None,
) -> list[dict[str, Any]]:
    infra = Infrastructure(workdir)
    try:
        _, bootstrap = infra.start()
        if infra.postgres is None:
            raise typer.BadParameter(
                "the benchmark needs the embedded PostgreSQL (unset DATABASE_URL)"
            )
        cvs = bench_cvs(workdir)
        configurations: list[tuple[str, dict[str, str]]] = [("batched", {})]
        configurations += variants or []
        if compare_unbatched:
            configurations = [("one-at-a-time", UNBATCHED), *configurations]
        if baseline is not None:
            configurations = [
                (f"baseline {baseline}", baseline_sources(baseline, workdir)),
                *configurations,
            ]
        results = []
        for _ in range(rounds):
            for count in parsers:
                for label, env in configurations:
                    result = run_configuration(
                        infra,
                        bootstrap,
                        workdir,
                        cvs,
                        label=label if len(parsers) == 1 else f"{label}, {count} parser(s)",
                        env=env,
                        applications=applications,
                        parsers=count,
                    )
                    typer.echo(json.dumps(result), err=True)
                    results.append(result)
        return results
    finally:
        infra.stop()


def summarize(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians per configuration; batched over one-at-a-time and over the baseline revision
    when they ran."""
    summary: dict[str, Any] = {}
    for label in dict.fromkeys(r["configuration"] for r in results):
        runs = [r for r in results if r["configuration"] == label]
        summary[label] = {
            key: round(statistics.median(r[key] for r in runs), 3)
            for key in (
                "in_process_cvs_per_s",
                "pipeline_applications_per_s",
                "pipeline_share_of_in_process",
                "in_process_cpu_ms_per_cv",
                "pipeline_cpu_ms_per_application",
                "cpu_bound_share_estimate",
                "idle_stack_cores",
                "pipeline_cpu_ms_per_application_above_idle",
                "latency_p50_s",
                "latency_p95_s",
                "latency_p99_s",
                "others_busy_cores",
            )
        }
        summary[label]["cpu_ms_per_application"] = {
            role: round(statistics.median(r["cpu_ms_per_application"][role] for r in runs), 1)
            for role in runs[0]["cpu_ms_per_application"]
        }
        summary[label]["runs"] = len(runs)
    for label in list(summary):
        if label.startswith(("baseline ", "one-at-a-time")):
            continue  # the working tree's configurations (batched, variants) against these
        others = [label.replace("batched", "one-at-a-time", 1)] + [
            other
            for other in summary
            if other.startswith("baseline ")
            and other.partition(",")[2] == label.partition(",")[2]  # same parser count
        ]
        for base in (b for b in others if b in summary):
            for key in (
                "pipeline_applications_per_s",
                "pipeline_cpu_ms_per_application",
                "pipeline_cpu_ms_per_application_above_idle",
            ):
                summary[f"{key} ratio, {label} / {base}"] = round(
                    summary[label][key] / summary[base][key], 3
                )
    return summary


@bench.command("pipeline")
def pipeline_command(
    applications: Annotated[int, typer.Option(help="applications in the maximum-rate phase")] = 300,
    parsers: Annotated[
        list[int] | None,
        typer.Option(help="parser instances (same consumer group); repeat to compare"),
    ] = None,
    compare_unbatched: Annotated[
        bool, typer.Option(help="also run the services one message at a time, alternately")
    ] = False,
    baseline: Annotated[
        str | None,
        typer.Option(help="also run the services at this git revision, alternately"),
    ] = None,
    rounds: Annotated[int, typer.Option(help="runs of each configuration")] = 1,
    variant: VariantOption = None,
    output: OutputOption = None,
) -> None:
    """The whole pipeline on the embedded stack: throughput, latency, overhead, CPU per process."""
    with scratch_dir("hirestream-bench-") as workdir:
        results = run_pipeline_bench(
            applications,
            parsers or [1],
            workdir,
            compare_unbatched=compare_unbatched,
            baseline=baseline,
            rounds=rounds,
            variants=[parse_variant(v) for v in variant or []],
        )
    emit_results(summarize(results), results, output)


def register(app: typer.Typer) -> None:
    from hirestream.cli.commands import bench_parser  # noqa: F401  (its command joins ``bench``)

    app.add_typer(bench, name="bench")
