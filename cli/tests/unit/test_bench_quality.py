"""The tie-order range the quality benchmark reports next to each hirestream figure."""

from __future__ import annotations

import pytest

from hirestream.cli.commands.scorer import ndcg_at, ranked, tie_range


def test_tie_range_brackets_the_hash_order() -> None:
    grades = {"a": 3, "b": 2, "c": 0, "d": 1}
    scores = {"a": 9.0, "b": 5.0, "c": 5.0, "d": 1.0}  # b and c tie
    worst, best = tie_range(scores, grades)
    assert worst < best
    assert best == pytest.approx(round(ndcg_at(["a", "b", "c", "d"], grades), 3))
    assert worst == pytest.approx(round(ndcg_at(["a", "c", "b", "d"], grades), 3))
    assert worst <= round(ndcg_at(ranked(scores, "ad"), grades), 3) <= best


def test_no_ties_no_range() -> None:
    grades = {"a": 3, "b": 0, "c": 1}
    worst, best = tie_range({"a": 3.0, "b": 1.0, "c": 2.0}, grades)
    assert worst == best
