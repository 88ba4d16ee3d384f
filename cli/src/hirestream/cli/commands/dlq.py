"""``hirestream dlq list|show|replay``: dead letters of every service, by ``<service>:<id>``."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hirestream.cli.stack import SERVICES
from hirestream.kit.db import connect
from hirestream.kit.dlq import get_dead_letter, list_dead_letters, replay_dead_letter
from hirestream.kit.settings import ServiceSettings

dlq = typer.Typer(help="Inspect and replay dead-lettered events (DATABASE_URL).")
console = Console(width=160)


def _parse_ref(ref: str) -> tuple[str, int]:
    service, _, number = ref.partition(":")
    if service not in SERVICES or not number.isdigit():
        raise typer.BadParameter(f"expected <service>:<id> with service in {', '.join(SERVICES)}")
    return service, int(number)


@dlq.command("list")
def list_command(
    service: Annotated[str | None, typer.Option(help="only this service")] = None,
    include_replayed: Annotated[bool, typer.Option("--all", help="also replayed ones")] = False,
) -> None:
    async def run() -> Table:
        table = Table(title="dead letters")
        for column in ("ref", "topic", "event", "attempts", "error", "dead since", "replayed"):
            table.add_column(column)
        url = ServiceSettings().database_url
        for name in [service] if service else SERVICES:
            conn = await connect(url, name)
            try:
                letters = await list_dead_letters(conn, include_replayed=include_replayed)
            finally:
                await conn.close()
            for d in letters:
                table.add_row(
                    f"{name}:{d.id}",
                    d.topic,
                    d.event_id,
                    str(d.attempts),
                    d.error[:60],
                    d.created_at.isoformat(timespec="seconds"),
                    d.replayed_at.isoformat(timespec="seconds") if d.replayed_at else "",
                )
        return table

    console.print(asyncio.run(run()))


@dlq.command("show")
def show_command(ref: str) -> None:
    service, number = _parse_ref(ref)

    async def run() -> None:
        conn = await connect(ServiceSettings().database_url, service)
        try:
            letter = await get_dead_letter(conn, number)
        finally:
            await conn.close()
        if letter is None:
            raise typer.BadParameter(f"no dead letter {ref}")
        typer.echo(json.dumps(letter.__dict__, default=str, indent=2))

    asyncio.run(run())


@dlq.command("replay")
def replay_command(refs: list[str]) -> None:
    """Queue dead letters again on their original topic, through the service's outbox."""

    async def run() -> int:
        failures = 0
        for ref in refs:
            service, number = _parse_ref(ref)
            conn = await connect(ServiceSettings().database_url, service)
            try:
                async with conn.transaction():
                    replayed = await replay_dead_letter(conn, number)
            finally:
                await conn.close()
            console.print(f"{ref}: {'queued again' if replayed else 'unknown or already replayed'}")
            failures += 0 if replayed else 1
        return failures

    raise typer.Exit(1 if asyncio.run(run()) else 0)


def register(app: typer.Typer) -> None:
    app.add_typer(dlq, name="dlq")
