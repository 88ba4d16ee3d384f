from __future__ import annotations

import pytest

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
