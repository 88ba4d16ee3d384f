"""One requirements version compiled for scoring many profiles, with the same results as
``score_candidate``.

Rescoring a posting judges 100,000 profiles against one requirements list. Most verdicts repeat
("Git is not among the profile's skills", "no degree was parsed"), and the score, tier, matched,
missing and hint depend on the verdicts (their status and near-miss ``closeness``) and, since
rubric 0.4.0, on the timeline's months where it is short of a "level" length (skill credit is
scaled by the share held). So each requirement keeps a table from *what it reads of a profile*
to the verdict ``_Profile.judge`` gave, and each distinct list of verdicts (with that shortfall)
is turned into a ``ScoreResult`` once, by the rubric's own arithmetic (``_Rubric``, ``_hint``).
A profile then costs a few dictionary lookups; the rubric itself still runs, on the first
profile of every distinct outcome.

Skills no requirement names, and that imply none, cannot change a verdict: ``foldable_skills``
says which, so a store can hand profiles over with those replaced by the one ``OTHER_SKILLS``
stand-in (reading 100,000 profiles' full skill lists was a third of a rescore). Besides the
skills requirements name (or that imply one) and leadership skills, the skills of a taxonomy
category an "experience in a field" requirement names are relevant: they make that experience
"related" (``_Profile.related_skill``).

What a requirement reads is spelled out in ``_reader``: if a judge in ``scoring`` starts reading
another fact, its reader must include it. The differential test (``test_compiled.py``) compares
this path with ``score_candidate`` on many synthetic profiles and fails when they disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from hirestream.scorer.domain.cues import SOFT_SKILLS_CATEGORY
from hirestream.scorer.domain.requirements import Requirement
from hirestream.scorer.domain.scoring import (
    _LEADERSHIP_KEYS,
    _NO_REQUIREMENTS_SCORE,
    CandidateFacts,
    ScoreResult,
    Verdict,
    _hint,
    _labels,
    _level_shares,
    _Memo,
    _memo,
    _must_not_met,
    _Profile,
    _Rubric,
    _tier,
)
from hirestream.scorer.domain.taxonomy import SkillTaxonomy


@dataclass(frozen=True, slots=True)
class _Skill:
    """One skill string as profiles list it, resolved once per requirements version."""

    raw: str
    key: str  # casefolded canonical name: what ``_Profile.direct`` is keyed by
    name: str  # canonical name, or the string as listed when the taxonomy does not know it
    implies: frozenset[str]  # keys the requirements ask about that this skill implies
    leads_people: bool  # a leadership skill ("Team Leadership", "Mentoring")
    category: str | None  # taxonomy category of ``name``, as ``_Profile.related_skill`` reads it


class _Skills:
    """The skills of one profile that can change a verdict, keyed as ``_Profile.direct``."""

    __slots__ = ("direct", "implied")

    def __init__(self, relevant: frozenset[str], known: dict[str, _Skill]) -> None:
        # As _Profile.build: the first skill (in sorted order) of each key names it.
        direct: dict[str, _Skill] = {}
        for raw in relevant:
            skill = known[raw]
            held = direct.get(skill.key)
            if held is None or raw < held.raw:
                direct[skill.key] = skill
        # As _Profile.implied_by: key -> the skill implying it, the first in key order.
        implied: dict[str, _Skill] = {}
        for key, skill in direct.items():
            for wanted in skill.implies:
                held = implied.get(wanted)
                if held is None or key < held.key:
                    implied[wanted] = skill
        self.direct = direct
        self.implied = implied

    def source(self, names: Sequence[tuple[str, str]], led: int | None) -> str | None:
        """As ``_Profile.skill_source`` for a requirement's (name, key) alternatives; ``led``
        is the profile's leadership months when an alternative is leading people, else None."""
        for name, key in names:
            direct = self.direct.get(key)
            if direct is not None:
                return direct.name
            implying = self.implied.get(key)
            if implying is not None:
                return f"{implying.name} (implies {name})"
        if led:
            return f"{led} months leading people"
        return None

    def leadership_skill(self) -> str | None:
        keys = [key for key, skill in self.direct.items() if skill.leads_people]
        return self.direct[min(keys)].name if keys else None

    def related(self, categories: frozenset[str]) -> str | None:
        """As ``_Profile.related_skill``: the first skill (in key order) of those categories."""
        keys = [key for key, skill in self.direct.items() if skill.category in categories]
        return self.direct[min(keys)].name if keys else None


# Stands for "skills that cannot change any verdict" in facts handed to ``classify``.
OTHER_SKILLS = "<other skills>"

