"""When a notification may go out: quiet hours and digest slots in the team's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hirestream.notifier.domain.rules import DigestSchedule, QuietHours


def _in_window(t: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end  # over midnight, e.g. 22:00-07:00


def _next_local(now_local: datetime, at: time) -> datetime:
    """The first local datetime at ``at`` strictly after ``now_local``."""
    candidate = now_local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if candidate <= now_local:
        candidate = _add_days(candidate, 1)
    return candidate


def _add_days(local: datetime, days: int) -> datetime:
    # Wall-clock arithmetic in the zone (a DST change keeps the local time, not the offset).
    naive = local.replace(tzinfo=None) + timedelta(days=days)
    return naive.replace(tzinfo=local.tzinfo)


def quiet_until(now: datetime, zone: ZoneInfo, quiet: QuietHours | None) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (UTC), or None if now is not quiet."""
    if quiet is None:
        return None
    local = now.astimezone(zone)
    if not _in_window(local.time(), quiet.start, quiet.end):
        return None
    return _next_local(local, quiet.end).astimezone(UTC)


def next_digest(now: datetime, zone: ZoneInfo, schedule: DigestSchedule) -> datetime:
    """The next digest slot after ``now`` (UTC): daily at a local time, or weekly on a day."""
    local = now.astimezone(zone)
    slot = _next_local(local, schedule.at)
    if schedule.cadence == "weekly":
        slot = _add_days(slot, (schedule.weekday - slot.weekday()) % 7)
    return slot.astimezone(UTC)
