"""Email bodies from Jinja2 templates: an HTML part (autoescaped) and a plain-text part.

A posting's own acknowledgement template comes from the API, so it renders in Jinja2's sandbox.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from hirestream.notifier.domain.messages import (
    TIER_WORD,
    alert_subject,
    digest_subject,
    header_safe,
    summary_line,
    why,
)
from hirestream.notifier.ports import Contact

_html = Environment(
    loader=PackageLoader("hirestream.notifier", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)
_text = Environment(
    loader=PackageLoader("hirestream.notifier", "templates"),
    autoescape=False,
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
_sandbox = SandboxedEnvironment(autoescape=False)


def _entry(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "item": item,
        "summary": summary_line(item),
        "why": why(item),
        "tier_word": TIER_WORD.get(item["tier"], item["tier"]),
    }


def render_alert(item: dict[str, Any], contact: Contact | None) -> tuple[str, str, str]:
    """(subject, text, html) of one hiring-team alert."""
    context = {**_entry(item), "contact": contact}
    return (
        alert_subject(item),
        _text.get_template("alert.txt").render(context),
        _html.get_template("alert.html").render(context),
    )


def render_digest(items: list[dict[str, Any]]) -> tuple[str, str, str]:
    subject = digest_subject(items)
    context = {"subject": subject, "entries": [_entry(i) for i in items]}
    return (
        subject,
        _text.get_template("digest.txt").render(context),
        _html.get_template("digest.html").render(context),
    )


def render_acknowledgement(item: dict[str, Any], contact: Contact) -> tuple[str, str, str]:
    context = {
        "name": contact.name,
        "posting_title": item["posting_title"],
        "withdraw_url": item["withdraw_url"],
        "application_id": item["application_id"],
    }
    subject = header_safe(_sandbox.from_string(item.get("subject") or "").render(context))
    custom = item.get("template")
    if custom:
        text = _sandbox.from_string(custom).render(context)
        if item["withdraw_url"] not in text:  # the withdraw link is never left out
            text += f"\n\nWithdraw your application: {item['withdraw_url']}\n"
        html = _html.get_template("acknowledgement.html").render({**context, "body": text})
    else:
        text = _text.get_template("acknowledgement.txt").render(context)
        html = _html.get_template("acknowledgement.html").render({**context, "body": None})
    return subject or "We received your application", text, html
