"""``parse_application`` against a real PostgreSQL with the real extraction worker: the stored
profile carries evidence, the event carries leadership months, bad files fail precisely."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import asyncpg
import pytest
from fpdf import FPDF

from hirestream.contracts import ApplicationReceivedV1, BlobRef, Channel
from hirestream.kit.blobstore import put_blob
from hirestream.parser.adapters.cv_texts import CvTexts
from hirestream.parser.adapters.postgres import PostgresParserStore
from hirestream.parser.adapters.worker import ExtractionWorker
from hirestream.parser.handlers import parse_application

pytestmark = pytest.mark.integration

PREFIX = "t."
CV_PAGES = [
    [
        "Marie Curie",
        "marie.curie@example.fr | +33 6 12 34 56 78",
        "Expérience professionnelle",
        "Responsable d'équipe data, Acme SA",
        "Janv. 2020 - présent",
        "Ingénieure logiciel, Globex SARL",
        "2016 - 2019",
    ],
    [
        "Compétences",
        "Python, Kubernetes, PostgreSQL",
        "Formation",
        "Master en informatique, Université de Lyon, 2016",
        "Langues",
        "Anglais : courant ; Espagnol : B1",
    ],
]


def pdf(pages: list[list[str]], user_password: str | None = None) -> bytes:
    document = FPDF()
    document.set_font("Helvetica", size=11)
    if user_password:
        document.set_encryption(owner_password="o", user_password=user_password)
    for lines in pages:
        document.add_page()
        for line in lines:
            document.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


@pytest.fixture(scope="module")
def worker() -> Iterator[ExtractionWorker]:
    worker = ExtractionWorker(today=date(2024, 6, 1))
    yield worker
    worker.close()


async def parse(
    pool: asyncpg.Pool, data: bytes, worker: ExtractionWorker
) -> tuple[dict[str, Any], dict[str, Any]]:
    async with pool.acquire() as conn:
        blob = await put_blob(conn, data, "application/pdf")
        event = ApplicationReceivedV1(
            application_id=uuid.uuid4(),
            posting_id=uuid.uuid4(),
            posting_slug="data-lead",
            channel=Channel.API,
            cv=BlobRef(sha256=blob.sha256, media_type="application/pdf", size=len(data)),
        )
        async with conn.transaction():
            await parse_application(
                PostgresParserStore(conn, PREFIX),
                event,
                CvTexts(pool, worker.read),
            )
        row = await conn.fetchrow(
            "SELECT * FROM profiles WHERE application_id = $1", event.application_id
        )
        payload = await conn.fetchval(
            "SELECT payload FROM outbox WHERE topic = $1 AND key = $2",
            PREFIX + "profile.parsed.v1",
            str(event.application_id),
        )
    assert row is not None
    stored = dict(row)
    for key in ("profile", "emails", "phones"):
        if isinstance(stored[key], str):
            stored[key] = json.loads(stored[key])
    return stored, json.loads(payload) if isinstance(payload, str) else payload


async def test_a_two_page_french_cv_is_stored_with_evidence_and_announced(
    pool: asyncpg.Pool, worker: ExtractionWorker
) -> None:
    row, event = await parse(pool, pdf(CV_PAGES), worker)
    assert row["status"] == "parsed"
    assert row["name"] == "Marie Curie"
    assert row["phones"] == ["+33612345678"]
    profile = row["profile"]
    assert profile["document"]["pages"] == 2
    assert profile["quality"] == {"usable": True, "reasons": []}
    evidence = {e["field"]: e for e in profile["evidence"]}
    assert evidence["name"]["page"] == 1
    assert evidence["emails[0]"]["value"] == "marie.curie@example.fr"
    skills = {e["value"]: e for e in profile["evidence"] if e["field"].startswith("skills")}
    assert skills["Kubernetes"]["page"] == 2
    span = skills["Kubernetes"]
    assert 0 < span["confidence"] <= 1 and span["end"] - span["start"] == len("Kubernetes")
    # Each stored skill says whether the CV claims it, with the claim classifier's confidence,
    # which is also its evidence's; the event names every skill, claimed or not.
    stored_skills = {s["name"]: s for s in profile["skills"]}
    assert set(stored_skills) == set(skills)
    for name, skill in stored_skills.items():
        assert isinstance(skill["claimed"], bool)
        assert skill["confidence"] == pytest.approx(skills[name]["confidence"], abs=0.01)

    assert event["status"] == "parsed"
    assert event["leadership_months"] == 54  # Jan 2020 to Jun 2024 as "Responsable d'équipe"
    assert event["total_experience_months"] == 37 + 54
    assert {"language": "en", "level": "C1"} in event["languages"]  # "courant": fluent
    assert any("Master" in d for d in event["degrees"])
    # Where each skill is written travels as positions only, equal to the stored evidence.
    located = {loc["skill"]: loc for loc in event["skill_locations"]}
    assert set(located) == set(event["skills"])
    assert set(event["skills"]) == set(stored_skills)  # claimed or not, scoring reads them all
    assert (located["Kubernetes"]["page"], located["Kubernetes"]["start"]) == (2, span["start"])
    assert "marie" not in json.dumps(event).lower()  # contact details stay in the parser


async def test_an_encrypted_pdf_is_stored_and_announced_as_failed(
    pool: asyncpg.Pool, worker: ExtractionWorker
) -> None:
    row, event = await parse(pool, pdf(CV_PAGES, user_password="pw"), worker)
    assert (row["status"], row["error_code"]) == ("failed", "encrypted")
    assert (event["status"], event["error_code"]) == ("failed", "encrypted")
    assert event["skills"] == [] and event["skill_locations"] == []


async def test_an_invoice_is_not_a_cv_and_nothing_is_guessed(
    pool: asyncpg.Pool, worker: ExtractionWorker
) -> None:
    invoice = [["INVOICE No 2024-118", "Bill to: Acme SA", "Description  Qty  Unit price",
                "Python training  2  600.00", "Subtotal 1200.00", "VAT number FR123456789",
                "Total due 1440.00", "Payment terms: 30 days"]]  # fmt: skip
    row, event = await parse(pool, pdf(invoice), worker)
    assert (row["status"], row["error_code"]) == ("failed", "not_a_cv")
    assert row["name"] is None and row["emails"] == []
    assert event["error_code"] == "not_a_cv" and event["skills"] == []
