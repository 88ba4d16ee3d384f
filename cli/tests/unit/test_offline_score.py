"""``hirestream score`` points every met skill verdict at where the CV states the skill."""

from __future__ import annotations

from pathlib import Path

from hirestream.cli.offline import score_files
from hirestream.scorer.domain.locations import skill_location

POSTING = """# Data Engineer

## Requirements
- Python and PostgreSQL
- Experience with Kafka
"""

CV = """Ana Silva
ana.silva@example.org | +351 912 345 678

Experience
Data Engineer, Acme Analytics, 2019 - present
Built batch pipelines in Python on PostgreSQL.

Skills
Python, PostgreSQL, Airflow
"""


def test_met_skills_carry_their_place_in_the_cv_and_unmet_ones_none(tmp_path: Path) -> None:
    posting = tmp_path / "data-engineer.md"
    posting.write_text(POSTING, "utf-8")
    cv = tmp_path / "ana.txt"
    cv.write_text(CV, "utf-8")

    [result] = score_files(posting, [cv])

    verdicts = {v["requirement"]["skill"]: v for v in result["verdicts"]}
    python = verdicts["Python"]
    assert python["status"] == "met" and python["location"] is not None
    assert CV[python["location"]["start"] : python["location"]["end"]] == "Python"
    unmet = [v for v in result["verdicts"] if v["status"] != "met"]
    assert unmet and all(v["location"] is None for v in unmet)


def test_an_implied_skill_points_to_the_skill_that_implies_it() -> None:
    where = {"page": 1, "start": 10, "end": 20}
    locations = {"PostgreSQL": where}
    assert skill_location({"evidence": "PostgreSQL (implies SQL)"}, locations) == where
    assert skill_location({"evidence": "60 months in the experience timeline"}, locations) is None
    assert skill_location({"evidence": None}, locations) is None
