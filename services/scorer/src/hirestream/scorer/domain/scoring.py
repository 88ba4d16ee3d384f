"""Score a candidate's parsed facts against a posting's requirements.

The rubric is deliberately simple and explainable: every requirement gets a verdict with a
reason, the score is the weighted share of requirements met, and the tier follows from the score
plus one hard rule (an unmet must-have is never "strong"). The result depends on the requirements,
the candidate's facts and the taxonomy only: no clock, no randomness, no set iteration order.
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from hirestream.scorer.domain.cues import DEGREE_FIELD, LEADERSHIP_SKILLS, SOFT_SKILLS_CATEGORY
from hirestream.scorer.domain.languages import canonical_language, level_from_text, level_rank
from hirestream.scorer.domain.requirements import Requirement
from hirestream.scorer.domain.taxonomy import SkillTaxonomy

# Bump whenever weights, credits or thresholds change: scores from different rubrics are not
# comparable, and stored scores say which rubric produced them.
RUBRIC_VERSION = "0.4.0"

VerdictStatus = Literal["met", "not_met", "unknown"]
TierName = Literal["strong", "possible", "weak"]

STRONG_AT = 70
POSSIBLE_AT = 45
_WEIGHT = {"must": 3, "nice": 1}  # default weights; a team may set its own per requirement
# Credit as a share of a requirement's weight. "unknown" (the CV says nothing either way) earns
# half: parsers miss things, so silence must cost less than a confirmed gap. A gap earns up to
# half again as much as the candidate came close (4 of 5 years, B1 where C1 is asked): a near
# miss is a better lead than a far one, and never as good as silence.
_CREDIT = {"met": 1.0, "unknown": 0.5, "not_met": 0.0}
_NEAR_MISS_SHARE = 0.5
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
    leadership_months: int | None = None  # months in roles leading people, from the timeline
    degrees: tuple[str, ...] = ()  # degree names as the CV states them

    @property
    def leads_people(self) -> bool | None:
        """Explicit ``leadership`` wins; else the timeline says it (0 months means none found)."""
        if self.leadership is not None:
            return self.leadership
        if self.leadership_months is None:
            return None
        return self.leadership_months > 0


@dataclass(frozen=True)
class Verdict:
    requirement: Requirement
    status: VerdictStatus
    evidence: str | None  # what in the profile supports "met" (or shows the gap)
    reason: str
    # For "not_met" on a measurable requirement: the share of it the profile holds (48 of 60
    # months: 0.8; B1 for C1: 0.6); 0 for a plain gap.
    closeness: float = 0.0

    @property
    def credit(self) -> float:
        """Share of the requirement's weight this verdict earns, 0..1."""
        if self.status == "not_met":
            return _NEAR_MISS_SHARE * _CREDIT["unknown"] * min(1.0, max(0.0, self.closeness))
        return _CREDIT[self.status]


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


class _Memo:
    """Taxonomy lookups are pure: remember them, so rescoring 100,000 profiles does not redo the
    same string normalisation millions of times."""

    def __init__(self, taxonomy: SkillTaxonomy) -> None:
        self._taxonomy = taxonomy
        self._canonical: dict[str, str | None] = {}
        self._implied: dict[str, frozenset[str]] = {}
        self._category: dict[str, str | None] = {}
        self._found: dict[str, tuple[str, ...]] = {}

    def canonical(self, term: str) -> str | None:
        try:
            return self._canonical[term]
        except KeyError:
            found = self._canonical[term] = self._taxonomy.canonical(term)
            return found

    def implied(self, name: str) -> frozenset[str]:
        try:
            return self._implied[name]
        except KeyError:
            found = self._implied[name] = frozenset(self._taxonomy.implied(name))
            return found

    def find_names(self, text: str) -> tuple[str, ...]:
        try:
            return self._found[text]
        except KeyError:
            found = self._found[text] = tuple(m.name for m in self._taxonomy.find(text))
            return found

    def category(self, name: str) -> str | None:
        try:
            return self._category[name]
        except KeyError:
            skill = self._taxonomy.get(name)
            found = self._category[name] = skill.category if skill is not None else None
            return found


_LEADERSHIP_KEYS = frozenset(name.casefold() for name in LEADERSHIP_SKILLS)
_MEMOS: weakref.WeakKeyDictionary[Any, _Memo] = weakref.WeakKeyDictionary()


