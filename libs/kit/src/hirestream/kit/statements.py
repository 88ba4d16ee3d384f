"""Writes as values, so that several of them can travel as one statement.

A statement is a round trip: on this kind of machine the socket write and the wake-up on each
side cost more CPU than a small INSERT itself. A use case that writes its rows, its blobs and
its outbox event in three statements inside BEGIN … COMMIT pays five round trips; the same
writes as data-modifying CTEs of one statement, sent outside an explicit transaction, are one
round trip and still atomic (a single statement is its own transaction in PostgreSQL: all of it
commits, or none of it). Every CTE of a statement sees the same snapshot and foreign keys are
checked at its end, so children may be written beside their parents.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hirestream.kit.db import Connection

_PARAMETER = re.compile(r"\$(\d+)")


@dataclass(frozen=True, slots=True)
class Write:
    """SQL numbering its own parameters from $1, and their values. Several ``parts`` share
    the values: each but the last becomes a data-modifying CTE, the last is the statement's
    main query. A part is a plain INSERT / UPDATE / DELETE (PostgreSQL refuses a WITH that
    modifies data anywhere but at the top level)."""

    parts: tuple[str, ...]
    args: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        if not self.parts:
            raise ValueError("a write needs at least one part")
        for part in self.parts:
            if part.lstrip()[:4].upper() == "WITH":
                raise ValueError("a part must not open with WITH: give its CTEs as parts")


def combine(writes: Sequence[Write]) -> tuple[str, list[Any]]:
    """One statement doing every write, in order, with one parameter list."""
    if not writes:
        raise ValueError("nothing to write")
    parts: list[str] = []
    args: list[Any] = []
    for write in writes:
        parts.extend(_shifted(part, len(args)) for part in write.parts)
        args.extend(write.args)
    *ctes, main = parts
    if not ctes:
        return main, args
    head = ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(ctes))
    return f"WITH {head} {main}", args


def _shifted(sql: str, offset: int) -> str:
    """``sql`` with its parameters numbered from ``offset + 1``."""
    return _PARAMETER.sub(lambda m: f"${int(m.group(1)) + offset}", sql)


async def execute(conn: Connection, *writes: Write) -> None:
    sql, args = combine(writes)
    await conn.execute(sql, *args)
