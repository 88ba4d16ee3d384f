"""Thin HTTP clients for the running services (intake and scorer APIs)."""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx

_MEDIA = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
}


def media_type_of(path: Path) -> str:
    return _MEDIA.get(path.suffix.lower(), "application/octet-stream")


class Api:
    def __init__(self, intake_url: str, scorer_url: str, api_key: str) -> None:
        self.intake = httpx.Client(base_url=intake_url, timeout=30)
        # Long enough for a requirements edit that rescores a large posting in the request.
        self.scorer = httpx.Client(base_url=scorer_url, timeout=300)
        self._auth = {"X-API-Key": api_key}

    def load_posting(self, text: str, slug: str) -> dict[str, Any]:
        response = self.scorer.put(
            f"/v1/postings/{slug}", json={"slug": slug, "text": text}, headers=self._auth
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def intake_knows(self, slug: str) -> bool:
        return self.intake.get(f"/v1/postings/{slug}").status_code == 200

    def apply_api(
        self, slug: str, cv: Path, *, name: str, email: str, phone: str | None = None
    ) -> dict[str, Any]:
        data = {"posting": slug, "name": name, "email": email}
        if phone:
            data["phone"] = phone
        files = {"cv": (cv.name, cv.read_bytes(), media_type_of(cv))}
        response = self.intake.post("/v1/applications", data=data, files=files, headers=self._auth)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def apply_form(self, slug: str, cv: Path, *, name: str, email: str, phone: str) -> str:
        """Apply like a browser: fetch the form (CSRF cookie + token), then post it."""
        page = self.intake.get(f"/apply/{slug}")
        page.raise_for_status()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        data = {"name": name, "email": email, "phone": phone, "consent": "yes"}
        if token:
            data["csrf_token"] = token.group(1)
        files = {"cv": (cv.name, cv.read_bytes(), media_type_of(cv))}
        response = self.intake.post(f"/apply/{slug}", data=data, files=files)
        response.raise_for_status()
        return response.text

    def ranking_all(self, slug: str) -> list[dict[str, Any]]:
        """Every ranked application of a posting, page by page."""
        items: list[dict[str, Any]] = []
        while True:
            page = self.ranking(slug, limit=500, offset=len(items))["items"]
            items += page
            if len(page) < 500:
                return items

    def ranking(
        self, slug: str, tier: str | None = None, *, limit: int = 50, offset: int = 0
    ) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if tier:
            params["tier"] = tier
        response = self.scorer.get(f"/v1/postings/{slug}/ranking", params=params)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def application(self, application_id: str) -> dict[str, Any]:
        response = self.intake.get(f"/v1/applications/{application_id}")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


def apply_by_email(
    smtp_port: int, slug: str, domain: str, cv: Path, *, name: str, email: str
) -> str:
    """Send an application the way a candidate's mail server would."""
    message = EmailMessage()
    message["From"] = f"{name} <{email}>"
    message["To"] = f"{slug}@{domain}"
    message["Subject"] = f"Application: {slug}"
    message.set_content(f"Hello,\n\nplease find my CV attached.\n\n{name}")
    maintype, _, subtype = media_type_of(cv).partition("/")
    message.add_attachment(cv.read_bytes(), maintype=maintype, subtype=subtype, filename=cv.name)
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as smtp:
        smtp.send_message(message)
    return str(message.get("Message-ID") or "")
