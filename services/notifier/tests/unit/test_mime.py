"""The directly written MIME bytes against the email package's compat32 classes, which built
the notifier's emails before: the same bytes for the same boundary and date."""

from __future__ import annotations

import email
import random
import string
from dataclasses import replace
from email import policy
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, getaddresses
from typing import cast

import pytest

from hirestream.notifier.adapters.mime import fold, mime_bytes, new_boundary
from hirestream.notifier.adapters.render import render_acknowledgement, render_alert, render_digest
from hirestream.notifier.domain.messages import header_safe
from hirestream.notifier.ports import Contact, Email

DATE = "Tue, 01 Dec 2026 16:47:33 GMT"

# ---- the reference: how adapters/smtp.py built the message with the email package

_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP
_UTF8.header_encoding = QP


def _addresses(value: str) -> str:
    return ", ".join(formataddr(pair, charset="utf-8") for pair in getaddresses([value]))


def _header(value: str) -> str:
    return value if value.isascii() else Header(value, "utf-8").encode()


def _text(text: str, subtype: str) -> MIMEText:
    return MIMEText(text, subtype, cast(str, _UTF8))


def reference(mail: Email, boundary: str) -> bytes:
    message: Message
    if mail.html is None:
        message = _text(mail.text, "plain")
    else:
        message = MIMEMultipart("alternative", boundary=boundary)
        message.attach(_text(mail.text, "plain"))
        message.attach(_text(mail.html, "html"))
    message["From"] = _addresses(header_safe(mail.sender))
    message["To"] = _addresses(header_safe(mail.recipient))
    message["Subject"] = _header(header_safe(mail.subject))
    message["Message-ID"] = mail.message_id
    message["Date"] = DATE
    message["Auto-Submitted"] = "auto-generated"
    return message.as_bytes()


# ---- cases

ITEM = {
    "application_id": "0b7d4a0e-5b1c-4c3e-9a51-3f0c2f1d9e01",
    "posting_id": "22222222-2222-4222-8222-222222222222",
    "posting_slug": "be",
    "posting_title": "Backend Engineer (Zürich)",
    "tier": "strong",
    "score": 87,
    "matched": ["Python", "PostgreSQL", "Kafka"],
    "matched_total": 3,
    "missing": ["Kubernetes"],
    "link": "http://127.0.0.1:8001/v1/applications/0b7d4a0e-5b1c-4c3e-9a51-3f0c2f1d9e01",
    "scored_at": "2026-12-01T16:47:33+00:00",
}


def _random_text(rng: random.Random) -> str:
    pieces = [
        string.ascii_letters, string.digits, " \t", "=.-_:;,!?<>&\"'", "äöüéß—“”€✓中文🙂",
        "\n", "\r\n", "\r",
    ]  # fmt: skip
    lines = []
    for _ in range(rng.randint(0, 12)):
        alphabet = "".join(rng.sample(pieces, rng.randint(1, len(pieces))))
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 180)))
        lines.append(
            rng.choice(["", ".", "From ", "--", "=="]) + line + rng.choice(["", " ", "\t", "="])
        )
    return "\n".join(lines) + rng.choice(["", "\n", "\n\n"])


def _random_recipients(rng: random.Random) -> str:
    names = ["", "Hiring Team", "Ünal Şahin", "Zoë “the lead”", 'Team, "Backend"', "x" * 60]
    people = []
    for i in range(rng.randint(1, 5)):
        name = rng.choice(names)
        address = f"team-{i}-{rng.randint(0, 10**6)}@example.com"
        people.append(f'"{name}" <{address}>' if name else address)
    return ", ".join(people)


