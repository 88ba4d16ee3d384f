"""RCPT remembers for a few seconds that a posting is open; DATA still decides, in the
transaction that stores the application."""

from __future__ import annotations

import asyncio
import smtplib
import uuid
from email.message import EmailMessage

import asyncpg
import pytest

from hirestream.intake.entrypoints.smtp import ApplicationMailHandler, ApplicationSMTP
from hirestream.kit.devstack import free_port

pytestmark = pytest.mark.integration
CV = b"%PDF-1.4\n% a tiny but sniffable CV"


@pytest.fixture
def open_postings() -> tuple[str, ...]:
    return ()


def send(port: int, to: str, sender: str) -> tuple[int, int, bytes]:
    """(RCPT code, DATA code, DATA reply); DATA code 0 when RCPT refused."""
    message = EmailMessage()
    message["From"] = f"Ana <{sender}>"
    message["To"] = to
    message["Message-ID"] = f"<{uuid.uuid4()}@example.org>"
    message.set_content("My CV.")
    message.add_attachment(
        CV + uuid.uuid4().bytes, maintype="application", subtype="pdf", filename="cv.pdf"
    )
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.ehlo()
        smtp.mail(sender)
        rcpt, _ = smtp.rcpt(to)
        if rcpt != 250:
            return rcpt, 0, b""
        code, reply = smtp.data(bytes(message))
        return rcpt, code, reply


async def test_a_posting_gone_after_rcpt_saw_it_is_refused_at_data_and_nothing_is_stored(
    pool: asyncpg.Pool,
) -> None:
    slug = f"nurse-{uuid.uuid4().hex[:8]}"
    handler = ApplicationMailHandler(pool, "", "jobs.example.com")
    port = free_port()
    server = await asyncio.get_running_loop().create_server(
        lambda: ApplicationSMTP(handler), "127.0.0.1", port
    )
    to = f"{slug}@jobs.example.com"
    try:
        # Unknown: refused at RCPT, and not remembered as unknown...
        assert (await asyncio.to_thread(send, port, to, "a@example.org"))[0] == 550
        posting_id = uuid.uuid4()
        await pool.execute(
            "INSERT INTO postings (posting_id, slug, title) VALUES ($1, $2, $2)", posting_id, slug
        )
        # ...so once published it is accepted at once.
        first = await asyncio.to_thread(send, port, to, "b@example.org")
        # Its slug taken elsewhere (postings are never deleted: applications refer to them).
        await pool.execute(
            "UPDATE postings SET slug = slug || '-moved' WHERE posting_id = $1", posting_id
        )
        # RCPT still trusts what it saw a moment ago; DATA looks again and refuses.
        gone = await asyncio.to_thread(send, port, to, "c@example.org")
    finally:
        server.close()
        await server.wait_closed()
    assert first[:2] == (250, 250)
    assert gone[:2] == (250, 550) and b"5.1.1" in gone[2]
    assert (
        await pool.fetchval(
            "SELECT count(*) FROM applications WHERE candidate_email = 'c@example.org'"
        )
        == 0
    )
