"""The hiring-team alert for one scored application: pure text, no I/O."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from hirestream.contracts import ApplicationScoredV1

_TIER_WORD = {"strong": "Strong match", "possible": "Possible match", "weak": "Weak match"}


@dataclass(frozen=True)
class Alert:
    delivery_id: uuid.UUID
    subject: str
    text: str


def delivery_id_for(application_id: uuid.UUID, channel: str) -> uuid.UUID:
    """Deterministic, so a replayed event maps onto the same delivery (and Message-ID)."""
    return uuid.uuid5(application_id, f"delivery:{channel}")


def compose_alert(event: ApplicationScoredV1, posting_title: str, link: str) -> Alert:
    tier = _TIER_WORD[event.tier.value]
    lines = [
        f"{tier} for {posting_title}: score {event.score}/100.",
        "",
        "Why: " + (", ".join(event.matched) if event.matched else "no stated requirement met yet."),
    ]
    if event.missing:
        lines.append("Not shown in the CV: " + ", ".join(event.missing))
    lines += ["", f"Open the application: {link}", "", "hirestream recommends; people decide."]
    return Alert(
        delivery_id=delivery_id_for(event.application_id, "email"),
        subject=f"[{tier}] {posting_title} — score {event.score}",
        text="\n".join(lines),
    )
