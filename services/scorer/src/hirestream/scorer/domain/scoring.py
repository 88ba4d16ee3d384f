"""Score a candidate's parsed facts against a posting's requirements.

The rubric is deliberately simple and explainable: every requirement gets a verdict with a
reason, the score is the weighted share of requirements met, and the tier follows from the score
plus one hard rule (an unmet must-have is never "strong"). The result depends on the requirements,
the candidate's facts and the taxonomy only: no clock, no randomness, no set iteration order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from hirestream.scorer.domain.languages import canonical_language, level_from_text, level_rank
from hirestream.scorer.domain.requirements import Requirement
from hirestream.scorer.domain.taxonomy import SkillTaxonomy

# Bump whenever weights, credits or thresholds change: scores from different rubrics are not
# comparable, and stored scores say which rubric produced them.
RUBRIC_VERSION = "0.1.0"

VerdictStatus = Literal["met", "not_met", "unknown"]
TierName = Literal["strong", "possible", "weak"]

STRONG_AT = 70
POSSIBLE_AT = 45
_WEIGHT = {"must": 3, "nice": 1}
# Credit in halves of a requirement's weight. "unknown" (the CV says nothing either way) earns
# half: parsers miss things, so silence must cost less than a confirmed gap.
_CREDIT = {"met": 2, "unknown": 1, "not_met": 0}
# With nothing to score against, nobody can be ranked: "possible" sends the CV to a human.
_NO_REQUIREMENTS_SCORE = 50
_HINT_MAX_ITEMS = 2


@dataclass(frozen=True)
class CandidateFacts:
    """What the CV parser established. None / empty means "not stated", never "does not have"."""

    skills: frozenset[str]
    total_experience_months: int | None
    languages: dict[str, str] = field(default_factory=dict)  # language -> level ("C1", "native")
    leadership: bool | None = None


@dataclass(frozen=True)
class Verdict:
    requirement: Requirement
    status: VerdictStatus
    evidence: str | None  # what in the profile supports "met" (or shows the gap)
    reason: str


@dataclass(frozen=True)
class ScoreResult:
    """``verdicts`` covers the positive requirements, in the order given; negative signals never
    earn or cost points and surface in ``flags`` when the candidate matches one."""

    score: int
    tier: TierName
    verdicts: list[Verdict]
    matched: list[str]
    missing: list[str]
    next_tier_hint: str | None
    flags: list[str] = field(default_factory=list)
    rubric_version: str = RUBRIC_VERSION


def score_candidate(
    requirements: Sequence[Requirement], facts: CandidateFacts, taxonomy: SkillTaxonomy
) -> ScoreResult:
    profile = _Profile.build(facts, taxonomy)
    verdicts = [profile.judge(r) for r in requirements if not r.negative]
    flags = [
        f"profile lists {found}, which the posting rules out"
        for r in requirements
        if r.negative and (found := profile.skill_source(r)) is not None
    ]
    if not verdicts:
        return ScoreResult(
            _NO_REQUIREMENTS_SCORE, _tier(_NO_REQUIREMENTS_SCORE, False), [], [], [], None, flags
        )
    score = _score(verdicts)
    tier = _tier(score, _must_not_met(verdicts))
    return ScoreResult(
        score=score,
        tier=tier,
        verdicts=verdicts,
        matched=_labels(v for v in verdicts if v.status == "met"),
        missing=_labels(v for v in verdicts if v.status == "not_met"),
        next_tier_hint=_hint(verdicts, tier),
        flags=flags,
    )


@dataclass(frozen=True)
class _Profile:
    facts: CandidateFacts
    taxonomy: SkillTaxonomy
    direct: dict[str, str]  # casefolded canonical name -> name as the profile has it
    implied_by: dict[str, str]  # casefolded implied name -> the profile skill implying it
    languages: dict[str, str | None]  # canonical language -> CEFR level (None: not stated)

    @classmethod
    def build(cls, facts: CandidateFacts, taxonomy: SkillTaxonomy) -> _Profile:
        direct: dict[str, str] = {}
        for raw in sorted(facts.skills):
            name = taxonomy.canonical(raw) or raw.strip()
            direct.setdefault(name.casefold(), name)
        implied_by: dict[str, str] = {}
        for _, name in sorted(direct.items()):
            if taxonomy.canonical(name) is None:
                continue  # unknown to the taxonomy: it implies nothing
            for implied in sorted(taxonomy.implied(name)):
                if implied.casefold() not in direct:
                    implied_by.setdefault(implied.casefold(), name)
        languages: dict[str, str | None] = {}
        for raw, level in sorted(facts.languages.items()):
            language = canonical_language(raw) or raw.strip().title()
            parsed = level_from_text(level or "")
            best = languages.get(language)
            if best is None or (parsed and level_rank(parsed) > level_rank(best)):
                languages[language] = parsed
        return cls(facts, taxonomy, direct, implied_by, languages)

    def skill_source(self, req: Requirement) -> str | None:
        """How the profile covers a skill requirement: "Go", or "PostgreSQL (implies SQL)"."""
        for name in req.any_of or (str(req.skill),):
            key = (self.taxonomy.canonical(name) or name).casefold()
            if key in self.direct:
                return self.direct[key]
            if key in self.implied_by:
                return f"{self.implied_by[key]} (implies {name})"
        return None

    def judge(self, req: Requirement) -> Verdict:
        if req.kind == "skill":
            return self._skill(req)
        if req.kind == "experience_years":
            return self._experience(req)
        if req.kind == "leadership":
            return self._leadership(req)
        if req.kind == "language":
            return self._language(req)
        # Education, location and the like are not in the parsed facts yet.
        return Verdict(req, "unknown", None, f"the profile does not record {req.kind}")

    def _skill(self, req: Requirement) -> Verdict:
        source = self.skill_source(req)
        if source is not None:
            return Verdict(req, "met", source, f"profile lists {source}")
        if not self.direct:
            return Verdict(req, "unknown", None, "no skills were parsed from the profile")
        return Verdict(req, "not_met", None, f"{req.label} is not among the profile's skills")

    def _experience(self, req: Requirement) -> Verdict:
        months = self.facts.total_experience_months
        needed = req.min_months or 0
        if months is not None and months < needed:
            return Verdict(req, "not_met", f"{months} months", f"{months} of {needed} months")
        if req.scope == "management" and self.facts.leadership is False:
            return Verdict(req, "not_met", None, "no people-management experience in the profile")
        if months is None:
            return Verdict(req, "unknown", None, "total experience was not parsed")
        if req.scope == "management" and self.facts.leadership is None:
            return Verdict(
                req, "unknown", f"{months} months", "enough experience; management not stated"
            )
        return Verdict(req, "met", f"{months} months", f"{months} months >= {needed} months")

    def _leadership(self, req: Requirement) -> Verdict:
        if self.facts.leadership is None:
            return Verdict(req, "unknown", None, "the profile says nothing about leading people")
        if self.facts.leadership:
            return Verdict(req, "met", "leadership", "profile shows leadership experience")
        return Verdict(req, "not_met", None, "profile shows no leadership experience")

    def _language(self, req: Requirement) -> Verdict:
        language = str(req.language)
        if not self.languages:
            return Verdict(req, "unknown", None, "no languages were parsed from the profile")
        if language not in self.languages:
            return Verdict(req, "not_met", None, f"{language} is not among the profile's languages")
        level = self.languages[language]
        if req.level is None or (level and level_rank(level) >= level_rank(req.level)):
            return Verdict(req, "met", f"{language} {level or ''}".strip(), f"speaks {language}")
        if level is None:
            return Verdict(req, "unknown", language, f"{language} listed without a level")
        return Verdict(req, "not_met", f"{language} {level}", f"{level} is below {req.level}")


def _score(verdicts: Sequence[Verdict]) -> int:
    total = sum(2 * _WEIGHT[v.requirement.importance] for v in verdicts)
    earned = sum(_CREDIT[v.status] * _WEIGHT[v.requirement.importance] for v in verdicts)
    return (200 * earned + total) // (2 * total)  # 100 * earned / total, rounded half up


def _must_not_met(verdicts: Iterable[Verdict]) -> bool:
    return any(v.status == "not_met" and v.requirement.importance == "must" for v in verdicts)


def _tier(score: int, must_not_met: bool) -> TierName:
    if score >= STRONG_AT and not must_not_met:
        return "strong"
    if score >= POSSIBLE_AT:
        return "possible"
    return "weak"


def _labels(verdicts: Iterable[Verdict]) -> list[str]:
    return list(dict.fromkeys(v.requirement.label for v in verdicts))


_TIER_RANK: dict[str, int] = {"weak": 0, "possible": 1, "strong": 2}


def _hint(verdicts: list[Verdict], tier: TierName) -> str | None:
    """The fewest open requirements whose confirmation lifts the candidate one tier, if <= 2.

    Musts not met go first (they block "strong" whatever the score), then the open items
    worth the most points; ties keep the posting's order so the hint is stable.
    """
    if tier == "strong":
        return None
    target: TierName = "possible" if tier == "weak" else "strong"
    open_items = [i for i, v in enumerate(verdicts) if v.status != "met"]
    blocking = [
        i
        for i in open_items
        if target == "strong"
        and verdicts[i].status == "not_met"
        and verdicts[i].requirement.importance == "must"
    ]
    gain = {i: _WEIGHT[verdicts[i].requirement.importance] * (2 - _CREDIT[verdicts[i].status])
            for i in open_items}  # fmt: skip
    rest = sorted((i for i in open_items if i not in blocking), key=lambda i: (-gain[i], i))
    chosen = list(blocking)
    for extra in [None, *rest]:
        if extra is not None:
            chosen.append(extra)
        if len(chosen) > _HINT_MAX_ITEMS:
            return None
        trial = [
            Verdict(v.requirement, "met", v.evidence, v.reason) if i in chosen else v
            for i, v in enumerate(verdicts)
        ]
        reached = _tier(_score(trial), _must_not_met(trial))
        if chosen and _TIER_RANK[reached] >= _TIER_RANK[target]:
            labels = _labels(verdicts[i] for i in sorted(chosen))
            verb = "is" if len(labels) == 1 else "are"
            return f"{target} if {' and '.join(labels)} {verb} confirmed"
    return None
