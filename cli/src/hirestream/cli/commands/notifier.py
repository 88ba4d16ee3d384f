"""Notifier commands: deliveries (list, replay), a posting's notification rules, and the
delivery benchmark."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

NOTIFIER_URL_ENV = "HIRESTREAM_NOTIFIER_URL"
console = Console()


def _client() -> httpx.Client:
    return httpx.Client(
        base_url=os.environ.get(NOTIFIER_URL_ENV, "http://127.0.0.1:8004"),
        headers={"X-API-Key": os.environ.get("HIRESTREAM_API_KEY", "dev-api-key")},
        timeout=30,
    )


def _check(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        console.print(f"[red]{response.status_code}[/red] {response.text}")
        raise typer.Exit(1)
    return response.json()


def register(app: typer.Typer) -> None:
    deliveries = typer.Typer(help="Notification deliveries: inspect and replay dead letters.")
    notifier = typer.Typer(help="The notifier: rules per posting, benchmark.")
    app.add_typer(deliveries, name="deliveries")
    app.add_typer(notifier, name="notifier")

    @deliveries.command("list")
    def deliveries_list(
        status: Annotated[
            str | None, typer.Option(help="pending, delivered or dead_lettered")
        ] = None,
        application: Annotated[str | None, typer.Option(help="an application id")] = None,
        channel: Annotated[str | None, typer.Option()] = None,
        limit: int = 50,
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """Deliveries, newest first (dead letters carry their reason)."""
        params = {
            k: v
            for k, v in {
                "status": status,
                "application_id": application,
                "channel": channel,
                "limit": limit,
            }.items()
            if v is not None
        }
        with _client() as client:
            result = _check(client.get("/v1/deliveries", params=params))
        if as_json:
            typer.echo(json.dumps(result, indent=2))
            return
        table = Table("delivery", "application", "rule", "channel", "kind", "status", "tries")
        table.add_column("reason / error", overflow="fold")
        for item in result["items"]:
            table.add_row(
                item["delivery_id"][:8],
                item["application_id"][:8],
                item["rule"],
                item["channel"],
                item["kind"],
                item["status"],
                str(item["attempts"]),
                item.get("dead_reason") or item.get("last_error") or "",
            )
        console.print(table)

    @deliveries.command("replay")
    def deliveries_replay(
        ids: Annotated[list[str] | None, typer.Argument(help="delivery ids")] = None,
        all_dead: Annotated[
            bool, typer.Option("--all-dead", help="every dead-lettered delivery")
        ] = False,
    ) -> None:
        """Make dead-lettered deliveries due again, with a fresh retry budget."""
        with _client() as client:
            targets = list(ids or [])
            if all_dead:
                dead = _check(
                    client.get("/v1/deliveries", params={"status": "dead_lettered", "limit": 500})
                )
                targets += [item["delivery_id"] for item in dead["items"]]
            if not targets:
                console.print("nothing to replay")
                return
            for delivery_id in targets:
                replayed = _check(client.post(f"/v1/deliveries/{delivery_id}/replay"))
                console.print(f"{replayed['delivery_id']} {replayed['channel']} → pending")

    @notifier.command("rules")
    def notifier_rules(
        slug: str,
        set_from: Annotated[
            Path | None, typer.Option("--set", exists=True, help="a JSON file of rules")
        ] = None,
    ) -> None:
        """Show a posting's notification rules, or replace them from a JSON file."""
        with _client() as client:
            if set_from is not None:
                body = json.loads(set_from.read_text("utf-8"))
                result = _check(client.put(f"/v1/postings/{slug}/rules", json=body))
            else:
                result = _check(client.get(f"/v1/postings/{slug}/rules"))
        typer.echo(json.dumps(result, indent=2))

    @notifier.command("flush-digests")
    def notifier_flush_digests(
        posting: Annotated[str | None, typer.Option(help="only this posting's digests")] = None,
    ) -> None:
        """Send pending digests now rather than at their scheduled local time."""
        params = {"posting": posting} if posting else {}
        with _client() as client:
            result = _check(client.post("/v1/digests/flush", params=params))
        console.print(f"{result['due_now']} digest deliveries due now")

    @notifier.command("bench")
    def notifier_bench(
        applications: Annotated[int, typer.Option(help="scored applications per run")] = 200,
        slow_seconds: Annotated[float, typer.Option(help="the slow endpoint's delay")] = 2.0,
        repeat: Annotated[int, typer.Option(help="runs of each setup; medians are quoted")] = 3,
        rate: Annotated[
            float, typer.Option(help="applications/s in the latency runs (paced arrivals)")
        ] = 10.0,
        target_concurrency: int = 2,
        channel_concurrency: int = 8,
    ) -> None:
        """Deliveries per second and p95 scored→delivered, without and with a slow endpoint,
        side by side in one run (embedded PostgreSQL unless DATABASE_URL is set)."""
        runs = asyncio.run(
            _bench(
                applications, slow_seconds, target_concurrency, channel_concurrency, repeat, rate
            )
        )
        medians = {
            name: {
                key: statistics.median(r[key] for r in results)
                for key in ("rate", "p50_ms", "p95_ms")
            }
            for name, results in runs.items()
        }
        table = Table(
            "setup", "runs", "burst: deliveries/s", "paced: p50 ms", "p95 ms", "slow p95 ms"
        )
        for name, results in runs.items():
            slow_p95 = [r["slow_p95_ms"] for r in results if r["slow_p95_ms"]]
            table.add_row(
                name,
                str(len(results)),
                f"{medians[name]['rate']:.1f}",
                f"{medians[name]['p50_ms']:.0f}",
                f"{medians[name]['p95_ms']:.0f}",
                f"{statistics.median(slow_p95):.0f}" if slow_p95 else "-",
            )
        console.print(table)
        base, slow = medians["no slow endpoint"], medians["with slow endpoint"]
        console.print(
            "medians, with/without the slow endpoint: p95 ratio"
            f" {slow['p95_ms'] / base['p95_ms']:.2f},"
            f" throughput ratio {slow['rate'] / base['rate']:.2f}"
        )
        typer.echo(json.dumps({"runs": runs, "medians": medians}))


