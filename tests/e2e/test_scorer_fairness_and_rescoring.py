"""The scorer through the four real services: two CVs that differ only in personal data get the
same score and verdicts; a team edit of the requirements rescores both, keeps the old scores in
history and re-announces them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from hirestream.cli.testing import EXAMPLE_POSTINGS, Pipeline
from hirestream.skills import load_taxonomy

pytestmark = pytest.mark.e2e

CV = """{name}
{email} · {phone} · {address}
Born {born} · {gender} · Nationality: {nationality}

Summary
Backend engineer, seven years of Python and PostgreSQL.

Experience
Senior Backend Engineer — Freightline GmbH
Jan 2019 – Present
• Python (FastAPI, asyncio) services processing telemetry events
• PostgreSQL schema design, indexing and query tuning; Kafka consumers
• Docker and Kubernetes; mentored two engineers

Backend Developer — Webhaus
Jan 2017 – Dec 2018
• Django and PostgreSQL

Education
MSc Computer Science – TU Berlin (2016)

Skills
Python, FastAPI, PostgreSQL, Kafka, Docker, Kubernetes, Git

Languages
English (fluent), German (B2)
"""

PEOPLE = [
    {"name": "Aisha Okafor", "email": "aisha.okafor@example.com", "phone": "+49 30 1234567",
     "address": "Torstraße 1, 10119 Berlin", "born": "12 May 1971", "gender": "Female",
     "nationality": "Nigerian"},
    {"name": "Lukas Schneider", "email": "lukas@example.org", "phone": "+1 555 0100",
     "address": "1 Main St, Springfield, USA", "born": "3 March 2000", "gender": "Male",
     "nationality": "German"},
]  # fmt: skip


def scores(pipeline: Pipeline, application_id: str) -> list[dict[str, Any]]:
    response = pipeline.api.scorer.get(f"/v1/applications/{application_id}/scores")
    response.raise_for_status()
    result: list[dict[str, Any]] = response.json()
    return result


def test_personal_data_changes_nothing_and_team_edits_rescore(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    text = (EXAMPLE_POSTINGS / "backend-engineer.md").read_text("utf-8")
    posting = pipeline.api.load_posting(text, "backend-engineer")
    pipeline.wait_for(lambda: pipeline.api.intake_knows("backend-engineer"), "posting at intake")

    applications = []
    for index, person in enumerate(PEOPLE):
        cv = tmp_path / f"cv-{index}.txt"
        cv.write_text(CV.format(**person), "utf-8")
        result = pipeline.api.apply_api(
            "backend-engineer", cv, name=person["name"], email=person["email"]
        )
        applications.append(result["application_id"])
    pipeline.wait_for(lambda: all(scores(pipeline, a) for a in applications), "both scored")

    first = [pipeline.api.scorer.get(f"/v1/applications/{a}/score").json() for a in applications]
    keys = ("score", "tier", "verdicts", "matched", "missing", "hint", "requirements_version")
    # Where a skill sits in the CV moves with the length of a name: that pointer is not a
    # judgement, so the verdicts are compared without it.
    for score in first:
        for verdict in score["verdicts"]:
            verdict.pop("location")
    same = [{k: s[k] for k in keys} for s in first]
    assert same[0] == same[1]
    assert first[0]["verdicts"] and all(v["reason"] for v in first[0]["verdicts"])
    # Every met skill verdict points into the CV the candidate sent (positions from the parser).
    taxonomy = load_taxonomy()
    served = pipeline.api.scorer.get(f"/v1/applications/{applications[0]}/score").json()
    cv_text = CV.format(**PEOPLE[0])
    met_skills = [
        v
        for v in served["verdicts"]
        if v["status"] == "met" and v["requirement"]["kind"] == "skill"
    ]
    assert met_skills
    for verdict in met_skills:
        where = verdict["location"]
        assert where is not None, verdict
        quoted = cv_text[where["start"] : where["end"]]
        # The CV's own words there name the skill the verdict quotes ("backend engineer" is how
        # this CV says Backend Development).
        skill = verdict["evidence"].split(" (implies ", 1)[0]
        assert taxonomy.canonical(quoted) == skill, (quoted, verdict)

    # The team adds a must-have (Rust) with a heavy weight: both candidates are rescored.
    edited = [*posting["requirements"], {"kind": "skill", "importance": "must", "skill": "Rust",
                                          "weight": 10}]  # fmt: skip
    response = pipeline.api.scorer.put(
        "/v1/postings/backend-engineer/requirements",
        json={"requirements": edited},
        headers={"X-API-Key": pipeline.config.api_key},
    )
    response.raise_for_status()
    assert response.json()["requirements_version"] == posting["requirements_version"] + 1

    for application in applications:
        history = scores(pipeline, application)
        assert [h["trigger"] for h in history] == ["profile", "requirements"]
        assert history[1]["score"] < history[0]["score"] and "Rust" in history[1]["missing"]
    ranking = pipeline.api.ranking("backend-engineer")["items"]
    assert {i["requirements_version"] for i in ranking} == {posting["requirements_version"] + 1}
    assert len({i["score"] for i in ranking}) == 1

    unauthenticated = httpx.put(
        f"{pipeline.config.scorer_url}/v1/postings/backend-engineer/requirements",
        json={"requirements": edited},
    )
    assert unauthenticated.status_code == 401
