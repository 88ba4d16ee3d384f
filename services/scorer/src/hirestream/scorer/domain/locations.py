"""Where in the CV a verdict's evidence is written.

A verdict quotes the profile ("Go", or "PostgreSQL (implies SQL)"); the parser records where
each skill is written (page and character span of its text) and sends those positions in
``profile.parsed.v1``. Joining the two lets a reviewer jump from a verdict to the CV. Positions
are shown beside verdicts only: scoring never reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Location = dict[str, int | None]  # {"page", "start", "end"}


def skill_location(
    verdict: Mapping[str, Any], locations: Mapping[str, Location]
) -> Location | None:
    """The location of the profile skill a verdict quotes; None for other evidence (months,
    languages, degrees) or a skill the parser could not locate."""
    evidence = verdict.get("evidence")
    if not isinstance(evidence, str):
        return None
    return locations.get(evidence.split(" (implies ", 1)[0])
