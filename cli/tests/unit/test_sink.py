"""The SMTP sink keeps each message as it arrived and parses it when read."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from hirestream.cli.commands.bench import Notifications
from hirestream.cli.sink import SmtpSink
from hirestream.kit.devstack import free_port


def test_captured_mail_is_parsed_when_read_and_the_bench_finds_its_application() -> None:
    application_id = "0b9f6a52-2f4e-4c8e-9d53-6f1f0e0f6a11"
    message = EmailMessage()
    message["From"] = "hirestream@example.com"
    message["To"] = "team@example.com"
    message["Subject"] = "Nouvelle candidature : Zoë"
    message["Message-ID"] = "<m1@example.com>"
    # A long line, so that quoted-printable soft line breaks may fall inside the link.
    link = f"https://hirestream.example.com/v1/applications/{application_id}"
    message.set_content("x" * 10 + link + "\n", charset="utf-8", cte="quoted-printable")
    port = free_port()
    sink = SmtpSink(port)
    sink.start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.send_message(message)
        (mail,) = sink.messages
        assert application_id.encode() not in mail.raw  # a soft break cuts the id on the wire
        assert mail.subject == "Nouvelle candidature : Zoë"
        assert mail.message_id == "<m1@example.com>"
        assert link in mail.body
        assert Notifications(sink).update() == {application_id: mail.received_at}
    finally:
        sink.stop()
