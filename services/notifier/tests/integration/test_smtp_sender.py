from __future__ import annotations

import asyncio

import pytest
import uvloop

from hirestream.cli.sink import SmtpSink
from hirestream.kit.devstack import free_port
from hirestream.notifier.adapters.smtp import SmtpEmailSender
from hirestream.notifier.ports import Email

pytestmark = pytest.mark.integration


async def test_email_reaches_a_real_smtp_server_with_its_message_id() -> None:
    port = free_port()
    sink = SmtpSink(port)
    sink.start()
    try:
        await SmtpEmailSender("127.0.0.1", port).send(
            Email("<d1@hirestream>", "alerts@example.com", "team@example.com", "Subject ✓", "Body")
        )
    finally:
        sink.stop()
    (mail,) = sink.messages
    assert mail.recipients == ("team@example.com",)
    assert mail.message_id == "<d1@hirestream>"
    assert mail.subject == "Subject ✓" and mail.body.strip() == "Body"


async def test_unreachable_smtp_server_raises_so_the_event_is_retried() -> None:
    with pytest.raises(OSError):
        await SmtpEmailSender("127.0.0.1", free_port(), timeout=2).send(
            Email("<d2@hirestream>", "a@example.com", "b@example.com", "s", "t")
        )


async def test_messages_share_a_kept_connection_and_a_dropped_one_is_replaced() -> None:
    port = free_port()
    sender = SmtpEmailSender("127.0.0.1", port)
    sink = SmtpSink(port)
    sink.start()
    try:
        for i in range(3):
            await sender.send(
                Email(f"<k{i}@hirestream>", "a@example.com", "b@example.com", "s", "t")
            )
        (kept,) = sender._idle  # one connection carried all three
    finally:
        sink.stop()
    # The server went away with our idle connection; a new one listens on the same port.
    sink = SmtpSink(port)
    sink.start()
    try:
        await sender.send(Email("<k3@hirestream>", "a@example.com", "b@example.com", "s", "t"))
        (replacement,) = sender._idle
    finally:
        sink.stop()
        sender.close()
    assert [m.message_id for m in sink.messages] == ["<k3@hirestream>"]
    assert replacement is not kept


def test_the_sender_works_on_uvloop_the_loop_the_notifier_runs_on() -> None:
    """``python -m hirestream.notifier`` runs on uvloop: aiosmtplib's transport on it."""
    port = free_port()
    sink = SmtpSink(port)
    sink.start()

    async def send_two() -> None:
        assert isinstance(asyncio.get_running_loop(), uvloop.Loop)
        sender = SmtpEmailSender("127.0.0.1", port)
        for i in range(2):
            await sender.send(
                Email(f"<u{i}@hirestream>", "a@example.com", "b@example.com", "s", "é")
            )
        sender.close()

    try:
        uvloop.run(send_two())
    finally:
        sink.stop()
    assert [m.message_id for m in sink.messages] == ["<u0@hirestream>", "<u1@hirestream>"]
    assert all(m.body.strip() == "é" for m in sink.messages)