async def _bench(
    n: int,
    slow_seconds: float,
    target_concurrency: int,
    channel_concurrency: int,
    repeat: int,
    rate: float,
) -> dict[str, list[dict[str, Any]]]:
    from hirestream.kit.devstack import EmbeddedPostgres, create_database, free_port, scratch_dir

    embedded: EmbeddedPostgres | None = None
    base_url = os.environ.get("DATABASE_URL")
    with scratch_dir("hirestream-notifier-bench-") as workdir:
        if not base_url:
            embedded = EmbeddedPostgres(workdir / "pg", free_port())
            embedded.start()
        try:
            results: dict[str, list[dict[str, Any]]] = {
                "no slow endpoint": [],
                "with slow endpoint": [],
            }
            # Alternating runs, so drift on a shared machine hits both setups alike.
            setups = [("no slow endpoint", False), ("with slow endpoint", True)] * repeat

            async def fresh_database() -> str:
                if embedded is None:
                    return base_url or ""  # an external database: runs tell theirs apart by posting
                return await create_database(embedded.url, f"bench_{uuid.uuid4().hex[:8]}")

            for name, slow in setups:
                delay = slow_seconds if slow else 0.0
                # A burst gives the throughput; paced arrivals give the latency a team sees.
                burst = await _bench_run(
                    await fresh_database(), n, delay, target_concurrency, channel_concurrency, 0
                )
                paced = await _bench_run(
                    await fresh_database(), n, delay, target_concurrency, channel_concurrency, rate
                )
                results[name].append(
                    {
                        "deliveries": burst["deliveries"],
                        "rate": burst["rate"],
                        "burst_p95_ms": burst["p95_ms"],
                        "p50_ms": paced["p50_ms"],
                        "p95_ms": paced["p95_ms"],
                        "p95_ms_by_channel": paced["p95_ms_by_channel"],
                        "slow_p95_ms": paced["slow_p95_ms"],
                    }
                )
            return results
        finally:
            if embedded is not None:
                embedded.stop()


