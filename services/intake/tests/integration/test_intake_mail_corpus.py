"""Every edge-case email of the shared corpus through the mail path (the parser every mail
channel shares, then the real store): accepted with its attachments byte-identical, or refused
with a reason; nothing else."""

from __future__ import annotations

import email
import email.policy
import uuid
from email.message import Message
from pathlib import Path

import asyncpg
import pytest

from hirestream.intake.domain.mail import MailLimits, parse_application_emails
from hirestream.intake.domain.submission import Refusal
from hirestream.intake.entrypoints.submit import submit_all
from hirestream.intake.handlers import RateLimit
from hirestream.kit.blobstore import get_blob

pytestmark = pytest.mark.integration
CORPUS = Path("/work/shared/data/emails-mikel-mail")
REASONS = {
    "no_cv",
    "automated_message",
    "undecodable_charset",
    "missing_body",
    "malformed_message",
    "forbidden_type",
    "too_many_attachments",
    "too_many_parts",
    "too_deep",
    "too_large",
}


def decoded_payloads(raw: bytes) -> list[bytes]:
    """The corpus file's leaf payloads decoded independently (compat32 parser)."""
    found: list[bytes] = []

    def walk(part: Message) -> None:
        payload = part.get_payload()
        if isinstance(payload, list):
            for child in payload:
                if isinstance(child, Message):
                    walk(child)
            return
        data = part.get_payload(decode=True)
        if isinstance(data, bytes):
            found.append(data)

    walk(email.message_from_bytes(raw, policy=email.policy.compat32))
    return found


@pytest.fixture
def corpus_files() -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(CORPUS.rglob("*.eml"))]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared mail corpus absent: {CORPUS}")
async def test_every_corpus_email_is_accepted_intact_or_refused_with_a_reason(
    intake_pool: asyncpg.Pool, corpus_files: list[tuple[str, bytes]]
) -> None:
    files = corpus_files
    assert len(files) >= 100
    outcomes: dict[str, str] = {}
    for index, (name, raw) in enumerate(files):
        slug = f"corpus-{index}"  # a posting each: every accepted mail is its own application
        await intake_pool.execute(
            "INSERT INTO postings (posting_id, slug, title) VALUES ($1, $2, $2)",
            uuid.uuid4(),
            slug,
        )
        try:
            submissions = parse_application_emails(raw, slug, MailLimits())
            receipts = await submit_all(
                intake_pool, "", submissions, RateLimit(max_applications=1000)
            )
        except Refusal as refusal:
            assert refusal.code in REASONS, (name, refusal.code)
            assert len(refusal.message) > 10
            outcomes[name] = refusal.code
            continue
        assert receipts, name
        originals = decoded_payloads(raw)
        for receipt in receipts:
            stored = await intake_pool.fetch(
                "SELECT sha256 FROM application_attachments WHERE application_id = $1",
                receipt.application_id,
            )
            assert stored, name
            for row in stored:
                data = await get_blob(intake_pool, row["sha256"])
                assert data in originals, f"{name}: an attachment was altered"
            raw_sha256 = await intake_pool.fetchval(
                "SELECT raw_sha256 FROM applications WHERE application_id = $1",
                receipt.application_id,
            )
            assert await get_blob(intake_pool, raw_sha256) == raw, name
        outcomes[name] = "accepted"
    accepted = [name for name, outcome in outcomes.items() if outcome == "accepted"]
    assert len(outcomes) == len(files)
    assert {"attachment_pdf.eml", "japanese_attachment.eml"} <= set(accepted)
    assert outcomes["report_422.eml"] == "automated_message"
    assert outcomes["raw_email10.eml"] == "undecodable_charset"
