"""What each channel says: Slack Block Kit, a Teams Adaptive Card, a signed webhook body and the
email subject. Built from alert payloads only (tier, score, evidence, link): chat channels and
webhooks never receive a candidate's name, email address or phone number."""

from __future__ import annotations

from typing import Any

TIER_WORD = {"strong": "Strong match", "possible": "Possible match", "weak": "Weak match"}


def header_safe(text: str) -> str:
    """One line, no control characters: safe in an email header."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())[:200]


def why(item: dict[str, Any]) -> str:
    matched = item.get("matched") or []
    return ", ".join(matched) if matched else "no stated requirement met yet."


def alert_subject(item: dict[str, Any]) -> str:
    tier = TIER_WORD.get(item["tier"], item["tier"])
    return header_safe(f"[{tier}] {item['posting_title']} — score {item['score']}")


def digest_subject(items: list[dict[str, Any]]) -> str:
    title = items[0]["posting_title"] if items else ""
    noun = "candidate" if len(items) == 1 else "candidates"
    return header_safe(f"Digest: {len(items)} {noun} for {title}")


def summary_line(item: dict[str, Any]) -> str:
    tier = TIER_WORD.get(item["tier"], item["tier"])
    return f"{tier} for {item['posting_title']}: score {item['score']}/100."


def slack_message(items: list[dict[str, Any]], *, digest: bool) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    if digest:
        blocks.append(
            {"type": "header", "text": {"type": "plain_text", "text": digest_subject(items)}}
        )
    for item in items:
        text = f"*{_md(summary_line(item))}*\n*Why:* {_md(why(item))}"
        if item.get("missing"):
            text += f"\n*Not shown in the CV:* {_md(', '.join(item['missing']))}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open the application"},
                        "url": item["link"],
                    }
                ],
            }
        )
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "hirestream recommends; people decide."}],
        }
    )
    fallback = digest_subject(items) if digest else summary_line(items[0])
    return {"text": fallback, "blocks": blocks}


def _md(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def teams_message(items: list[dict[str, Any]], *, digest: bool) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    if digest:
        title = digest_subject(items)
        body.append({"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Large"})
    actions: list[dict[str, Any]] = []
    for item in items:
        facts = [
            {"title": "Tier", "value": TIER_WORD.get(item["tier"], item["tier"])},
            {"title": "Score", "value": f"{item['score']}/100"},
            {"title": "Why", "value": why(item)},
        ]
        if item.get("missing"):
            facts.append({"title": "Not shown", "value": ", ".join(item["missing"])})
        body.append(
            {"type": "TextBlock", "text": item["posting_title"], "weight": "Bolder", "wrap": True}
        )
        body.append({"type": "FactSet", "facts": facts})
        actions.append(
            {"type": "Action.OpenUrl", "title": "Open the application", "url": item["link"]}
        )
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": actions[:5],
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def webhook_body(
    items: list[dict[str, Any]], *, digest: bool, message_id: str, timestamp: str
) -> dict[str, Any]:
    data = [
        {
            "application_id": i["application_id"],
            "posting_id": i["posting_id"],
            "posting_slug": i.get("posting_slug"),
            "tier": i["tier"],
            "score": i["score"],
            "matched": i.get("matched", []),
            "missing": i.get("missing", []),
            "link": i["link"],
        }
        for i in items
    ]
    return {
        "type": "application.digest" if digest else "application.alert",
        "id": message_id,
        "timestamp": timestamp,
        "data": {"applications": data} if digest else data[0],
    }
