"""Writes combined into one statement: parameters renumbered, CTEs named in order."""

from __future__ import annotations

import pytest

from hirestream.kit.statements import Write, combine


def test_one_write_of_one_part_is_that_statement() -> None:
    assert combine([Write(("INSERT INTO t VALUES ($1, $2)",), (1, 2))]) == (
        "INSERT INTO t VALUES ($1, $2)",
        [1, 2],
    )


def test_parts_of_one_write_share_its_parameters() -> None:
    sql, args = combine(
        [Write(("INSERT INTO a VALUES ($1)", "INSERT INTO b VALUES ($1, $2)"), (7, 8))]
    )
    assert sql == "WITH w0 AS (INSERT INTO a VALUES ($1)) INSERT INTO b VALUES ($1, $2)"
    assert args == [7, 8]


def test_later_writes_are_renumbered_after_the_earlier_ones() -> None:
    sql, args = combine(
        [
            Write(("INSERT INTO a VALUES ($1, $2)",), ("x", "y")),
            Write(("INSERT INTO b VALUES ($2, $1, $10)",), tuple(range(10))),
            Write(("INSERT INTO c VALUES ($1)",), ("z",)),
        ]
    )
    assert sql == (
        "WITH w0 AS (INSERT INTO a VALUES ($1, $2)), w1 AS (INSERT INTO b VALUES ($4, $3, $12))"
        " INSERT INTO c VALUES ($13)"
    )
    assert args == ["x", "y", *range(10), "z"]


def test_a_part_that_is_a_with_statement_is_refused() -> None:
    with pytest.raises(ValueError, match="WITH"):
        Write(("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x",))


def test_nothing_to_combine_is_an_error() -> None:
    with pytest.raises(ValueError):
        combine([])
