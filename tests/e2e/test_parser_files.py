"""Hostile and unusual CV files through the running pipeline: the parser process stores each in
a precise state (encrypted, corrupt, unsafe XML), keeps running, and parses the good CV sent
after them, two-column layout included, with evidence stored."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from fpdf import FPDF

from hirestream.cli.testing import EXAMPLE_POSTINGS, Pipeline
from hirestream.kit.db import connect
from hirestream.scorer.domain.posting import read_posting

pytestmark = pytest.mark.e2e

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
    b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body></w:document>"
)


def cv_pdf(user_password: str | None = None) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    if user_password:
        pdf.set_encryption(owner_password="o", user_password=user_password)
    pdf.add_page()
    pdf.cell(0, 8, "Priya Raman  priya.raman@example.com  +44 20 7946 0958",
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    top = pdf.get_y() + 4
    left = ["SKILLS", "Python", "PostgreSQL", "Kafka", "Kubernetes", "LANGUAGES",
            "English (native)"]  # fmt: skip
    right = ["EXPERIENCE", "Data Engineering Manager, Acme Corp", "Jan 2019 - Present",
             "Led a team of six data engineers", "Data Engineer, Globex Ltd",
             "Mar 2014 - Dec 2018", "Built the event pipeline", "EDUCATION",
             "MSc Computer Science, University of Leeds, 2013"]  # fmt: skip
    for i, line in enumerate(left):
        pdf.set_xy(10, top + i * 9)
        pdf.cell(55, 6, line)
    for i, line in enumerate(right):
        pdf.set_xy(80, top + 3 + i * 7)
        pdf.cell(110, 6, line)
    return bytes(pdf.output())


def laughing_docx() -> bytes:
    document = Document()
    document.add_paragraph("x")
    buffer = io.BytesIO()
    document.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = LAUGHS if item.filename == "word/document.xml" else source.read(item)
            target.writestr(item.filename, data)
    return out.getvalue()


async def profiles(database_url: str) -> dict[str, dict[str, Any]]:
    conn = await connect(database_url, "parser")
    try:
        rows = await conn.fetch(
            "SELECT application_id, status, error_code, name, profile FROM profiles"
        )
    finally:
        await conn.close()
    out = {}
    for row in rows:
        record = dict(row)
        if isinstance(record["profile"], str):
            record["profile"] = json.loads(record["profile"])
        out[str(record["application_id"])] = record
    return out


def test_bad_files_fail_precisely_and_the_parser_keeps_parsing(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    posting = sorted(EXAMPLE_POSTINGS.glob("*.md"))[0]
    text = posting.read_text("utf-8")
    slug = read_posting(text, posting.stem).slug
    pipeline.api.load_posting(text, slug)
    pipeline.wait_for(lambda: pipeline.api.intake_knows(slug), "the posting at intake")

    good = cv_pdf()
    files = {
        "encrypted.pdf": cv_pdf(user_password="secret"),
        "truncated.pdf": good[: len(good) // 2],
        "laughs.docx": laughing_docx(),
        "good.pdf": good,  # last: parsed only if the parser survived the others
    }
    ids = {}
    for i, (name, data) in enumerate(files.items()):
        path = tmp_path / name
        path.write_bytes(data)
        reply = pipeline.api.apply_api(slug, path, name=f"Candidate {i}", email=f"c{i}@example.com")
        ids[name] = str(reply["application_id"])

    url = pipeline.config.database_url
    pipeline.wait_for(
        lambda: set(ids.values()) <= set(asyncio.run(profiles(url))), "four stored profiles"
    )
    stored = asyncio.run(profiles(url))
    states = {name: (stored[i]["status"], stored[i]["error_code"]) for name, i in ids.items()}
    assert states == {
        "encrypted.pdf": ("failed", "encrypted"),
        "truncated.pdf": ("failed", "corrupt_file"),
        "laughs.docx": ("failed", "unsafe_xml"),
        "good.pdf": ("parsed", None),
    }
    profile = stored[ids["good.pdf"]]["profile"]
    assert stored[ids["good.pdf"]]["name"] == "Priya Raman"
    assert profile["document"]["two_column_pages"] == [1]
    assert profile["leadership_months"] is not None and profile["leadership_months"] > 0
    assert {e["field"] for e in profile["evidence"]} >= {"name", "emails[0]", "phones[0]"}
    assert all(e["page"] == 1 for e in profile["evidence"] if e["page"] is not None)