async def _bench_run(
    database_url: str,
    n: int,
    slow_seconds: float,
    target_concurrency: int,
    channel_concurrency: int,
    arrivals_per_second: float,
) -> dict[str, Any]:
    from hirestream.cli.sink import SmtpSink
    from hirestream.contracts import ApplicationScoredV1, PostingPublishedV1, Tier
    from hirestream.kit.db import create_pool
    from hirestream.kit.devstack import free_port
    from hirestream.kit.runtime import migrate
    from hirestream.notifier.adapters.clock import SystemClock
    from hirestream.notifier.adapters.postgres import PostgresNotifierStore, save_rules
    from hirestream.notifier.app import build_worker
    from hirestream.notifier.config import NotifierSettings
    from hirestream.notifier.domain.rules import PostingRules
    from hirestream.notifier.handlers import plan_notifications, record_posting
    from hirestream.notifier.testing import Behaviour, Receiver

    prefix = f"b{uuid.uuid4().hex[:6]}."
    await migrate(database_url, "notifier", "hirestream.notifier")
    pool = await create_pool(database_url, "notifier", max_size=20)
    receiver = Receiver().start()
    smtp_port = free_port()
    sink = SmtpSink(smtp_port)
    sink.start()
    settings = NotifierSettings(
        smtp_port=smtp_port,
        channel_concurrency=channel_concurrency,
        target_concurrency=target_concurrency,
        http_timeout_seconds=max(10.0, slow_seconds * 2),
        poll_seconds=0.5,
        topic_prefix=prefix,
    )
    clock = SystemClock()
    worker, clients = build_worker(settings, pool, clock)
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    channels: list[dict[str, Any]] = [
        {"type": "email"},
        {"type": "slack", "url": receiver.route("/slack", Behaviour("slack"))},
        {"type": "teams", "url": receiver.route("/teams", Behaviour("teams"))},
        {
            "type": "webhook",
            "url": receiver.route("/hook", Behaviour("webhook", secret=secret)),
            "secrets": [secret],
        },
    ]
    rules: list[dict[str, Any]] = [{"name": "team-a", "channels": channels}]
    if slow_seconds:
        slow = Behaviour("webhook", secret=secret, delay=slow_seconds)
        rules.append(
            {
                "name": "team-slow",
                "channels": [
                    {"type": "webhook", "url": receiver.route("/slow", slow), "secrets": [secret]}
                ],
            }
        )
    posting = PostingPublishedV1(
        posting_id=uuid.uuid4(), slug="bench", title="Bench", requirements_version=1
    )
    async with pool.acquire() as conn:
        await record_posting(PostgresNotifierStore(conn, prefix), posting)
    await save_rules(pool, "bench", PostingRules.model_validate({"rules": rules}))
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        began = time.monotonic()
        for index in range(n):  # as the consumer does: one transaction per scored event
            if arrivals_per_second:
                await asyncio.sleep(
                    max(0.0, began + index / arrivals_per_second - time.monotonic())
                )
            event = ApplicationScoredV1(
                application_id=uuid.uuid4(),
                posting_id=posting.posting_id,
                score=80,
                tier=Tier.STRONG,
                matched=["Python"],
                requirements_version=1,
                rubric_version="r",
                parser_version="p",
            )
            async with pool.acquire() as conn, conn.transaction():
                await plan_notifications(
                    PostgresNotifierStore(conn, prefix),
                    event,
                    clock,
                    default_recipient="team@bench.test",
                    public_url="http://intake",
                )
        fast_total = n * 4
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            done = await pool.fetchval(
                "SELECT count(*) FROM deliveries WHERE status = 'delivered' AND rule = 'team-a'"
                " AND posting_id = $1",
                posting.posting_id,
            )
            if done >= fast_total:
                break
            await asyncio.sleep(0.1)
        rows = await pool.fetch(
            "SELECT rule, channel, created_at, delivered_at FROM deliveries"
            " WHERE status = 'delivered' AND posting_id = $1",
            posting.posting_id,
        )
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        for client in clients:
            await client.aclose()  # type: ignore[attr-defined]
        receiver.stop()
        sink.stop()
        await pool.close()
    fast = [r for r in rows if r["rule"] == "team-a"]
    latencies = sorted((r["delivered_at"] - r["created_at"]).total_seconds() for r in fast)
    slow_lat = sorted(
        (r["delivered_at"] - r["created_at"]).total_seconds() for r in rows if r["rule"] != "team-a"
    )
    first: datetime = min(r["created_at"] for r in fast)
    last: datetime = max(r["delivered_at"] for r in fast)
    span = max((last - first).total_seconds(), 1e-6)
    by_channel = {
        channel: round(
            _pct(
                sorted(
                    (r["delivered_at"] - r["created_at"]).total_seconds()
                    for r in fast
                    if r["channel"] == channel
                ),
                0.95,
            )
            * 1000
        )
        for channel in {r["channel"] for r in fast}
    }
    return {
        "p95_ms_by_channel": by_channel,
        "deliveries": len(fast),
        "rate": len(fast) / span,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": _pct(latencies, 0.95) * 1000,
        "slow_delivered": len(slow_lat),
        "slow_p95_ms": _pct(slow_lat, 0.95) * 1000 if slow_lat else None,
    }


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]
