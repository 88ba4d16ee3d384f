"""The ``hirestream`` command line."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hirestream.cli.client import Api
from hirestream.cli.commands import register_all
from hirestream.cli.stack import (
    SERVICE_PACKAGES,
    Infrastructure,
    Ports,
    ServiceProcesses,
    StackConfig,
    prepare,
)

app = typer.Typer(help="hirestream: applications in, ranked and explained shortlists out.")
dev = typer.Typer(help="Run the whole stack on this machine.")
postings = typer.Typer(help="Job postings.")
topics = typer.Typer(help="Kafka topics.")
app.add_typer(dev, name="dev")
app.add_typer(postings, name="postings")
app.add_typer(topics, name="topics")
# Wide enough for ranking tables when output goes to a pipe or a CI log.
console = Console(width=None if sys.stdout.isatty() else 140)

INTAKE_URL = os.environ.get("HIRESTREAM_INTAKE_URL", "http://127.0.0.1:8001")
SCORER_URL = os.environ.get("HIRESTREAM_SCORER_URL", "http://127.0.0.1:8003")
API_KEY = os.environ.get("HIRESTREAM_API_KEY", "dev-api-key")
DEV_HOME = Path(os.environ.get("HIRESTREAM_HOME", ".hirestream"))


def api() -> Api:
    return Api(INTAKE_URL, SCORER_URL, API_KEY)


@app.command()
def migrate() -> None:
    """Create or update every service's schema (DATABASE_URL)."""
    from hirestream.kit.runtime import migrate as migrate_schema
    from hirestream.kit.settings import ServiceSettings

    settings = ServiceSettings()
    for name, package in SERVICE_PACKAGES.items():
        asyncio.run(migrate_schema(settings.database_url, name, package))
        console.print(f"migrated [bold]{name}[/]")


@topics.command("create")
def topics_create(partitions: int = 3) -> None:
    """Create every contract topic (KAFKA_BOOTSTRAP_SERVERS); existing ones are kept.

    ``HIRESTREAM_TOPICS_FILE`` (lines of ``<topic> <partitions>``, e.g. deploy/topics.txt) sets
    per-topic partition counts; other topics get ``--partitions``.
    """
    from hirestream.contracts import ALL_TOPICS, topic_name
    from hirestream.kit.devstack import ensure_topics
    from hirestream.kit.settings import ServiceSettings

    settings = ServiceSettings()
    counts = {t: partitions for t in ALL_TOPICS}
    topics_file = os.environ.get("HIRESTREAM_TOPICS_FILE")
    if topics_file:
        for line in Path(topics_file).read_text().splitlines():
            fields = line.split("#", 1)[0].split()
            if len(fields) == 2 and fields[0] in counts:
                counts[fields[0]] = int(fields[1])
    for count in sorted(set(counts.values())):
        names = [topic_name(t, settings.topic_prefix) for t, n in counts.items() if n == count]
        asyncio.run(ensure_topics(settings.kafka_bootstrap_servers, names, count))
    console.print(
        "topics: "
        + ", ".join(f"{topic_name(t, settings.topic_prefix)}×{n}" for t, n in counts.items())
    )


@dev.command("up")
def dev_up() -> None:
    """Start PostgreSQL, the broker (embedded unless configured) and the four services."""
    DEV_HOME.mkdir(exist_ok=True)
    infra = Infrastructure(DEV_HOME, pg_port=54329, kafka_port=19092)
    database_url, bootstrap = infra.start()
    processes: ServiceProcesses | None = None
    try:
        asyncio.run(prepare(database_url, bootstrap))
        config = StackConfig(database_url, bootstrap, DEV_HOME, Ports())
        processes = ServiceProcesses(config)
        processes.start_all()
        processes.wait_healthy()
        console.print(f"[green]hirestream is up[/]  database {database_url}  broker {bootstrap}")
        console.print(
            f"intake {config.intake_url} (SMTP :{config.ports.intake_smtp})  "
            f"scorer {config.scorer_url}  logs {processes.logdir}"
        )
        console.print("Ctrl-C stops everything.")
        while True:
            processes.check_alive()
            time.sleep(1)
    except KeyboardInterrupt:
        console.print("stopping…")
    finally:
        if processes is not None:
            processes.stop_all()
        infra.stop()


