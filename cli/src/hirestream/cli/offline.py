"""``hirestream parse`` and ``hirestream score``: the services' own domain code on local files,
with no stack running."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from hirestream.parser.domain.profile import Profile
from hirestream.parser.offline import parse_path
from hirestream.scorer.domain.locations import Location, skill_location
from hirestream.scorer.domain.posting import read_posting
from hirestream.scorer.domain.requirements import extract_requirements
from hirestream.scorer.domain.scoring import RUBRIC_VERSION, CandidateFacts, score_candidate
from hirestream.skills import Taxonomy, load_taxonomy


def parse_file(
    path: Path, taxonomy: Taxonomy | None = None
) -> tuple[dict[str, Any], Profile | None]:
    """The parser service's own extraction and profile code on one local file."""
    return parse_path(path, taxonomy)


def score_files(posting_path: Path, cv_paths: list[Path]) -> list[dict[str, Any]]:
    taxonomy = load_taxonomy()
    document = read_posting(posting_path.read_text("utf-8"), fallback_slug=posting_path.stem)
    requirements = extract_requirements(document, taxonomy)
    results = []
    for cv in cv_paths:
        parsed, profile = parse_file(cv, taxonomy)
        facts = facts_from_profile(profile, parsed.get("leadership_months"))
        result = score_candidate(requirements, facts, taxonomy)
        locations = skill_locations(parsed)
        verdicts = [asdict(v) for v in result.verdicts]
        results.append(
            {
                "source": str(cv),
                "posting": document.slug,
                "parse_status": parsed["status"],
                "score": result.score,
                "tier": result.tier,
                "matched": list(result.matched),
                "missing": list(result.missing),
                "hint": result.next_tier_hint,
                "rubric_version": RUBRIC_VERSION,
                "verdicts": [v | {"location": skill_location(v, locations)} for v in verdicts],
            }
        )
    return results


def skill_locations(parsed: dict[str, Any]) -> dict[str, Location]:
    """Skill -> where the parser read it, from the positions ``parse_path`` reports (the same
    ones the parser service sends in ``profile.parsed``)."""
    return {
        loc["skill"]: {"page": loc["page"], "start": loc["start"], "end": loc["end"]}
        for loc in reversed(parsed.get("skill_locations") or [])  # the first one of a skill wins
    }


def facts_from_profile(
    profile: Profile | None, leadership_months: int | None = None
) -> CandidateFacts:
    """A parser ``Profile`` as the scorer's ``CandidateFacts`` (what profile.parsed.v1 carries).

    ``leadership_months`` comes from the parser's analysis, not the ``Profile`` (``parse_file``
    returns it in its JSON object), exactly as the parser service puts it in the event."""
    if profile is None:
        return CandidateFacts(frozenset(), None)
    return CandidateFacts(
        skills=frozenset(s.name for s in profile.skills),
        total_experience_months=profile.total_experience_months,
        languages={x.language: x.level or "" for x in profile.languages},
        leadership_months=leadership_months,
        degrees=tuple(e.degree for e in profile.education if e.degree),
    )
