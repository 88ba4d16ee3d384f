"""``hirestream requirements FILE --json`` offline on the seed ads (the reviewer's examples from
issue 5), and the benchmark's ranking metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from hirestream.cli.commands.scorer import ndcg_at, precision_at, ranked
from hirestream.cli.main import app
from hirestream.cli.testing import SHARED_POSTINGS

pytestmark = pytest.mark.e2e


def requirements_of(ad: str) -> list[dict[str, Any]]:
    path = SHARED_POSTINGS / f"{ad}.md"
    if not path.is_file():
        pytest.skip(f"seed ads not found at {SHARED_POSTINGS} (shared checkout absent)")
    result = CliRunner().invoke(app, ["requirements", str(path), "--json"])
    assert result.exit_code == 0, result.output
    found: list[dict[str, Any]] = json.loads(result.output)["requirements"]
    return found


def pick(reqs: list[dict[str, Any]], **fields: Any) -> list[dict[str, Any]]:
    return [r for r in reqs if all(r[k] == v for k, v in fields.items())]


def test_mediasmart_languages_experience_and_nice_to_haves() -> None:
    reqs = requirements_of("mediasmart-head-of-backend-engineering")
    languages = {(r["language"], r["level"], r["importance"]) for r in pick(reqs, kind="language")}
    assert languages == {("English", "C1", "must"), ("Spanish", "C1", "must")}
    (years,) = pick(reqs, kind="experience_years")
    assert (years["min_months"], years["importance"]) == (60, "must")
    assert pick(reqs, kind="skill", skill="Data Science")[0]["importance"] == "nice"
    assert pick(reqs, kind="skill", skill="Machine Learning")[0]["importance"] == "nice"
    assert pick(reqs, kind="education")[0]["importance"] == "must"


def test_benchmark_me_bilingual_leadership_and_negative_signal() -> None:
    reqs = requirements_of("benchmark-me-back-end-lead")
    bilingual = {(r["language"], r["importance"]) for r in pick(reqs, kind="language")}
    assert bilingual == {("French", "nice"), ("English", "nice")}
    assert pick(reqs, kind="leadership")[0]["importance"] == "must"
    assert pick(reqs, kind="experience_years")[0]["min_months"] == 60
    (dotnet,) = pick(reqs, negative=True)
    assert dotnet["skill"] == ".NET"
    assert not any("female" in r["evidence"].casefold() for r in reqs)  # never a requirement


def test_ranking_metrics() -> None:
    grades = {"a": 3, "b": 0, "c": 2}
    assert ndcg_at(["a", "c", "b"], grades) == pytest.approx(1.0)
    assert ndcg_at(["b", "c", "a"], grades) < ndcg_at(["a", "b", "c"], grades) < 1.0
    assert precision_at(["a", "c", "b"], grades, k=2) == 1.0
    assert precision_at(["b", "a", "c"], grades, k=2) == 0.5
    assert ranked({"a": 1.0, "b": 2.0}, "ad") == ["b", "a"]


def test_benchmark_data_is_complete() -> None:
    data = Path(__file__).resolve().parents[2] / "benchmarks" / "scorer"
    for name, ads, minimum in (("seed", 4, 40), ("jobs", 6, 40)):
        judged = json.loads((data / name / "grades.json").read_text("utf-8"))
        assert len(judged["postings"]) == ads and len(judged["cvs"]) >= minimum
        for entry in judged["cvs"].values():
            assert set(entry["grades"]) == set(judged["postings"])
            assert set(entry["grades"].values()) <= {0, 1, 2, 3}