@postings.command("load")
def postings_load(directory: Path) -> None:
    """Publish every Markdown/text posting in DIRECTORY through the scorer API."""
    from hirestream.scorer.domain.posting import read_posting

    client = api()
    for path in sorted(directory.glob("*")):
        if path.suffix.lower() not in {".md", ".markdown", ".txt"}:
            continue
        text = path.read_text("utf-8")
        document = read_posting(text, fallback_slug=path.stem)
        posting = client.load_posting(text, document.slug)
        console.print(
            f"[bold]{posting['slug']}[/] {posting['title']}: "
            f"{len(posting['requirements'])} requirements (v{posting['requirements_version']})"
        )


@app.command()
def apply(
    posting: Annotated[str, typer.Option(help="posting slug")],
    cv: Annotated[Path, typer.Option(exists=True, readable=True)],
    email: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option()],
    phone: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Send one application through the intake JSON API."""
    result = api().apply_api(posting, cv, name=name, email=email, phone=phone)
    state = "already received" if result["duplicate"] else "received"
    console.print(f"application {result['application_id']} {state}")


@app.command()
def ranking(
    slug: str,
    tier: Annotated[str | None, typer.Option(help="strong, possible or weak")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The candidates of a posting, best first."""
    client = api()
    result = client.ranking(slug, tier)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    console.print(ranking_table(client, result))


def ranking_table(client: Api, result: dict[str, object]) -> Table:
    table = Table(title=f"{result['title']} ({result['posting']})")
    for column in ("#", "candidate", "score", "tier", "matched", "missing"):
        table.add_column(column)
    items = result["items"]
    assert isinstance(items, list)
    for rank, item in enumerate(items, 1):
        name = client.application(item["application_id"]).get("name") or item["application_id"]
        table.add_row(
            str(rank),
            name,
            str(item["score"]),
            item["tier"],
            ", ".join(item["matched"][:6]),
            ", ".join(item["missing"][:4]),
        )
    return table


@app.command()
def parse(
    files: Annotated[list[Path], typer.Argument(exists=True, readable=True)],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Parse CV files offline (no stack needed): one JSON object per file, one per line."""
    from hirestream.cli.offline import parse_file

    for path in files:
        result, _ = parse_file(path)
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, default=str))
        else:
            skills = ", ".join(s["name"] for s in result.get("skills", []))
            console.print(f"[bold]{path}[/] {result['status']}: {result.get('name')} — {skills}")


@app.command()
def score(
    posting: Annotated[Path, typer.Option(exists=True, readable=True)],
    cv: Annotated[list[Path], typer.Option(exists=True, readable=True)],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Score CV files against a posting file offline (no stack needed)."""
    from hirestream.cli.offline import score_files

    for result in score_files(posting, cv):
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, default=str))
        else:
            console.print(f"[bold]{result['source']}[/] {result['score']} {result['tier']}")


@app.command()
def demo(
    workdir: Annotated[Path | None, typer.Option(help="keep logs and files here")] = None,
    timeout: Annotated[float, typer.Option(help="seconds to wait for the pipeline")] = 240,
) -> None:
    """Start the stack, send ~20 applications, print rankings and captured alerts, stop."""
    from hirestream.cli.demo import run_demo
    from hirestream.kit.devstack import scratch_dir

    if workdir is not None:
        raise typer.Exit(run_demo(workdir, console, timeout=timeout))
    with scratch_dir("hirestream-demo-") as root:
        code = run_demo(root, console, timeout=timeout)
        if code:
            raise typer.Exit(code)  # inside the block: a failed demo keeps its logs


register_all(app)

if __name__ == "__main__":
    app()
