"""The candidate's contact details, fetched by reference from intake's internal API."""

from __future__ import annotations

import uuid

import httpx

from hirestream.notifier.ports import Contact, DeliveryFailed


class IntakeContactDirectory:
    def __init__(self, client: httpx.AsyncClient, base_url: str, api_key: str) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._key = api_key

    async def contact(self, application_id: uuid.UUID) -> Contact:
        url = f"{self._base}/internal/v1/applications/{application_id}/contact"
        try:
            response = await self._client.get(url, headers={"X-API-Key": self._key})
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"intake contact: {type(exc).__name__}", transient=True) from exc
        if response.status_code == 200:
            data = response.json()
            if not data.get("email"):
                raise DeliveryFailed("intake contact: no email address", transient=False)
            return Contact(name=str(data.get("name") or ""), email=str(data["email"]))
        transient = response.status_code >= 500 or response.status_code in (404, 429)
        # 404 counts as transient: the endpoint may be rolling out, or intake may lag behind.
        raise DeliveryFailed(f"intake contact: HTTP {response.status_code}", transient=transient)
