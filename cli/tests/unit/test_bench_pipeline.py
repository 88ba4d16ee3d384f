"""The load generator's CVs: every submission distinct in bytes, the same CV to the parser."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from hirestream.cli.commands.bench import DistinctCv, bench_cvs
from hirestream.cli.offline import parse_file


@pytest.fixture(scope="module")
def cvs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return [cv.cv_path for cv in bench_cvs(tmp_path_factory.mktemp("bench"))]


def test_bench_sends_pdf_and_docx(cvs: list[Path]) -> None:
    suffixes = [p.suffix for p in cvs]
    assert suffixes.count(".pdf") > 0 and suffixes.count(".docx") > 0


def test_each_submission_is_distinct_and_parses_as_the_original(
    cvs: list[Path], tmp_path: Path
) -> None:
    for path in cvs:
        cv = DistinctCv(path)
        first, second = cv.content("1 tag"), cv.content("2 another tag")
        assert hashlib.sha256(first).digest() != hashlib.sha256(second).digest()
        copy = tmp_path / f"copy{path.suffix}"
        copy.write_bytes(first)
        original, _ = parse_file(path)
        distinct, _ = parse_file(copy)
        assert distinct["status"] == original["status"] == "parsed"
        assert distinct["skills"] == original["skills"]
        assert distinct["experience"] == original["experience"]


def test_base64_and_content_agree(cvs: list[Path]) -> None:
    import base64

    for path in cvs:
        cv = DistinctCv(path)
        assert base64.b64decode(cv.base64("7 t")) == cv.content("7 t")


def test_the_upload_is_the_form_intakes_fast_path_reads(cvs: list[Path]) -> None:
    from hirestream.cli.commands.bench import multipart_form
    from hirestream.intake.entrypoints.form_data import FilePart, parse_form

    data = DistinctCv(cvs[0]).content("1 tag")
    fields = {"posting": "backend-lead", "name": "Candidate 1", "email": "c1@example.com"}
    body, content_type = multipart_form(fields, "cv.pdf", "application/pdf", data)
    form = parse_form(body, content_type)
    assert form is not None
    cv = form.pop("cv")
    assert isinstance(cv, FilePart) and cv.filename == "cv.pdf" and cv.data == data
    assert form == fields
