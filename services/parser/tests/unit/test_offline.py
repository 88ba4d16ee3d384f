"""``parse_path``: what ``hirestream parse FILE --json`` prints, one object per file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from hirestream.parser.domain.profile import PARSER_VERSION
from hirestream.parser.offline import parse_path

REQUIRED = {"source", "status", "error", "language", "name", "emails", "phones", "links",
            "location", "skills", "experience", "total_experience_months", "education",
            "languages"}  # fmt: skip


def test_a_cv_gives_every_required_key_with_evidence(tmp_path: Path) -> None:
    path = tmp_path / "cv.txt"
    path.write_text(
        "Lucía Fernández\nlucia@example.es\nhttps://www.linkedin.com/in/luciaf\n"
        "Experiencia profesional\nDesarrolladora backend, Acme SL\nMarzo 2019 - actualmente\n"
        "Formación\nGrado en Ingeniería Informática, Universidad de Granada, 2018\n"
        "Idiomas\nInglés: C1\n",
        encoding="utf-8",
    )
    result, profile = parse_path(path, today=date(2024, 3, 1))
    assert result.keys() >= REQUIRED
    json.dumps(result)  # JSON-ready as it is
    assert (result["status"], result["error"], result["language"]) == ("parsed", None, "es")
    assert result["experience"] == [
        {"title": "Desarrolladora backend", "company": "Acme SL", "start": "2019-03",
         "end": "present"}
    ]  # fmt: skip
    assert result["languages"] == [{"language": "en", "level": "C1"}]
    assert result["links"] == ["https://www.linkedin.com/in/luciaf"]
    fields = {e["field"] for e in result["evidence"]}
    assert {"name", "emails[0]", "links[0]", "experience[0]", "education[0]", "languages[0]"} <= (
        fields
    )
    text = path.read_text(encoding="utf-8")
    for evidence in result["evidence"]:  # every field: a confidence and the span it came from
        assert 0 < evidence["confidence"] <= 1
        assert evidence["start"] is not None and evidence["page"] == 1, evidence
    spans = {e["field"]: text[e["start"] : e["end"]] for e in result["evidence"]}
    assert "Desarrolladora backend, Acme SL" in spans["experience[0]"]
    assert "Marzo 2019" in spans["experience[0]"]
    assert spans["education[0]"].startswith("Grado en Ingeniería Informática")
    assert spans["languages[0]"] == "Inglés: C1"
    assert profile is not None and profile.name == "Lucía Fernández"


def test_an_unreadable_file_is_failed_with_its_code(tmp_path: Path) -> None:
    path = tmp_path / "cv.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj <<>> garbage")
    result, profile = parse_path(path)
    assert result["status"] == "failed" and profile is None
    assert result["error"]["code"] == "corrupt_file"
    assert result.keys() >= REQUIRED and result["name"] is None and result["skills"] == []
    assert result["skill_locations"] == []


def test_skill_locations_point_at_each_skill_where_it_is_first_written(tmp_path: Path) -> None:
    path = tmp_path / "cv.txt"
    path.write_text(
        "Ada Lovelace\nada@example.org\nSummary\nBackend engineer.\n"
        "Skills\nPython, PostgreSQL, Kubernetes\nExperience\nEngineer, Acme Ltd\n2019 - 2023\n"
        "Built Python services on k8s.\n",
        encoding="utf-8",
    )
    result, profile = parse_path(path, today=date(2024, 3, 1))
    assert profile is not None
    text = path.read_text(encoding="utf-8")
    located = {loc["skill"]: loc for loc in result["skill_locations"]}
    assert {"Python", "PostgreSQL", "Kubernetes"} <= located.keys()
    assert [loc["skill"] for loc in result["skill_locations"]] == [
        s.name for s in profile.skills if s.name in located
    ]  # the profile's order, one entry per located skill
    for skill in ("Python", "PostgreSQL", "Kubernetes"):
        loc = located[skill]
        assert loc["page"] == 1
        assert text[loc["start"] : loc["end"]] == skill
    assert located["Python"]["start"] == text.index("Python")  # its first mention


def test_the_parser_version_is_recorded_with_every_result(tmp_path: Path) -> None:
    cv = tmp_path / "cv.txt"
    cv.write_text("Jane Doe\njane@example.com\nExperience\nData Analyst, Acme, 2019 - 2022\n")
    broken = tmp_path / "cv.pdf"
    broken.write_bytes(b"%PDF-1.4 truncated")
    for path in (cv, broken):
        assert parse_path(path)[0]["parser_version"] == PARSER_VERSION
