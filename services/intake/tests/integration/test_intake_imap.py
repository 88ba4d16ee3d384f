"""Reading applications from an existing mailbox on a real IMAP server (Debian's Dovecot, started
here): processed mail is flagged only once durable, refused mail is flagged apart, and a storage
outage leaves the mail unread for the next pass. IDLE wakes the poller on new mail."""

from __future__ import annotations

import asyncio
import imaplib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import asyncpg
import pytest

from hirestream.intake.adapters.imap import ImapMailbox, MailboxConfig
from hirestream.intake.domain.mail import MailLimits
from hirestream.intake.entrypoints.imap import MailboxPoller
from hirestream.intake.handlers import RateLimit
from hirestream.kit.db import create_pool
from hirestream.kit.devstack import free_port

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        shutil.which("dovecot") is None,
        reason="Dovecot not installed (system-packages.txt: dovecot-imapd)",
    ),
]
CV = b"%PDF-1.4\n% a CV by mail"


@pytest.fixture
def dovecot() -> Iterator[MailboxConfig]:
    # Dovecot's unprivileged auth and mail processes must reach these files: not pytest's
    # private tmp_path (0700) but a directory of our own, readable by them.
    tmp_path = Path(tempfile.mkdtemp(prefix="intake-dovecot-"))
    tmp_path.chmod(0o755)
    port = free_port()
    home = tmp_path / "home"
    for d in ("run", "state", "home"):
        (tmp_path / d).mkdir()
    uid, gid = (65534, 65534) if os.getuid() == 0 else (os.getuid(), os.getgid())
    if os.getuid() == 0:
        os.chown(home, uid, gid)
    (tmp_path / "users").write_text("jobs:{PLAIN}s3cret::::::\n")
    login_user = "" if os.getuid() == 0 else f"default_login_user = {os.getlogin()}\n"
    config = tmp_path / "dovecot.conf"
    config.write_text(
        f"""base_dir = {tmp_path}/run
state_dir = {tmp_path}/state
log_path = {tmp_path}/dovecot.log
{login_user}protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{home}/%u/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {tmp_path}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}/%u
}}
"""
    )
    subprocess.run(["dovecot", "-c", str(config)], check=True)
    try:
        yield MailboxConfig("127.0.0.1", port, False, "jobs", "s3cret")
    finally:
        subprocess.run(["dovecot", "-c", str(config), "stop"], check=False)
        shutil.rmtree(tmp_path, ignore_errors=True)


def append(config: MailboxConfig, to: str, attachment: bytes | None, sender: str) -> None:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = "Application"
    message.set_content("Hello, my CV is attached.")
    if attachment is not None:
        message.add_attachment(attachment, maintype="application", subtype="pdf", filename="cv.pdf")
    conn = imaplib.IMAP4(config.host, config.port)
    conn.login(config.user, config.password)
    conn.append("INBOX", "", None, bytes(message))  # type: ignore[arg-type]
    conn.logout()


def flags(config: MailboxConfig) -> list[str]:
    conn = imaplib.IMAP4(config.host, config.port)
    conn.login(config.user, config.password)
    conn.select("INBOX")
    _, data = conn.fetch("1:*", "(FLAGS)")
    conn.logout()
    return sorted(
        " ".join(f for f in ("\\Seen", "$Refused") if f.encode() in item)
        for item in data
        if isinstance(item, bytes)
    )


def poller(pool: asyncpg.Pool, config: MailboxConfig, poll_seconds: float = 30) -> MailboxPoller:
    return MailboxPoller(
        pool,
        "",
        ImapMailbox(config),
        domain="jobs.example.com",
        default_posting="backend-engineer",
        limits=MailLimits(),
        rate_limit=RateLimit(),
        poll_seconds=poll_seconds,
    )


async def test_mailbox_mail_is_flagged_only_when_durable_or_refused(
    intake_pool: asyncpg.Pool, dovecot: MailboxConfig
) -> None:
    await asyncio.to_thread(
        append, dovecot, "jobs+data-engineer@jobs.example.com", CV, "Ana <ana@example.org>"
    )
    await asyncio.to_thread(append, dovecot, "jobs@company.example", CV + b"2", "bo@example.net")
    await asyncio.to_thread(
        append, dovecot, "jobs@jobs.example.com", None, "Cy <cy@example.org>"
    )  # no CV

    # The database is unreachable: nothing is marked, everything stays for the next pass.
    unreachable = await create_pool(
        f"postgresql://postgres@127.0.0.1:{free_port()}/none", "intake", min_size=0
    )
    down = await poller(unreachable, dovecot).process_once()
    await unreachable.close()
    assert down == {"accepted": 0, "refused": 1, "deferred": 2}

    counts = await poller(intake_pool, dovecot).process_once()
    again = await poller(intake_pool, dovecot).process_once()
    assert counts == {"accepted": 2, "refused": 0, "deferred": 0}
    assert again == {"accepted": 0, "refused": 0, "deferred": 0}
    rows = await intake_pool.fetch(
        "SELECT p.slug, a.candidate_email FROM applications a JOIN postings p USING (posting_id)"
        " ORDER BY p.slug"
    )
    assert [tuple(r) for r in rows] == [
        ("backend-engineer", "bo@example.net"),  # the mailbox's default posting
        ("data-engineer", "ana@example.org"),  # plus-addressed
    ]
    assert await asyncio.to_thread(flags, dovecot) == ["\\Seen", "\\Seen", "\\Seen $Refused"]


async def test_idle_wakes_the_poller_when_new_mail_arrives(
    intake_pool: asyncpg.Pool, dovecot: MailboxConfig
) -> None:
    mailbox_poller = poller(intake_pool, dovecot, poll_seconds=60)  # only IDLE can be this quick
    stop = asyncio.Event()
    task = asyncio.create_task(mailbox_poller.run(stop))
    try:
        await asyncio.sleep(0.5)  # the poller is now idling
        await asyncio.to_thread(
            append, dovecot, "backend-engineer@jobs.example.com", CV, "Di <di@example.org>"
        )
        for _ in range(100):
            if await intake_pool.fetchval("SELECT count(*) FROM applications"):
                break
            await asyncio.sleep(0.1)
        assert await intake_pool.fetchval("SELECT count(*) FROM applications") == 1
    finally:
        stop.set()
        await asyncio.wait_for(task, 90)


async def test_the_service_polls_a_mailbox_only_when_one_is_configured(
    intake_pool: asyncpg.Pool,
) -> None:
    from hirestream.intake.app import build
    from hirestream.intake.config import IntakeSettings

    plain = build(IntakeSettings(), intake_pool)
    with_mailbox = build(
        IntakeSettings(imap_host="imap.example.com", imap_user="jobs", imap_password="pw"),
        intake_pool,
    )
    assert len(with_mailbox.background) == len(plain.background) + 1
    assert "pw" not in repr(with_mailbox.background)
