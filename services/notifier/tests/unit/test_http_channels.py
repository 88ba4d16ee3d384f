from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from hirestream.notifier.adapters.http_channels import (
    HttpChannelSender,
    classify,
    retry_after_seconds,
)
from hirestream.notifier.domain.signing import verify
from hirestream.notifier.ports import DeliveryFailed, Outgoing


def response(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=httpx.Request("POST", "http://x"))


@pytest.mark.parametrize(
    ("status", "headers", "transient", "retry_after"),
    [
        (500, {}, True, None),
        (503, {"retry-after": "12"}, True, 12.0),
        (429, {"retry-after": "3"}, True, 3.0),
        (404, {}, False, None),
        (400, {}, False, None),
        (410, {}, False, None),
    ],
)
def test_status_codes_are_classified(
    status: int, headers: dict[str, str], transient: bool, retry_after: float | None
) -> None:
    with pytest.raises(DeliveryFailed) as failure:
        classify(response(status, **headers))
    assert failure.value.transient is transient and failure.value.retry_after == retry_after


def test_2xx_is_delivered() -> None:
    classify(response(204))


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30
    assert retry_after_seconds("soon", now) is None


def test_signed_webhook_request_verifies_with_each_secret() -> None:
    sender = HttpChannelSender("webhook", httpx.AsyncClient(), timestamp=lambda: 1_700_000_000)
    message = Outgoing(
        message_id=uuid.uuid4(),
        channel="webhook",
        kind="instant",
        destination={"url": "http://x", "secrets": ["a", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]},
        items=[
            {
                "application_id": "a",
                "posting_id": "p",
                "tier": "weak",
                "score": 1,
                "link": "l",
            }
        ],
    )
    body, headers = sender.request(message)
    assert headers["webhook-id"] == f"msg_{message.message_id.hex}"
    for secret in message.destination["secrets"]:
        assert verify(secret, headers, body, now=1_700_000_001)
