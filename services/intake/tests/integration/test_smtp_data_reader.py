"""The bulk DATA reader of intake's SMTP server gives the handler exactly what aiosmtpd's
line-by-line reader gives, on a real socket, whatever way the bytes are split."""

from __future__ import annotations

import asyncio
import os
import smtplib
import ssl

import pytest
import uvloop
from aiosmtpd.smtp import SMTP, Envelope, Session

from hirestream.intake.entrypoints.smtp import ApplicationSMTP


class Recorder:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages.append(envelope.original_content or b"")
        return f"250 OK got {len(envelope.original_content or b'')}"


async def serve(factory: type[SMTP], limit: int) -> tuple[asyncio.Server, int, Recorder]:
    recorder = Recorder()
    server = await asyncio.get_running_loop().create_server(
        lambda: factory(recorder, data_size_limit=limit), "127.0.0.1", 0
    )
    return server, server.sockets[0].getsockname()[1], recorder


async def converse(port: int, payload: bytes, split: int) -> list[bytes]:
    """Send one transaction (the payload is DATA's content, dot-stuffed, with its final dot
    and a pipelined QUIT) in pieces of ``split`` bytes; return every reply line."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    replies = [await reader.readline()]
    for command in (b"EHLO t\r\n", b"MAIL FROM:<a@b.c>\r\n", b"RCPT TO:<x@y.z>\r\n", b"DATA\r\n"):
        writer.write(command)
        while (line := await reader.readline())[3:4] == b"-":
            pass
        replies.append(line)
    stream = payload + b"QUIT\r\n"
    for start in range(0, len(stream), split):
        writer.write(stream[start : start + split])
        await writer.drain()
        await asyncio.sleep(0)
    replies += [await reader.readline(), await reader.readline()]
    writer.close()
    return replies


CASES = {
    "empty": b".\r\n",
    "one line": b"Subject: x\r\n.\r\n",
    "no final CRLF from the sender's view": b"a\r\nb\r\n.\r\n",
    "dot-stuffed lines": b"..leading dot\r\n...two\r\n..\r\nafter\r\n.\r\n",
    "dot on the first line": b"..x\r\nend\r\n.\r\n",
    "bare LF and dots inside lines": b"a\n.b\r\nc.\r\n\n.\r\n.\r\n",
    "big base64 body": b"".join(os.urandom(57).hex().encode()[:76] + b"\r\n" for _ in range(3000))
    + b".\r\n",
}


@pytest.fixture(params=[1, 7, 4096, 1 << 20], ids=lambda n: f"split{n}")
def split(request: pytest.FixtureRequest) -> int:
    return int(request.param)


async def test_bulk_reader_gives_the_handler_what_aiosmtpd_gives(split: int) -> None:
    await compare_with_aiosmtpd(split)


async def compare_with_aiosmtpd(split: int) -> None:
    for name, payload in CASES.items():
        if split == 1 and len(payload) > 10_000:
            continue  # byte by byte over 200 KB proves nothing more and takes long
        seen: dict[str, tuple[list[bytes], list[bytes]]] = {}
        for factory in (SMTP, ApplicationSMTP):
            server, port, recorder = await serve(factory, 1 << 20)
            try:
                replies = await converse(port, payload, split)
            finally:
                server.close()
            seen[factory.__name__] = (replies, recorder.messages)
        assert seen["ApplicationSMTP"] == seen["SMTP"], name
        assert seen["SMTP"][0][-1].startswith(b"221"), name  # the pipelined QUIT was read


async def test_too_much_data_is_refused_with_552_and_the_session_goes_on() -> None:
    server, port, recorder = await serve(ApplicationSMTP, 4000)
    try:
        big = b"x" * 76 + b"\r\n"
        replies = await converse(port, big * 200 + b".\r\n", 4096)
        barely = await converse(port, b"y" * 3999 + b"\r\n.\r\n", 1000)
    finally:
        server.close()
    assert replies[-2].startswith(b"552") and replies[-1].startswith(b"221")
    assert barely[-2].startswith(b"552")  # 4001 bytes with the CRLF: over by one
    assert recorder.messages == []


def test_the_server_works_the_same_on_uvloop_with_and_without_starttls(
    smtp_tls: ssl.SSLContext,
) -> None:
    """intake runs on uvloop (``app.run``): aiosmtpd's stream protocol, the bulk reader
    (which feeds a pipelined command back to the reader) and STARTTLS (aiosmtpd wraps the
    transport in asyncio's own SSLProtocol) must behave there as on asyncio's loop."""
    tls = smtp_tls
    mail = b"Subject: x\r\n\r\n" + CASES["big base64 body"][:-3]

    def send_over_tls(port: int) -> tuple[bool, bool]:
        client = ssl.create_default_context()
        client.check_hostname = False
        client.verify_mode = ssl.CERT_NONE
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.ehlo()
            offered = smtp.has_extn("starttls")
            smtp.starttls(context=client)
            smtp.ehlo()
            smtp.sendmail("a@b.c", ["x@y.z"], mail)
            return offered, smtp.sock.version() is not None  # type: ignore[union-attr]

    async def check() -> None:
        assert isinstance(asyncio.get_running_loop(), uvloop.Loop)
        for split in (7, 4096, 1 << 20):
            await compare_with_aiosmtpd(split)
        recorder = Recorder()
        server = await asyncio.get_running_loop().create_server(
            lambda: ApplicationSMTP(recorder, tls_context=tls), "127.0.0.1", 0
        )
        try:
            port = server.sockets[0].getsockname()[1]
            offered, encrypted = await asyncio.to_thread(send_over_tls, port)
        finally:
            server.close()
        assert offered and encrypted
        assert recorder.messages == [mail]

    uvloop.run(check())
