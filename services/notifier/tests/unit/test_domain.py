from __future__ import annotations

import json
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from hirestream.notifier.domain.messages import (
    alert_subject,
    header_safe,
    slack_message,
    teams_message,
    webhook_body,
)
from hirestream.notifier.domain.retry import RetryPolicy, backoff_seconds, retry_delay
from hirestream.notifier.domain.rules import (
    DigestSchedule,
    PostingRules,
    QuietHours,
    redacted,
)
from hirestream.notifier.domain.schedule import next_digest, quiet_until
from hirestream.notifier.domain.signing import sign_headers, signature, verify

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def test_quiet_hours_over_midnight_end_at_the_local_morning() -> None:
    quiet = QuietHours(start=time(22), end=time(7))
    evening = datetime(2026, 6, 1, 21, 0, tzinfo=UTC)  # 23:00 in Berlin (summer time)
    assert quiet_until(evening, BERLIN, quiet) == datetime(2026, 6, 2, 5, 0, tzinfo=UTC)
    early = datetime(2026, 6, 2, 3, 0, tzinfo=UTC)  # 05:00 in Berlin
    assert quiet_until(early, BERLIN, quiet) == datetime(2026, 6, 2, 5, 0, tzinfo=UTC)
    noon = datetime(2026, 6, 2, 10, 0, tzinfo=UTC)
    assert quiet_until(noon, BERLIN, quiet) is None
    assert quiet_until(noon, BERLIN, None) is None


def test_quiet_hours_within_one_day() -> None:
    quiet = QuietHours(start=time(12), end=time(13, 30))
    lunch = datetime(2026, 1, 5, 17, 10, tzinfo=UTC)  # 12:10 in New York
    assert quiet_until(lunch, NEW_YORK, quiet) == datetime(2026, 1, 5, 18, 30, tzinfo=UTC)


def test_daily_digest_is_at_the_local_time_across_a_dst_change() -> None:
    daily = DigestSchedule(cadence="daily", at=time(9))
    # Saturday 28 March 2026, 10:00 Berlin (UTC+1); the clocks go forward that night.
    now = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
    assert next_digest(now, BERLIN, daily) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # UTC+2
    before = datetime(2026, 3, 28, 7, 59, tzinfo=UTC)  # 08:59 local: today's slot is next
    assert next_digest(before, BERLIN, daily) == datetime(2026, 3, 28, 8, 0, tzinfo=UTC)


def test_weekly_digest_is_on_the_teams_weekday() -> None:
    weekly = DigestSchedule(cadence="weekly", at=time(8, 30), weekday=0)  # Mondays
    wednesday = datetime(2026, 1, 7, 12, 0, tzinfo=UTC)
    assert next_digest(wednesday, NEW_YORK, weekly) == datetime(2026, 1, 12, 13, 30, tzinfo=UTC)
    monday_early = datetime(2026, 1, 12, 12, 0, tzinfo=UTC)  # 07:00 local Monday
    assert next_digest(monday_early, NEW_YORK, weekly) == datetime(2026, 1, 12, 13, 30, tzinfo=UTC)


def test_standard_webhooks_reference_signature() -> None:
    # The example from the Standard Webhooks specification.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert (
        signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_every_active_secret_signs_so_rotation_never_breaks_a_receiver() -> None:
    headers = sign_headers(["old-secret", "new-secret"], "msg_1", 1_700_000_000, b"{}")
    assert len(headers["webhook-signature"].split()) == 2
    for secret in ("old-secret", "new-secret"):
        assert verify(secret, headers, b"{}", now=1_700_000_010)
    assert not verify("other", headers, b"{}", now=1_700_000_010)
    assert not verify("new-secret", headers, b"{ }", now=1_700_000_010)  # body tampered
    assert not verify("new-secret", headers, b"{}", now=1_700_001_000)  # too old: replay


def test_rules_reject_contradictions() -> None:
    with pytest.raises(ValidationError, match="both instant and digest"):
        PostingRules.model_validate({"rules": [{"instant": ["strong"], "digest": ["strong"]}]})
    with pytest.raises(ValidationError, match="digest_schedule"):
        PostingRules.model_validate({"rules": [{"instant": [], "digest": ["weak"]}]})
    with pytest.raises(ValidationError, match="time zone"):
        PostingRules.model_validate({"rules": [{"timezone": "Mars/Olympus"}]})
    with pytest.raises(ValidationError, match="unique"):
        PostingRules.model_validate({"rules": [{"name": "a"}, {"name": "a"}]})
    with pytest.raises(ValidationError):
        PostingRules.model_validate({"rules": [{"channels": [{"type": "webhook", "url": "x"}]}]})


def test_api_view_of_rules_hides_webhook_secrets_and_url_tokens() -> None:
    rules = PostingRules.model_validate(
        {
            "rules": [
                {
                    "channels": [
                        {"type": "slack", "url": "https://hooks.slack.com/services/T0/B0/SECRET"},
                        {
                            "type": "webhook",
                            "url": "https://a.example/h",
                            "secrets": ["whsec_abcdWXYZ"],
                        },
                    ]
                }
            ]
        }
    )
    shown = json.dumps(redacted(rules))
    assert "SECRET" not in shown and "whsec_abcd" not in shown and "WXYZ" in shown


ITEM = {
    "application_id": "a1",
    "posting_id": "p1",
    "posting_slug": "be",
    "posting_title": "Backend <Engineer>",
    "tier": "strong",
    "score": 88,
    "matched": ["Python", "SQL"],
    "missing": ["Kafka"],
    "link": "http://x/v1/applications/a1",
}


def test_chat_messages_carry_tier_score_evidence_and_link() -> None:
    slack = json.dumps(slack_message([ITEM], digest=False))
    teams = json.dumps(teams_message([ITEM], digest=False))
    hook = json.dumps(webhook_body([ITEM], digest=False, message_id="m", timestamp="t"))
    for body in (slack, teams, hook):
        assert "88" in body and "Python" in body and "http://x/v1/applications/a1" in body
    assert "Backend &lt;Engineer&gt;" in slack  # Slack's own escaping of mrkdwn
    digest = slack_message([ITEM, {**ITEM, "application_id": "a2"}], digest=True)
    assert digest["blocks"][0]["type"] == "header" and "2 candidates" in digest["text"]


def test_subjects_are_single_safe_lines() -> None:
    assert header_safe("a\r\nBcc: x@y\tz") == "a Bcc: x@y z"
    assert alert_subject(ITEM) == "[Strong match] Backend <Engineer> — score 88"


def test_retry_delay_stops_at_the_budget_and_caps_retry_after() -> None:
    policy = RetryPolicy(max_attempts=4, base_seconds=1, max_seconds=8, max_retry_after_seconds=60)
    assert [backoff_seconds(n, policy, lambda: 1.0) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 8, 8]
    assert retry_delay(3, policy, lambda: 0.0, None) == 2
    assert retry_delay(3, policy, lambda: 0.0, 3600) == 60
    assert retry_delay(4, policy, lambda: 0.0, 5) is None