# The ``CandidateFacts`` fields each kind's reader (``_reader``) looks at; "skills" is read by
# every requirement naming a skill, "leadership_months" by one naming a leadership skill (the
# months stand in for it: ``_Profile.skill_source``). Experience reads the skills for its field
# and, for management, a listed leadership skill.
_FIELDS_READ: dict[str, frozenset[str]] = {
    "skill": frozenset(),
    "experience_years": frozenset(
        {"total_experience_months", "leadership_months", "leadership", "skills"}
    ),
    "leadership": frozenset({"leadership", "leadership_months", "skills"}),
    "language": frozenset({"languages"}),
    "education": frozenset({"degrees"}),
    "location": frozenset(),
    "other": frozenset(),
}
ALL_FIELDS = frozenset(
    {"skills", "total_experience_months", "languages", "leadership", "leadership_months", "degrees"}
)

_KNOWN_KINDS = frozenset({"skill", "experience_years", "leadership", "language", "education",
                          "location", "other"})  # fmt: skip

# What a requirement's verdict depends on: the facts, and the profile's relevant skills.
Reader = Callable[[CandidateFacts, frozenset[str]], Hashable]


class CompiledRequirements:
    """``score(facts)`` equals ``score_candidate(requirements, facts, taxonomy)``; ``classify``
    says which of the distinct results (``results``) a profile got, so callers can store each
    distinct verdict list once.

    Skill requirements (and negative signals) depend on the profile's skills only through the
    few skills a requirement names or that imply one (the *relevant* skills): they are judged
    together, once per distinct set of relevant skills. Every other requirement is judged once
    per distinct value of what it reads (experience months, languages, degrees ...).
    """

    def __init__(self, requirements: Sequence[Requirement], taxonomy: SkillTaxonomy) -> None:
        self.requirements = tuple(requirements)
        self.results: list[ScoreResult] = []
        self._memo: _Memo = _memo(taxonomy)
        self._positive = [r for r in self.requirements if not r.negative]
        self._negative = [r for r in self.requirements if r.negative]
        self._names = {id(r): self._alternatives(r) for r in self.requirements}
        self._wanted = frozenset(key for names in self._names.values() for _, key in names)
        # Requirements whose skill source can be "N months leading people".
        self._leads = {id(r): _names_leading(r) for r in self.requirements}
        # Categories that make experience "in a field related to" one a requirement asks.
        self._fields = {id(r): self._field_categories(r) for r in self.requirements}
        self._wanted_categories = frozenset(c for cs in self._fields.values() for c in cs)
        by_skills = [
            i
            for i, r in enumerate(self._positive)
            if self._names[id(r)] and r.kind != "experience_years"
        ]
        self._by_skills = by_skills
        self._skills_read_led = any(
            self._leads[id(r)] for r in (*(self._positive[i] for i in by_skills), *self._negative)
        )
        # "level" lengths: a timeline short of one scales every skill's credit.
        self._level_needs = tuple(
            r.min_months or 0
            for r in self._positive
            if r.scope == "level" and r.importance == "must"
        )
        self._by_facts: list[tuple[int, Reader, dict[Hashable, int]]] = [
            (i, self._reader(r), {}) for i, r in enumerate(self._positive) if i not in by_skills
        ]
        self._order = by_skills + [i for i, _, _ in self._by_facts]
        # Skill strings seen so far, and those that can change a verdict.
        self._known: dict[str, _Skill] = {}
        self._relevant: set[str] = set()
        self._relevant_keys: set[str] = set(self._wanted | _LEADERSHIP_KEYS)
        self._raws_of_key: dict[str, list[str]] = {}
        self._views: dict[frozenset[str], _Skills] = {}
        self._skill_outcomes: dict[
            tuple[frozenset[str], bool, int | None], tuple[Hashable, ...]
        ] = {}
        self._skill_verdicts: dict[tuple[int, str | None, bool], int] = {}
        self._verdicts: list[Verdict] = []
        self._verdict_ids: dict[tuple[int, str, str | None, str, float], int] = {}
        self._by_outcome: dict[tuple[Hashable, ...], int] = {}

    def score(self, facts: CandidateFacts) -> ScoreResult:
        return self.results[self.classify(facts)]

    @property
    def reads(self) -> frozenset[str]:
        """The ``CandidateFacts`` fields some requirement reads: the others can be left at
        their defaults (None, empty) without changing any result."""
        fields: set[str] = set()
        for r in self.requirements:
            if self._names[id(r)]:
                fields.add("skills")
            if self._leads[id(r)]:
                fields.add("leadership_months")
            fields |= _FIELDS_READ.get(r.kind, ALL_FIELDS) if not r.negative else set()
        return frozenset(fields)

    def foldable_skills(self, vocabulary: Iterable[str]) -> frozenset[str]:
        """The skill strings of ``vocabulary`` that cannot change any result: a profile scores
        the same with those replaced by ``OTHER_SKILLS`` (one stand-in for any number)."""
        strings = frozenset(vocabulary) | {OTHER_SKILLS}
        self._learn(strings)
        if OTHER_SKILLS in self._relevant or any(
            r.kind not in _KNOWN_KINDS for r in self.requirements
        ):
            return frozenset()  # a requirement asks for the stand-in itself, or reads anything
        return strings - self._relevant - {OTHER_SKILLS}

    def classify(self, facts: CandidateFacts) -> int:
        """The index in ``results`` of this profile's result."""
        skills = facts.skills
        if not self._known.keys() >= skills:
            self._learn(skills)
        relevant = skills & self._relevant
        profile: _Profile | None = None
        led = facts.leadership_months if self._skills_read_led else None
        by_skills = self._skill_outcomes.get((relevant, bool(skills), led))
        if by_skills is None:
            by_skills = self._skill_outcomes[relevant, bool(skills), led] = self._judge_skills(
                facts, self._view(relevant)
            )
        outcome: list[Hashable] = [by_skills]
        for index, read, seen in self._by_facts:
            what = read(facts, relevant)
            verdict = seen.get(what)
            if verdict is None:
                if profile is None:
                    profile = _Profile.build(facts, self._memo)
                verdict = seen[what] = self._intern(index, profile.judge(self._positive[index]))
            outcome.append(verdict)
        outcome.append(self._shortfall(facts))
        key = tuple(outcome)
        result = self._by_outcome.get(key)
        if result is None:
            result = self._by_outcome[key] = len(self.results)
            self.results.append(self._result(key))
        return result

    # ------------------------------------------------------------------------------ compiling

    def _alternatives(self, req: Requirement) -> tuple[tuple[str, str], ...]:
        """(name, key) per alternative, as ``_Profile.skill_source`` looks them up; empty for
        requirements judged without the profile's skills. Experience "as an HR generalist"
        (``any_of``) looks its field up as a skill requirement would."""
        in_field = req.kind == "experience_years" and bool(req.any_of)
        if not (
            req.negative or in_field or req.kind == "skill" or (req.kind == "other" and req.skill)
        ):
            return ()
        names = req.any_of or (str(req.skill),)
        return tuple((n, (self._memo.canonical(n) or n).casefold()) for n in names)

    def _field_categories(self, req: Requirement) -> frozenset[str]:
        """As ``_Profile.related_skill``'s ``wanted``, for experience in a field."""
        if req.negative or req.kind != "experience_years" or not req.any_of:
            return frozenset()
        found = {c for n in req.any_of if (c := self._memo.category(n)) is not None}
        return frozenset(found - {SOFT_SKILLS_CATEGORY})

    def _view(self, relevant: frozenset[str]) -> _Skills:
        view = self._views.get(relevant)
        if view is None:
            view = self._views[relevant] = _Skills(relevant, self._known)
        return view

    def _shortfall(self, facts: CandidateFacts) -> int | None:
        """The timeline's months where they are short of a "level" length (what
        ``_level_shares`` reads), else None."""
        months = facts.total_experience_months
        if months is None or not any(months < need for need in self._level_needs):
            return None
        return months

    def _reader(self, req: Requirement) -> Reader:
        """What ``_Profile.judge(req)`` reads, for a requirement not about skills."""
        if req.kind == "experience_years":
            names = self._names[id(req)]
            leads = self._leads[id(req)]
            categories = self._fields[id(req)]
            management = req.scope == "management"

            def experience(f: CandidateFacts, relevant: frozenset[str]) -> Hashable:
                led = f.leadership_months
                view = self._view(relevant) if management or names else None
                return (
                    f.total_experience_months,
                    led,
                    f.leadership,
                    # _management: a listed leadership skill when no leading title was found
                    view.leadership_skill() if view is not None and management else None,
                    # _experience_in_field: the field as a skill, any skill, a related one
                    view.source(names, led if leads else None)
                    if view is not None and names
                    else None,
                    bool(f.skills) if names else None,
                    view.related(categories) if view is not None and names else None,
                )

            return experience
        if req.kind == "leadership":
            return lambda f, relevant: (
                f.leadership,
                f.leadership_months,
                # _leadership: a listed leadership skill counts unless leading people is shown
                self._view(relevant).leadership_skill() if not f.leads_people else None,
            )
        if req.kind == "language":
            return lambda f, _: tuple(sorted(f.languages.items()))
        if req.kind == "education":
            return lambda f, _: f.degrees
        if req.kind in ("location", "other"):
            return lambda f, _: None  # not in the parsed facts: the same verdict for everyone
        return _everything  # a kind this module does not know yet: exact, just not shared

    def _learn(self, raws: frozenset[str]) -> None:
        for raw in raws - self._known.keys():
            name = self._memo.canonical(raw) or raw.strip()
            implied = (
                frozenset(i.casefold() for i in self._memo.implied(name)) & self._wanted
                if self._memo.canonical(name) is not None
                else frozenset()
            )
            key = name.casefold()
            category = self._memo.category(name)
            self._known[raw] = _Skill(raw, key, name, implied, key in _LEADERSHIP_KEYS, category)
            same_key = self._raws_of_key.setdefault(key, [])
            same_key.append(raw)
            related = category is not None and category in self._wanted_categories
            if (implied or related) and key not in self._relevant_keys:
                # Which skill of a key names it matters now: every string of the key counts.
                self._relevant_keys.add(key)
                self._relevant.update(same_key)
            elif key in self._relevant_keys:
                self._relevant.add(raw)

    def _judge_skills(self, facts: CandidateFacts, skills: _Skills) -> tuple[Hashable, ...]:
        """Verdicts of the skill requirements, then the negative signals' sources. A skill
        verdict depends on the requirement's source in the profile (and on whether the profile
        lists any skill at all): the rubric judges each (requirement, source) once."""
        listed = bool(facts.skills)
        led = facts.leadership_months
        verdicts: list[Hashable] = []
        profile: _Profile | None = None
        for index in self._by_skills:
            req = self._positive[index]
            source = skills.source(self._names[id(req)], led if self._leads[id(req)] else None)
            what = (index, source, listed)
            verdict = self._skill_verdicts.get(what)
            if verdict is None:
                if profile is None:
                    profile = _Profile.build(facts, self._memo)
                verdict = self._skill_verdicts[what] = self._intern(index, profile.judge(req))
            verdicts.append(verdict)
        flags = [
            skills.source(self._names[id(r)], led if self._leads[id(r)] else None)
            for r in self._negative
        ]
        return (*verdicts, *flags)

    def _intern(self, index: int, verdict: Verdict) -> int:
        key = (index, verdict.status, verdict.evidence, verdict.reason, verdict.closeness)
        found = self._verdict_ids.get(key)
        if found is None:
            found = self._verdict_ids[key] = len(self._verdicts)
            self._verdicts.append(verdict)
        return found

    def _result(self, outcome: tuple[Any, ...]) -> ScoreResult:
        """The tail of ``score_candidate``, from verdicts, negative-signal sources and the
        "level" shortfall: the rubric's own arithmetic, once per distinct outcome."""
        by_skills = outcome[0]
        in_order = [*by_skills[: len(self._by_skills)], *outcome[1:-1]]
        position = dict(zip(self._order, in_order, strict=True))
        verdicts = [self._verdicts[position[i]] for i in range(len(self._positive))]
        flags = [
            f"profile lists {found}, which the posting rules out"
            for found in by_skills[len(self._by_skills) :]
            if found is not None
        ]
        if not verdicts:
            score = _NO_REQUIREMENTS_SCORE
            return ScoreResult(score, _tier(score, False), [], [], [], None, flags)
        # _level_shares reads the months only, and only where they fall short (outcome[-1]).
        rubric = _Rubric(
            verdicts, _level_shares(verdicts, CandidateFacts(frozenset(), outcome[-1]))
        )
        score = rubric.score()
        tier = _tier(score, _must_not_met(verdicts))
        return ScoreResult(
            score,
            tier,
            verdicts,
            _labels(v for v in verdicts if v.status == "met"),
            _labels(v for v in verdicts if v.status == "not_met"),
            _hint(rubric, tier),
            flags,
        )


def _names_leading(req: Requirement) -> bool:
    """``_Profile.skill_source`` falls back on leadership months for these alternatives."""
    return any(n.casefold() in _LEADERSHIP_KEYS for n in req.any_of or (req.skill or "",))


def _everything(f: CandidateFacts, _: frozenset[str]) -> Hashable:
    return (
        f.skills,
        f.total_experience_months,
        tuple(sorted(f.languages.items())),
        f.leadership,
        f.leadership_months,
        f.degrees,
    )