def _memo(taxonomy: SkillTaxonomy) -> _Memo:
    try:
        return _MEMOS[taxonomy]
    except KeyError:
        memo = _MEMOS[taxonomy] = _Memo(taxonomy)
        return memo
    except TypeError:  # not weak-referenceable: no sharing across calls
        return _Memo(taxonomy)


def score_candidate(
    requirements: Sequence[Requirement], facts: CandidateFacts, taxonomy: SkillTaxonomy
) -> ScoreResult:
    profile = _Profile.build(facts, _memo(taxonomy))
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
    rubric = _Rubric(verdicts, _level_shares(verdicts, facts))
    score = rubric.score()
    tier = _tier(score, _must_not_met(verdicts))
    return ScoreResult(
        score=score,
        tier=tier,
        verdicts=verdicts,
        matched=_labels(v for v in verdicts if v.status == "met"),
        missing=_labels(v for v in verdicts if v.status == "not_met"),
        next_tier_hint=_hint(rubric, tier),
        flags=flags,
    )


@dataclass(frozen=True)
class _Profile:
    facts: CandidateFacts
    taxonomy: _Memo
    direct: dict[str, str]  # casefolded canonical name -> name as the profile has it
    languages: dict[str, str | None]  # canonical language -> CEFR level (None: not stated)
    # casefolded implied name -> the profile skill implying it; built on first need, since
    # most requirements are met (or not) by the skills as listed.
    _implied: dict[str, str] = field(default_factory=dict)
    _implied_built: list[bool] = field(default_factory=list)

    @classmethod
    def build(cls, facts: CandidateFacts, taxonomy: _Memo) -> _Profile:
        direct: dict[str, str] = {}
        for raw in sorted(facts.skills):
            name = taxonomy.canonical(raw) or raw.strip()
            direct.setdefault(name.casefold(), name)
        languages: dict[str, str | None] = {}
        for raw, level in sorted(facts.languages.items()):
            language = canonical_language(raw) or raw.strip().title()
            parsed = level_from_text(level or "")
            best = languages.get(language)
            if best is None or (parsed and level_rank(parsed) > level_rank(best)):
                languages[language] = parsed
        return cls(facts, taxonomy, direct, languages)

    @property
    def implied_by(self) -> dict[str, str]:
        if not self._implied_built:
            for _, name in sorted(self.direct.items()):
                if self.taxonomy.canonical(name) is None:
                    continue  # unknown to the taxonomy: it implies nothing
                for implied in sorted(self.taxonomy.implied(name)):
                    if implied.casefold() not in self.direct:
                        self._implied.setdefault(implied.casefold(), name)
            self._implied_built.append(True)
        return self._implied

    def skill_source(self, req: Requirement) -> str | None:
        """How the profile covers a skill requirement: "Go", or "PostgreSQL (implies SQL)"."""
        for name in req.any_of or (str(req.skill),):
            key = (self.taxonomy.canonical(name) or name).casefold()
            if key in self.direct:
                return self.direct[key]
            if key in self.implied_by:
                return f"{self.implied_by[key]} (implies {name})"
        # "managing projects or leading teams": the leading part is met by leading people.
        led = self.facts.leadership_months
        if led and any(n.casefold() in _LEADERSHIP_KEYS for n in req.any_of or (req.skill or "",)):
            return f"{led} months leading people"
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
        if req.kind == "education":
            return self._education(req)
        if req.kind == "other" and req.skill:
            source = self.skill_source(req)
            if source is not None:
                return Verdict(req, "met", source, f"profile mentions {source}")
            return Verdict(req, "unknown", None, f"{req.skill} is judged in the interview")
        # Location and free-text requirements are not in the parsed facts: a human judges them.
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
            return Verdict(
                req, "not_met", f"{months} months in the experience timeline",
                f"{months} of {needed} months", closeness=months / needed,
            )  # fmt: skip
        if req.scope == "management":
            return self._management(req, months, needed)
        if months is None:
            return Verdict(req, "unknown", None, "total experience was not parsed")
        if req.any_of:
            return self._experience_in_field(req, months, needed)
        return Verdict(
            req, "met", f"{months} months in the experience timeline",
            f"{months} months >= {needed} months",
        )  # fmt: skip

    def _experience_in_field(self, req: Requirement, months: int, needed: int) -> Verdict:
        """Experience "as an HR generalist": the event carries total months, not months per role,
        so the field is read from the skills. Held (or implied): the months count. Only skills of
        the same kind (a recruiter's for an HR generalist's): maybe. None at all: ten years as a
        nurse are not four years in HR."""
        field_name = " or ".join(req.any_of)
        evidence = f"{months} months in the experience timeline"
        source = self.skill_source(req)
        if source is not None:
            return Verdict(
                req, "met", f"{evidence}; {source}",
                f"{months} months >= {needed} months, with {source}",
            )  # fmt: skip
        if not self.direct:
            return Verdict(req, "unknown", evidence, f"no skills parsed to show {field_name}")
        related = self.related_skill(req)
        if related is not None:
            return Verdict(
                req, "unknown", f"{evidence}; {related}",
                f"{months} months, in a field related to {field_name} ({related})",
            )  # fmt: skip
        # The length is there, the field is not shown: half of what was asked.
        return Verdict(
            req, "not_met", evidence, f"{months} months, none of them shown in {field_name}",
            closeness=0.5,
        )  # fmt: skip

    def related_skill(self, req: Requirement) -> str | None:
        """A profile skill of the same taxonomy category as one of ``req``'s skills."""
        wanted = {c for n in req.any_of if (c := self.taxonomy.category(n)) is not None}
        wanted.discard(SOFT_SKILLS_CATEGORY)
        for _, name in sorted(self.direct.items()):
            if self.taxonomy.category(name) in wanted:
                return name
        return None

    def _management(self, req: Requirement, months: int | None, needed: int) -> Verdict:
        led = self.facts.leadership_months
        if led == 0 and (skill := self.leadership_skill()) is not None:
            # No leading job title, but a listed leadership skill: led people, for how long the
            # timeline does not say.
            return Verdict(req, "unknown", skill, f"profile lists {skill}; months not stated")
        if led is not None:
            evidence = f"{led} months leading people in the experience timeline"
            if led >= needed and led > 0:
                return Verdict(req, "met", evidence, f"{led} months >= {needed} months managing")
            return Verdict(
                req, "not_met", evidence, f"{led} of {needed} months managing people",
                closeness=led / needed if needed else 0.0,
            )  # fmt: skip
        if self.facts.leads_people is False:
            return Verdict(req, "not_met", None, "no people-management experience in the profile")
        if months is None:
            return Verdict(req, "unknown", None, "total experience was not parsed")
        if self.facts.leads_people:
            return Verdict(
                req, "met", f"{months} months in the experience timeline, leading people",
                f"{months} months >= {needed} months, with leadership",
            )  # fmt: skip
        return Verdict(
            req, "unknown", f"{months} months in the experience timeline",
            "enough experience; time spent managing not stated",
        )  # fmt: skip

    def leadership_skill(self) -> str | None:
        """A listed skill that is itself leading people ("Team Leadership", "Mentoring")."""
        for key, name in sorted(self.direct.items()):
            if key in _LEADERSHIP_KEYS:
                return name
        return None

    def _leadership(self, req: Requirement) -> Verdict:
        leads = self.facts.leads_people
        months = self.facts.leadership_months
        # No leading job title (0 months) is weaker evidence than a listed leadership skill: a
        # "Senior Engineer" who mentors or led a squad rarely has "Lead" in the title.
        if not leads and (skill := self.leadership_skill()) is not None:
            return Verdict(req, "met", skill, f"profile lists {skill}")
        if leads is None:
            return Verdict(req, "unknown", None, "the profile says nothing about leading people")
        if leads:
            evidence = f"{months} months leading people" if months else "leadership"
            return Verdict(req, "met", evidence, "profile shows leadership experience")
        return Verdict(req, "not_met", None, "profile shows no leadership experience")

    def _education(self, req: Requirement) -> Verdict:
        degrees = self.facts.degrees
        if not degrees:
            # Parsers miss education sections often: silence is not a gap.
            return Verdict(req, "unknown", None, "no degree was parsed from the profile")
        needed = degree_rank(req.evidence)
        best = max(degrees, key=lambda d: degree_rank(d) or 0)
        held = degree_rank(best) or 0
        if needed is None or held >= needed:
            if req.any_of:
                return self._degree_subject(req, degrees, best)
            return Verdict(req, "met", best, f"profile lists {best}")
        return Verdict(
            req, "not_met", best, f"{best} is below the degree the posting asks",
            closeness=held / needed,
        )  # fmt: skip

    def _degree_subject(self, req: Requirement, degrees: Sequence[str], best: str) -> Verdict:
        """ "A degree in finance, accounting or economics": the level is there; is the subject?
        Read from the degree's name: a field skill the taxonomy finds in it, or a subject word
        of the ad's phrase ("BSc Finance")."""
        words = subject_words(req.evidence)
        wanted = {n.casefold() for n in req.any_of}
        fields = {c for n in req.any_of if (c := self.taxonomy.category(n)) is not None}
        named_elsewhere = True  # every degree names a subject, none of the asked kind
        for degree in degrees:
            names = self.taxonomy.find_names(degree)
            if {n.casefold() for n in names} & wanted or _names_subject(degree, words):
                return Verdict(req, "met", degree, f"profile lists {degree}")
            categories = {self.taxonomy.category(n) for n in names} - {SOFT_SKILLS_CATEGORY}
            if not categories or categories & fields:
                named_elsewhere = False
        if named_elsewhere:
            # "Diploma in Hospitality Management" for "a degree in supply chain or logistics":
            # the subject is stated and is another field. The level is there: half a near miss.
            return Verdict(
                req, "not_met", best, f"{best}: the level asked, in another subject",
                closeness=0.5,
            )  # fmt: skip
        return Verdict(
            req, "unknown", best, f"{best}: the level asked, the subject not shown to match"
        )

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
        return Verdict(
            req, "not_met", f"{language} {level}", f"{level} is below {req.level}",
            closeness=(level_rank(level) + 1) / (level_rank(req.level) + 1),
        )  # fmt: skip


