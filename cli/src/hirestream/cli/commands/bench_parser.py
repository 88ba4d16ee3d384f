"""``hirestream bench parser-scaling``: the parser stage alone, draining a backlog with one
parser process and then with two, so "a second parser instance raises throughput when CPU
allows" can be seen even where the whole pipeline on two shared cores is bound elsewhere.

Per run, on a fresh database and topic prefix: N distinct CVs (the load generator's PDF and DOCX
mix) are stored in the blob store, K parser processes are started (one consumer group,
``application.received`` with 6 partitions as in deploy/topics.txt) and warmed up until every
one of them holds partitions, then N ``application.received`` events are published at once and
the time is taken until the parsers' outbox has every ``profile.parsed`` acknowledged by the
broker. Reported: CVs/s, the parsers' CPU per CV (from /proc, their extraction workers
included), PostgreSQL's and the broker's, and how busy the machine was (everyone's processes,
and the part that was not ours). 1 and 2 parsers alternate, ``--rounds`` times.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from hirestream.cli.commands.bench import (
    MEDIA_TYPES,
    DistinctCv,
    OutputOption,
    VariantOption,
    baseline_sources,
    bench,
    bench_cvs,
    cpu_by_role,
    emit_results,
    machine_busy_seconds,
    parse_variant,
)
from hirestream.cli.stack import Infrastructure, Ports, ServiceProcesses, StackConfig, prepare
from hirestream.kit.devstack import scratch_dir

RECEIVED_PARTITIONS = 6  # deploy/topics.txt


async def _backlog(database_url: str, cvs: list[Path], count: int, tag: str) -> list[bytes]:
    """Store ``count`` distinct CVs and return the application.received bodies that name them."""
    import asyncpg

    from hirestream.contracts import ApplicationReceivedV1, BlobRef, Channel
    from hirestream.kit.blobstore import Blob, blob_ref, put_blobs

    distinct = [(DistinctCv(p), MEDIA_TYPES[p.suffix]) for p in cvs]
    blobs, bodies = [], []
    posting_id = uuid.uuid4()
    for i in range(count):
        cv, media_type = distinct[i % len(distinct)]
        data = cv.content(f"{tag} {i}")
        ref = blob_ref(data, media_type)
        blobs.append(Blob(ref, data))
        event = ApplicationReceivedV1(
            application_id=uuid.uuid4(),
            posting_id=posting_id,
            posting_slug="bench",
            channel=next(iter(Channel)),
            cv=BlobRef(sha256=ref.sha256, media_type=media_type, size=ref.size),
        )
        bodies.append(event.model_dump_json().encode())
    conn = await asyncpg.connect(database_url)
    try:
        for start in range(0, len(blobs), 100):
            await put_blobs(conn, blobs[start : start + 100])
    finally:
        await conn.close()
    return bodies


async def _publish(bootstrap: str, topic: str, bodies: list[bytes]) -> None:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        for body in bodies:
            key = json.loads(body)["application_id"].encode()
            await producer.send(topic, body, key=key)
        await producer.flush()
    finally:
        await producer.stop()


async def _published(database_url: str, topic: str) -> tuple[int, float | None]:
    """profile.parsed rows the parsers' relay got acknowledged, and the last one's time."""
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(
            "SELECT count(*) AS n, extract(epoch FROM max(sent_at)) AS last"
            " FROM parser.outbox WHERE topic = $1 AND sent_at IS NOT NULL",
            topic,
        )
    finally:
        await conn.close()
    assert row is not None
    return row["n"], float(row["last"]) if row["last"] is not None else None


def _holds_partitions(port: int, topic: str) -> bool:
    try:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
    except httpx.HTTPError:
        return False
    return any(
        line.startswith("hirestream_consumer_lag") and f'topic="{topic}"' in line
        for line in text.splitlines()
    )


def _wait(
    predicate: Any, processes: ServiceProcesses, timeout: float, what: str, step: float = 0.1
) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        processes.check_alive()
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(step)


def run_parsers(
    infra: Infrastructure,
    bootstrap: str,
    workdir: Path,
    cvs: list[Path],
    *,
    parsers: int,
    applications: int,
    warmup: int = 12,
    label: str = "working tree",
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    from hirestream.contracts import ApplicationReceivedV1, ProfileParsedV1, topic_name
    from hirestream.kit.devstack import ensure_topics

    assert infra.postgres is not None
    tag = uuid.uuid4().hex[:8]
    database_url = infra.postgres.create_database(f"bench_{tag}")
    prefix = f"p{tag}."
    received = topic_name(ApplicationReceivedV1.topic, prefix)
    parsed = topic_name(ProfileParsedV1.topic, prefix)
    asyncio.run(ensure_topics(bootstrap, [received], partitions=RECEIVED_PARTITIONS))
    asyncio.run(prepare(database_url, bootstrap, prefix))
    warm = asyncio.run(_backlog(database_url, cvs, warmup, f"warm {tag}"))
    backlog = asyncio.run(_backlog(database_url, cvs, applications, tag))
    config = StackConfig(
        database_url,
        bootstrap,
        workdir / tag,
        Ports.free(),
        topic_prefix=prefix,
        extra_env={"HIRESTREAM_LOG_LEVEL": "WARNING", **(env or {})},
    )
    processes = ServiceProcesses(config)
    ports = [config.ports.parser_http] + [Ports.free().parser_http for _ in range(parsers - 1)]
    try:
        processes.start("parser")
        for extra in range(1, parsers):
            processes.start(
                "parser", instance=f"-{extra}", env={"PARSER_HTTP_PORT": str(ports[extra])}
            )
        # Warm-up: imports, the extraction workers, the consumer group settled with every
        # parser holding partitions (their lag gauge names only the partitions they hold).
        asyncio.run(_publish(bootstrap, received, warm))
        _wait(
            lambda: asyncio.run(_published(database_url, parsed))[0] >= warmup,
            processes,
            240,
            "warm-up CVs not parsed",
            0.5,
        )
        _wait(
            lambda: all(_holds_partitions(p, received) for p in ports),
            processes,
            120,
            "not every parser holds partitions",
            0.5,
        )
        roots = {name: (proc.pid, True) for name, proc in processes.procs.items()}
        if infra.tansu is not None and infra.tansu._proc is not None:
            roots["broker (Tansu)"] = (infra.tansu._proc.pid, True)
        pid_file = infra.postgres.data_dir / "postmaster.pid"
        roots["PostgreSQL"] = (int(pid_file.read_text().split()[0]), True)

        cpu_before, busy_before = cpu_by_role(roots), machine_busy_seconds()
        started = time.time()
        asyncio.run(_publish(bootstrap, received, backlog))
        total = warmup + applications
        _wait(
            lambda: asyncio.run(_published(database_url, parsed))[0] >= total,
            processes,
            900,
            "backlog not drained",
            0.2,
        )
        _, last = asyncio.run(_published(database_url, parsed))
        cpu_after, busy_after = cpu_by_role(roots), machine_busy_seconds()
        assert last is not None
        elapsed = last - started
        ours = {r: cpu_after[r] - cpu_before.get(r, 0.0) for r in roots}
        parser_cpu = sum(v for r, v in ours.items() if r.startswith("parser"))
        machine = busy_after - busy_before
        return {
            "configuration": label,
            "parsers": parsers,
            "date": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "applications": applications,
            "seconds": round(elapsed, 2),
            "cvs_per_s": round(applications / elapsed, 2),
            "parser_cpu_ms_per_cv": round(1000 * parser_cpu / applications, 1),
            "cpu_ms_per_cv": {r: round(1000 * v / applications, 1) for r, v in ours.items()},
            # Cores the parsers kept busy, the whole machine, and everyone else.
            "parser_cores": round(parser_cpu / elapsed, 2),
            "machine_busy_cores": round(machine / elapsed, 2),
            "others_busy_cores": round(max(machine - sum(ours.values()), 0.0) / elapsed, 2),
        }
    finally:
        processes.stop_all()


def summarize_scaling(results: list[dict[str, Any]], labels: list[str]) -> dict[str, Any]:
    """Medians per configuration and parser count; 2 over 1 parsers, and each configuration
    over the first (the baseline when there is one) at the same parser count."""
    summary: dict[str, Any] = {}
    keys = ("cvs_per_s", "parser_cpu_ms_per_cv", "parser_cores", "machine_busy_cores",
            "others_busy_cores")  # fmt: skip
    for label in labels:
        for parsers in (1, 2):
            runs = [r for r in results if r["configuration"] == label and r["parsers"] == parsers]
            if runs:
                summary[f"{label}, {parsers} parser(s)"] = {
                    key: round(statistics.median(r[key] for r in runs), 2) for key in keys
                }
        one, two = summary.get(f"{label}, 1 parser(s)"), summary.get(f"{label}, 2 parser(s)")
        if one and two:
            summary[f"{label}: throughput ratio, 2 / 1 parsers"] = round(
                two["cvs_per_s"] / one["cvs_per_s"], 3
            )
    for label in labels[1:]:
        for parsers in (1, 2):
            this = summary.get(f"{label}, {parsers} parser(s)")
            base = summary.get(f"{labels[0]}, {parsers} parser(s)")
            if this and base:
                for key in ("cvs_per_s", "parser_cpu_ms_per_cv"):
                    summary[f"{key} ratio, {label} / {labels[0]}, {parsers} parser(s)"] = round(
                        this[key] / base[key], 3
                    )
    return summary


@bench.command("parser-scaling")
def parser_scaling_command(
    applications: Annotated[int, typer.Option(help="CVs in the backlog")] = 200,
    rounds: Annotated[int, typer.Option(help="runs of 1 and of 2 parsers, alternating")] = 2,
    baseline: Annotated[
        str | None, typer.Option(help="also run the parser at this git revision, alternately")
    ] = None,
    variant: VariantOption = None,
    output: OutputOption = None,
) -> None:
    """The parser stage alone: a backlog drained by 1 and by 2 parser processes."""
    with scratch_dir("hirestream-bench-parser-") as workdir:
        infra = Infrastructure(workdir)
        results: list[dict[str, Any]] = []
        try:
            _, bootstrap = infra.start()
            if infra.postgres is None:
                raise typer.BadParameter("the benchmark needs the embedded PostgreSQL")
            cvs = [cv.cv_path for cv in bench_cvs(workdir)]
            configurations: list[tuple[str, dict[str, str]]] = [("working tree", {})]
            if baseline is not None:
                baseline_env = baseline_sources(baseline, workdir)
                configurations.insert(0, (f"baseline {baseline}", baseline_env))
            configurations += [parse_variant(v) for v in variant or []]
            for _ in range(rounds):
                for parsers in (1, 2):
                    for label, env in configurations:
                        result = run_parsers(
                            infra,
                            bootstrap,
                            workdir,
                            cvs,
                            parsers=parsers,
                            applications=applications,
                            label=label,
                            env=env,
                        )
                        typer.echo(json.dumps(result), err=True)
                        results.append(result)
        finally:
            infra.stop()
    summary = summarize_scaling(results, [label for label, _ in configurations])
    emit_results(summary, results, output)
