"""Where each of a profile's skills is written in the CV: positions only (page, character span),
so they can travel in events while the text stays in the parser's store. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from hirestream.parser.domain.analysis import Analysis, Evidence


@dataclass(frozen=True, slots=True)
class SkillSpan:
    skill: str
    page: int | None
    start: int
    end: int


def skill_spans(analysis: Analysis) -> list[SkillSpan]:
    """One span per located skill, in the profile's skill order: the first located evidence
    entry of each ``skills[i]`` field (a skill written several times points at its first
    mention)."""
    located: dict[str, Evidence] = {}
    for entry in analysis.evidence:
        if entry.start is not None:
            located.setdefault(entry.field, entry)
    spans: list[SkillSpan] = []
    for i, skill in enumerate(analysis.profile.skills):
        evidence = located.get(f"skills[{i}]")
        if evidence is not None and evidence.start is not None:
            end = evidence.end if evidence.end is not None else evidence.start
            spans.append(SkillSpan(skill.name, evidence.page, evidence.start, end))
    return spans


__all__ = ["SkillSpan", "skill_spans"]