def weight_of(req: Requirement) -> int:
    return req.weight if req.weight is not None else _WEIGHT[req.importance]


def _level_shares(verdicts: Sequence[Verdict], facts: CandidateFacts) -> dict[int, float]:
    """Per must-have length at the level the job title names (scope "level"), the share of it
    the timeline holds, where it holds less (2 of 5 years: 0.4). Unknown months: none."""
    months = facts.total_experience_months
    if months is None:
        return {}
    return {
        i: months / (v.requirement.min_months or 1)
        for i, v in enumerate(verdicts)
        if v.requirement.scope == "level"
        and v.requirement.importance == "must"
        and months < (v.requirement.min_months or 0)
    }


class _Rubric:
    """The score arithmetic, also "as if" some open requirements were confirmed (for the hint).

    Each verdict earns ``credit x weight``. A senior ad's skills are asked at its level: when
    the timeline is short of a "level" length, skill verdicts earn in proportion to the share
    of it held (a 2-year junior's tools count 0.4 for a senior's 5 years); confirming that
    length lifts the factor back to 1. Without such a shortfall the sums are exactly those of
    rubric 0.3.0 (base earned, plus each confirmed item's gain)."""

    __slots__ = ("_base", "credits", "level_shares", "total", "verdicts", "weights")

    def __init__(self, verdicts: Sequence[Verdict], level_shares: dict[int, float]) -> None:
        self.verdicts = verdicts
        self.level_shares = level_shares
        self.weights = [weight_of(v.requirement) for v in verdicts]
        self.credits = [v.credit for v in verdicts]
        self.total = sum(self.weights)
        self._base = (
            self._earned(set())
            if level_shares
            else sum(c * w for c, w in zip(self.credits, self.weights, strict=True))
        )

    def gain(self, i: int) -> float:
        """Points confirming open item ``i`` alone would add."""
        if self.level_shares:
            return self._earned({i}) - self._base
        return self.weights[i] * (1.0 - self.credits[i])

    def earned(self, confirmed: Iterable[int] = ()) -> float:
        order = list(dict.fromkeys(confirmed))
        if not order:
            return self._base
        if self.level_shares:
            return self._earned(set(order))
        return self._base + sum(self.gain(i) for i in order)

    def _earned(self, done: set[int]) -> float:
        depth = min((x for i, x in self.level_shares.items() if i not in done), default=1.0)
        earned = 0.0
        for i, v in enumerate(self.verdicts):
            credit = 1.0 if i in done else self.credits[i]
            if v.requirement.kind == "skill":
                credit *= depth
            earned += credit * self.weights[i]
        return earned

    def score(self, confirmed: Iterable[int] = ()) -> int:
        if self.total == 0:
            return _NO_REQUIREMENTS_SCORE  # every requirement weighted 0 by the team
        return _percent(self.earned(confirmed), self.total)


