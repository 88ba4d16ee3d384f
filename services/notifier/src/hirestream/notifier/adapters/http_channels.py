"""Slack incoming webhooks, Teams workflow webhooks and signed generic webhooks over httpx.

Response classes: 2xx delivered; timeouts, connection errors, 5xx and 429 are transient (429 and
503 honour ``Retry-After``); any other 4xx is permanent.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from hirestream.kit.telemetry import current_carrier, tracer
from hirestream.notifier.domain.messages import slack_message, teams_message, webhook_body
from hirestream.notifier.domain.signing import sign_headers
from hirestream.notifier.ports import Contact, DeliveryFailed, Outgoing

USER_AGENT = "hirestream-notifier/0.1"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def classify(response: httpx.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    reason = f"HTTP {status}: {response.text[:200]}"
    if status == 429 or status >= 500:
        raise DeliveryFailed(
            reason,
            transient=True,
            retry_after=retry_after_seconds(response.headers.get("retry-after")),
        )
    raise DeliveryFailed(reason, transient=False)


class HttpChannelSender:
    """One sender per chat/webhook channel type, sharing a connection pool."""

    def __init__(
        self,
        channel: str,
        client: httpx.AsyncClient,
        *,
        timestamp: Callable[[], float] = time.time,
    ) -> None:
        if channel not in ("slack", "teams", "webhook"):
            raise ValueError(channel)
        self._channel = channel
        self._client = client
        self._timestamp = timestamp

    def request(self, message: Outgoing) -> tuple[bytes, dict[str, str]]:
        """The body and headers to send (public for tests and the demo)."""
        digest = message.kind == "digest"
        headers = {"content-type": "application/json", "user-agent": USER_AGENT}
        if self._channel == "slack":
            payload: dict[str, Any] = slack_message(message.items, digest=digest)
        elif self._channel == "teams":
            payload = teams_message(message.items, digest=digest)
        else:
            ts = int(self._timestamp())
            msg_id = f"msg_{message.message_id.hex}"
            payload = webhook_body(
                message.items,
                digest=digest,
                message_id=msg_id,
                timestamp=datetime.fromtimestamp(ts, UTC).isoformat(),
            )
            body = json.dumps(payload, separators=(",", ":")).encode()
            headers.update(sign_headers(message.destination["secrets"], msg_id, ts, body))
            return body, headers
        return json.dumps(payload, separators=(",", ":")).encode(), headers

    async def send(self, message: Outgoing) -> None:
        _never_contact(message.contact)
        body, headers = self.request(message)
        with tracer().start_as_current_span(f"notifier.deliver {self._channel}") as span:
            span.set_attribute("hirestream.delivery.channel", self._channel)
            span.set_attribute("hirestream.delivery.id", str(message.message_id))
            if self._channel == "webhook":
                headers.update(current_carrier())
            try:
                response = await self._client.post(
                    message.destination["url"], content=body, headers=headers
                )
            except httpx.TimeoutException as exc:
                raise DeliveryFailed(f"timeout: {type(exc).__name__}", transient=True) from exc
            except httpx.HTTPError as exc:
                raise DeliveryFailed(f"{type(exc).__name__}: {exc}", transient=True) from exc
            span.set_attribute("http.response.status_code", response.status_code)
            classify(response)


def _never_contact(contact: Contact | None) -> None:
    # Data minimisation: chat channels and webhooks are planned without contact details.
    if contact is not None:
        raise DeliveryFailed("contact details are not sent to chat or webhooks", transient=False)


def new_http_client(timeout_seconds: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_seconds),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
    )
