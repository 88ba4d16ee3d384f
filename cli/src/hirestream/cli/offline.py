"""``hirestream parse`` and ``hirestream score``: the services' own domain code on local files,
with no stack running."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from hirestream.parser.adapters.extractors import ExtractionError, extract_text, sniff_media_type
from hirestream.parser.domain.profile import PARSER_VERSION, Profile, build_profile
from hirestream.scorer.domain.posting import read_posting
from hirestream.scorer.domain.requirements import extract_requirements
from hirestream.scorer.domain.scoring import RUBRIC_VERSION, CandidateFacts, score_candidate
from hirestream.skills import Taxonomy, load_taxonomy


def parse_file(
    path: Path, taxonomy: Taxonomy | None = None
) -> tuple[dict[str, Any], Profile | None]:
    taxonomy = taxonomy or load_taxonomy()
    data = path.read_bytes()
    media_type = sniff_media_type(data, path.name)
    try:
        text = extract_text(data, media_type)
    except ExtractionError as error:
        return {
            "source": str(path),
            "status": "failed",
            "error": {"code": error.code, "message": error.message},
            "parser_version": PARSER_VERSION,
        }, None
    profile = build_profile(text, taxonomy)
    return {
        "source": str(path),
        "status": "parsed",
        "error": None,
        "parser_version": PARSER_VERSION,
        **asdict(profile),
    }, profile


def score_files(posting_path: Path, cv_paths: list[Path]) -> list[dict[str, Any]]:
    taxonomy = load_taxonomy()
    document = read_posting(posting_path.read_text("utf-8"), fallback_slug=posting_path.stem)
    requirements = extract_requirements(document, taxonomy)
    results = []
    for cv in cv_paths:
        parsed, profile = parse_file(cv, taxonomy)
        facts = facts_from_profile(profile)
        result = score_candidate(requirements, facts, taxonomy)
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
                "verdicts": [asdict(v) for v in result.verdicts],
            }
        )
    return results


def facts_from_profile(profile: Profile | None) -> CandidateFacts:
    """A parser ``Profile`` as the scorer's ``CandidateFacts`` (what profile.parsed.v1 carries)."""
    if profile is None:
        return CandidateFacts(frozenset(), None)
    return CandidateFacts(
        skills=frozenset(s.name for s in profile.skills),
        total_experience_months=profile.total_experience_months,
        languages={x.language: x.level or "" for x in profile.languages},
        leadership_months=getattr(profile, "leadership_months", None),
        degrees=tuple(e.degree for e in profile.education if e.degree),
    )
