"""``make demo``: the real services on the embedded stack, the project's own examples."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from rich.console import Console

from hirestream.cli.client import Api, apply_by_email
from hirestream.cli.demo_data import generate_demo_applications
from hirestream.cli.sink import SmtpSink
from hirestream.cli.stack import Infrastructure, Ports, ServiceProcesses, StackConfig, prepare

EXAMPLES = Path(__file__).resolve().parents[4] / "examples" / "postings"


def run_demo(workdir: Path, console: Console, *, timeout: float = 240) -> int:
    started = time.monotonic()
    workdir.mkdir(parents=True, exist_ok=True)
    infra = Infrastructure(workdir)
    processes: ServiceProcesses | None = None
    ports = Ports.free()
    sink = SmtpSink(ports.notifier_smtp)
    try:
        console.rule("starting PostgreSQL, the broker and the four services")
        database_url, bootstrap = infra.start()
        asyncio.run(prepare(database_url, bootstrap))
        sink.start()
        config = StackConfig(
            database_url, bootstrap, workdir, ports, trace_file=workdir / "spans.jsonl"
        )
        processes = ServiceProcesses(config)
        processes.start_all()
        processes.wait_healthy()
        client = Api(config.intake_url, config.scorer_url, config.api_key)

        console.rule("postings")
        slugs = []
        for path in sorted(EXAMPLES.glob("*.md")):
            from hirestream.scorer.domain.posting import read_posting

            text = path.read_text("utf-8")
            posting = client.load_posting(text, read_posting(text, path.stem).slug)
            slugs.append(posting["slug"])
            kinds = sorted({r["kind"] for r in posting["requirements"]})
            console.print(
                f"{posting['slug']}: {posting['title']} — {len(posting['requirements'])} "
                f"requirements ({', '.join(kinds)})"
            )
        _wait(
            lambda: all(client.intake_knows(s) for s in slugs), 60, processes, "postings at intake"
        )
        notifier = httpx.Client(
            base_url=config.notifier_url, timeout=30, headers={"X-API-Key": config.api_key}
        )
        # One team wants only strong candidates at once, the rest in a morning digest, and
        # candidates acknowledged; every other posting keeps the default (every tier, at once).
        notifier.put(f"/v1/postings/{DIGEST_POSTING}/rules", json=DIGEST_RULES).raise_for_status()
        console.print(
            f"{DIGEST_POSTING}: strong → instant email; possible/weak → daily digest; "
            "candidates get an acknowledgement"
        )

        console.rule("applications")
        applications = generate_demo_applications(workdir / "cvs")
        for application in applications:
            if application.channel == "smtp":
                apply_by_email(
                    ports.intake_smtp,
                    application.posting_slug,
                    config.mail_domain,
                    application.cv_path,
                    name=application.name,
                    email=application.email,
                )
            else:
                client.apply_form(
                    application.posting_slug,
                    application.cv_path,
                    name=application.name,
                    email=application.email,
                    phone=application.phone,
                )
            console.print(
                f"{application.channel:5} {application.cv_path.suffix[1:]:4} "
                f"{application.name} → {application.posting_slug}"
            )

        def scored() -> int:
            return sum(len(client.ranking(s)["items"]) for s in slugs)

        _wait(lambda: scored() >= len(applications), timeout, processes, "every application scored")
        _wait(lambda: _instant_done(notifier), timeout, processes, "instant alerts delivered")
        console.rule("the morning digest, sent now instead of at 09:00")
        notifier.post("/v1/digests/flush", params={"posting": DIGEST_POSTING}).raise_for_status()
        _wait(
            lambda: (
                not notifier.get("/v1/deliveries", params={"status": "pending"}).json()["items"]
            ),
            timeout,
            processes,
            "every delivery done",
        )
        for slug in slugs:
            from hirestream.cli.main import ranking_table

            console.print(ranking_table(client, client.ranking(slug)))
        console.rule(f"{len(sink.messages)} emails captured by the local SMTP sink")
        for mail in sink.messages:
            console.print(f"to {', '.join(mail.recipients)}: {mail.subject}")
        dead = notifier.get("/v1/deliveries", params={"status": "dead_lettered"}).json()["items"]
        if dead:
            console.print(f"[red]{len(dead)} deliveries dead-lettered[/]: {dead}")
            return 1
        console.rule(f"demo finished in {time.monotonic() - started:.0f}s")
        return 0
    finally:
        if processes is not None:
            processes.stop_all()
        sink.stop()
        infra.stop()


DIGEST_POSTING = "backend-engineer"
DIGEST_RULES = {
    "rules": [
        {
            "name": "backend-team",
            "instant": ["strong"],
            "digest": ["possible", "weak"],
            "digest_schedule": {"cadence": "daily", "at": "09:00"},
            "timezone": "Europe/Madrid",
            "channels": [{"type": "email", "to": ["hiring-backend-engineer@example.com"]}],
        }
    ],
    "acknowledgement": {"enabled": True},
}


def _instant_done(notifier: httpx.Client) -> bool:
    """No delivery due now is still waiting (digest rows wait for their schedule)."""
    items = notifier.get("/v1/deliveries", params={"status": "pending", "limit": 500}).json()
    return all(d.get("kind") == "digest" for d in items["items"])


def _wait(condition, timeout: float, processes: ServiceProcesses, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        processes.check_alive()
        try:
            if condition():
                return
        except Exception:  # a service still starting answers errors for a moment
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}; logs in {processes.logdir}")
        time.sleep(0.5)
