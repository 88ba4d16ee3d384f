"""A posting's notification rules: who hears about which tiers, how soon, on which channels.

Pure values validated with pydantic (no I/O). A posting without rules of its own gets the
default: every tier, instantly, by email to the posting's ``notify_email``.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hirestream.contracts import Tier

ALL_TIERS = [Tier.STRONG, Tier.POSSIBLE, Tier.WEAK]
_RULE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EmailChannel(_Model):
    type: Literal["email"] = "email"
    # Empty: the posting's notify_email, else the notifier's default recipient.
    to: list[str] = Field(default_factory=list)
    # The hiring team may see the candidate's name and address in its own email.
    include_contact: bool = False


class SlackChannel(_Model):
    type: Literal["slack"] = "slack"
    url: str = Field(pattern=r"^https?://")


class TeamsChannel(_Model):
    type: Literal["teams"] = "teams"
    url: str = Field(pattern=r"^https?://")


class WebhookChannel(_Model):
    type: Literal["webhook"] = "webhook"
    url: str = Field(pattern=r"^https?://")
    # Every active secret signs each request (Standard Webhooks), so secrets rotate safely.
    secrets: list[str] = Field(min_length=1)


ChannelConfig = Annotated[
    EmailChannel | SlackChannel | TeamsChannel | WebhookChannel, Field(discriminator="type")
]


class QuietHours(_Model):
    start: time
    end: time


class DigestSchedule(_Model):
    cadence: Literal["daily", "weekly"] = "daily"
    at: time = time(9, 0)
    weekday: int = Field(0, ge=0, le=6)  # Monday = 0, for weekly digests


def _email_only() -> list[ChannelConfig]:
    return [EmailChannel()]


class Rule(_Model):
    name: str = "default"
    instant: list[Tier] = Field(default_factory=lambda: list(ALL_TIERS))
    digest: list[Tier] = Field(default_factory=list)
    digest_schedule: DigestSchedule | None = None
    timezone: str = "UTC"
    quiet_hours: QuietHours | None = None
    channels: list[ChannelConfig] = Field(default_factory=_email_only, min_length=1)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _RULE_NAME.match(value):
            raise ValueError("rule names are lowercase letters, digits, '-' and '_'")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        both = set(self.instant) & set(self.digest)
        if both:
            raise ValueError(f"tiers both instant and digest: {sorted(both)}")
        if self.digest and self.digest_schedule is None:
            raise ValueError("digest tiers need a digest_schedule")
        kinds = [c.type for c in self.channels]
        if len(kinds) != len(set(kinds)):
            raise ValueError("one channel of each type per rule")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Acknowledgement(_Model):
    """The candidate's 'we received your application' email, per posting."""

    enabled: bool = False
    subject: str = "We received your application for {{ posting_title }}"
    # A Jinja2 text template; None uses the built-in one. Variables: name, posting_title,
    # withdraw_url, application_id.
    template: str | None = None


class PostingRules(_Model):
    rules: list[Rule] = Field(default_factory=lambda: [Rule()], min_length=1)
    acknowledgement: Acknowledgement = Field(default_factory=Acknowledgement)

    @model_validator(mode="after")
    def _unique_names(self) -> PostingRules:
        names = [r.name for r in self.rules]
        if len(names) != len(set(names)):
            raise ValueError("rule names must be unique within a posting")
        return self


DEFAULT_RULES = PostingRules()


def redacted(rules: PostingRules) -> dict[str, object]:
    """The rules as an API shows them: webhook secrets and URLs' tokens are not echoed."""
    data = rules.model_dump(mode="json")
    for rule in data["rules"]:
        for channel in rule["channels"]:
            if "secrets" in channel:
                channel["secrets"] = [f"…{s[-4:]}" for s in channel["secrets"]]
            if "url" in channel:
                channel["url"] = _origin(channel["url"])
    return data


def _origin(url: str) -> str:
    match = re.match(r"^(https?://[^/]+)", url)
    return (match.group(1) + "/…") if match else "…"