def _emails() -> list[Email]:
    rng = random.Random(20261201)
    alert = render_alert(ITEM, None)
    contact = Contact("Ada Lovelace", "ada@cand.test")
    ack_item = {**ITEM, "subject": "We received your application for {{ posting_title }}",
                "template": None, "withdraw_url": "http://x/withdraw"}  # fmt: skip
    rendered = [
        alert,
        render_alert(ITEM, contact),
        render_digest([ITEM, {**ITEM, "tier": "weak", "score": 12}]),
        render_acknowledgement(ack_item, contact),
    ]
    mails = [
        Email("<m0@hirestream>", "hirestream <alerts@hirestream.localhost>",
              "hiring-be@example.com", subject, text, html)
        for subject, text, html in rendered
    ]  # fmt: skip
    mails += [
        Email("<m1@hirestream>", "alerts@example.com", "b@example.com", "s", "t"),
        Email("<m2@hirestream>", "a@example.com", "b@example.com", "", "", ""),
        Email("<m3@hirestream>", "Ünal <a@example.com>", _random_recipients(rng), "x" * 190, "y"),
    ]
    for i in range(300):
        mails.append(
            Email(
                f"<{i}-{rng.randint(0, 10**9)}@hirestream>",
                rng.choice(["hirestream <alerts@hirestream.localhost>", "Zoë <z@example.com>"]),
                _random_recipients(rng),
                _random_text(rng)[:220],
                _random_text(rng),
                rng.choice([None, _random_text(rng)]),
            )
        )
    return mails


@pytest.mark.parametrize("mail", _emails())
def test_the_bytes_are_the_email_packages_for_the_same_boundary_and_date(mail: Email) -> None:
    boundary = new_boundary()
    try:
        expected = reference(mail, boundary)
    except UnicodeError:  # an address the email package cannot write (non-ASCII): same here
        with pytest.raises(UnicodeError):
            mime_bytes(mail, date=DATE, boundary=boundary)
        return
    assert mime_bytes(mail, date=DATE, boundary=boundary) == expected


def test_the_parts_decode_to_the_texts_and_the_headers_to_their_values() -> None:
    subject, text, html = render_alert(ITEM, None)
    mail = Email("<p@hirestream>", "hirestream <alerts@hirestream.localhost>",
                 "Ünal <u@example.com>, hiring-be@example.com", subject, text, html)  # fmt: skip
    parsed = email.message_from_bytes(mime_bytes(mail), policy=policy.default)
    # compat32 starts a folded encoded subject on its own line, as before: read back with one
    # leading space by the modern parser.
    assert parsed["Subject"].strip() == subject and parsed["Message-ID"] == "<p@hirestream>"
    assert parsed["To"] == "Ünal <u@example.com>, hiring-be@example.com"
    assert parsed.get_content_type() == "multipart/alternative"
    plain, rich = parsed.iter_parts()
    assert plain.get_content() == text and rich.get_content() == html  # type: ignore[attr-defined]
    assert "Zürich" in text and "—" in subject


def test_short_printable_ascii_values_are_what_header_encode_returns() -> None:
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + " \t,;:<>@.()\"'[]=?-_"
    for _ in range(20000):
        name = rng.choice(["Date", "Message-ID", "From", "To", "Subject"])
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        expected = Header(value, header_name=name).encode(linesep="\n", maxlinelen=78)
        assert fold(name, value) == expected, (name, value)


def test_a_boundary_never_occurs_in_a_quoted_printable_body() -> None:
    mail = Email("<b@hirestream>", "a@example.com", "b@example.com", "s",
                 "=" * 200 + "\n==============\n", "<p>" + "=" * 40 + "</p>")  # fmt: skip
    data = mime_bytes(mail)
    boundary = email.message_from_bytes(data).get_boundary()
    assert boundary is not None and data.count(boundary.encode()) == 4  # header + 3 delimiters


def test_nothing_of_an_email_to_a_candidate_is_kept_in_a_cache() -> None:
    from hirestream.notifier.adapters import mime

    mime._folded.cache_clear()
    mime._encoded_subject.cache_clear()
    name = "Zoë Ångström-Øverli " * 4  # long and not ASCII: folded and encoded
    to_candidate = Email("<c@hirestream>", "alerts@example.com", f'"{name}" <z@cand.test>',
                         f"Thank you, {name}", "t", personal=True)  # fmt: skip
    personal = mime_bytes(to_candidate, date=DATE)
    assert mime._folded.cache_info().currsize == 0
    assert mime._encoded_subject.cache_info().currsize == 0
    boundary = new_boundary()  # and the bytes are the same as for anyone else
    assert personal == mime_bytes(
        replace(to_candidate, personal=False), date=DATE, boundary=boundary
    )
    assert mime._encoded_subject.cache_info().currsize == 1  # a team's subject is kept