def _percent(earned: float, total: int) -> int:
    """100 * earned / total, rounded half up; the epsilon keeps 0.5 from floating just below."""
    return math.floor(100 * earned / total + 0.5 + 1e-9)


_DEGREE_LEVELS: tuple[tuple[re.Pattern[str], int], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), rank)
    for pattern, rank in (
        (r"\bph\.?\s?d\b|\bdoctor(?:ate|al)\b", 4),
        (r"\bmaster'?s?\b|\bm\.?sc?\b|\bmba\b|\bm\.?eng\b|\bm\.?a\.(?!\w)", 3),
        (r"\bbachelor'?s?\b|\bb\.?sc?\b|\bb\.?a\.(?!\w)|\bb\.?eng\b|\bundergraduate\b", 2),
        (r"\bassociate'?s?\b|\bdiploma\b|\bcertificate\b|\bdegree\b", 1),
    )
)


_SUBJECT_STOPWORDS = frozenset(
    [
        "and",
        "or",
        "the",
        "a",
        "an",
        "of",
        "in",
        "related",
        "field",
        "fields",
        "similar",
        "equivalent",
        "discipline",
        "area",
        "science",
        "sciences",
        "studies",
        "degree",
        "management",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")


def subject_words(evidence: str) -> frozenset[str]:
    """The words naming a degree's subject in an ad's sentence ("finance, accounting, economics"
    in "A bachelor's degree in finance, accounting or economics"), cut to 5 letters so
    "Accountancy" matches "accounting" and "humaines" matches "human"."""
    found = DEGREE_FIELD.search(evidence)
    if found is None:
        return frozenset()
    subject = re.split(r"[.;:()]|\bis\b|\bare\b", evidence[found.end() :], maxsplit=1)[0]
    words = (w.casefold() for w in _WORD.findall(subject))
    return frozenset(w[:5] for w in words if len(w) >= 4 and w not in _SUBJECT_STOPWORDS)


def _names_subject(degree: str, words: frozenset[str]) -> bool:
    return any(w.casefold()[:5] in words for w in _WORD.findall(degree) if len(w) >= 4)


def degree_rank(text: str) -> int | None:
    """Rough academic level a phrase names (PhD 4 > master 3 > bachelor 2 > other 1)."""
    for pattern, rank in _DEGREE_LEVELS:
        if pattern.search(text):
            return rank
    return None


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


def _hint(rubric: _Rubric, tier: TierName) -> str | None:
    """The fewest open requirements whose confirmation lifts the candidate one tier, if <= 2.

    Musts not met go first (they block "strong" whatever the score), then the open items
    worth the most points; ties keep the posting's order so the hint is stable.
    """
    if tier == "strong":
        return None
    verdicts = rubric.verdicts
    target: TierName = "possible" if tier == "weak" else "strong"
    open_items = [i for i, v in enumerate(verdicts) if v.status != "met"]
    blocking = [
        i
        for i in open_items
        if target == "strong"
        and verdicts[i].status == "not_met"
        and verdicts[i].requirement.importance == "must"
    ]
    gain = {i: rubric.gain(i) for i in open_items}
    rest = sorted((i for i in open_items if i not in blocking), key=lambda i: (-gain[i], i))
    chosen = list(blocking)
    for extra in [None, *rest]:
        if extra is not None:
            chosen.append(extra)
        if len(chosen) > _HINT_MAX_ITEMS:
            return None
        # As if the chosen items were met: the same arithmetic as the score.
        trial_score = rubric.score(chosen)
        still_blocked = any(
            v.status == "not_met" and v.requirement.importance == "must" and i not in chosen
            for i, v in enumerate(verdicts)
        )
        reached = _tier(trial_score, still_blocked)
        if chosen and _TIER_RANK[reached] >= _TIER_RANK[target]:
            labels = _labels(verdicts[i] for i in sorted(chosen))
            verb = "is" if len(labels) == 1 else "are"
            return f"{target} if {' and '.join(labels)} {verb} confirmed"
    return None
