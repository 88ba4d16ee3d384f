"""Turn a posting into a list of requirements the scorer can check a candidate against.

Extraction is rule-based on purpose: hiring teams must be able to see why "Kubernetes" became a
must-have (``evidence`` is the sentence it came from), and the same posting must always yield the
same requirements. Importance comes from the section a sentence sits in ("Requirements" vs
"Nice to have"), overridden by the sentence's own wording ("... is a plus").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal, get_args

from hirestream.scorer.domain import cues
from hirestream.scorer.domain.languages import (
    CEFR_LEVELS,
    LANGUAGE_NAMES,
    canonical_language,
    level_from_text,
)
from hirestream.scorer.domain.posting import PostingDocument, read_posting
from hirestream.scorer.domain.segments import (
    SectionKind,
    iter_units,
    mask_outside,
    mask_spans,
    parenthetical_spans,
    split_sentences,
)
from hirestream.scorer.domain.taxonomy import SkillMatchLike, SkillTaxonomy

# Bump when extraction changes what it produces for the same posting, so stored requirement
# lists can be recognised as stale and re-extracted.
REQUIREMENTS_MODEL_VERSION = "0.4.0"

RequirementKind = Literal[
    "skill", "experience_years", "leadership", "language", "education", "location", "other"
]
Importance = Literal["must", "nice"]
# "level": total months, asked by an ad whose title names a senior level ("Senior Product
# Designer"), so the length is the level the skills are asked at (see scoring).
ExperienceScope = Literal["total", "management", "level"]

_KINDS: frozenset[str] = frozenset(get_args(RequirementKind))
_IMPORTANCES: frozenset[str] = frozenset(get_args(Importance))
_SCOPES: frozenset[str] = frozenset(get_args(ExperienceScope))
_DEFAULT_LANGUAGE_LEVEL = "B2"  # "English required" without a level: professional working use
_BILINGUAL_LEVEL = "C1"


@dataclass(frozen=True)
class Requirement:
    """One thing the posting asks of a candidate.

    ``negative`` marks a signal against a skill ("we are NOT open to .net"): it is kept so people
    can see it, but it is not something a candidate must have. ``any_of`` lists alternatives
    ("node.js, go or java": one is enough); ``skill`` is then the first of them. ``scope`` tells
    whether ``min_months`` counts all experience or experience managing people.
    """

    kind: RequirementKind
    importance: Importance
    skill: str | None = None
    min_months: int | None = None
    language: str | None = None
    level: str | None = None
    negative: bool = False
    evidence: str = ""
    any_of: tuple[str, ...] = ()
    scope: ExperienceScope = "total"
    weight: int | None = None  # set by the hiring team; None: the rubric's default

    def __post_init__(self) -> None:
        # Rebuilt from JSON storage as Requirement(**row), any_of arrives as a list: keep the
        # dataclass hashable and equal to the original.
        object.__setattr__(self, "any_of", tuple(self.any_of))
        # Reject what the scorer cannot interpret instead of silently scoring it as something else.
        if self.kind not in _KINDS:
            raise ValueError(f"unknown requirement kind {self.kind!r}")
        if self.importance not in _IMPORTANCES:
            raise ValueError(f"unknown importance {self.importance!r}")
        if self.scope not in _SCOPES:
            raise ValueError(f"unknown experience scope {self.scope!r}")
        if self.level is not None and self.level not in CEFR_LEVELS:
            raise ValueError(f"level must be a CEFR level, got {self.level!r}")
        if self.weight is not None and not 0 <= self.weight <= 10:
            raise ValueError("a weight must be between 0 and 10")
        if self.kind == "skill" and not (self.skill or self.any_of):
            raise ValueError("a skill requirement needs a skill")
        if self.kind == "experience_years" and (self.min_months is None or self.min_months < 0):
            raise ValueError("an experience requirement needs min_months >= 0")
        if self.kind == "language" and not self.language:
            raise ValueError("a language requirement needs a language")

    @property
    def label(self) -> str:
        """Short human label, as shown in matched/missing lists."""
        if self.kind == "skill":
            name = " or ".join(self.any_of) if len(self.any_of) > 1 else str(self.skill)
            return f"not {name}" if self.negative else name
        if self.kind == "experience_years":
            amount = _format_months(self.min_months or 0)
            what = "management experience" if self.scope == "management" else "experience"
            within = f" in {' or '.join(self.any_of)}" if self.any_of else ""
            level = " (senior level)" if self.scope == "level" else ""
            return f"{amount} {what}{within}{level}"
        if self.kind == "education" and self.any_of:
            return f"degree in {' or '.join(self.any_of)}"
        if self.kind == "leadership":
            return "leadership experience"
        if self.kind == "language":
            return f"{self.language} ({self.level})" if self.level else str(self.language)
        return self.skill or self.kind

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["any_of"] = list(self.any_of)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Requirement:
        values = dict(data)
        values["any_of"] = tuple(values.get("any_of") or ())
        return cls(**values)


def _format_months(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return f"{years}+ year" + ("s" if years != 1 else "")
    return f"{months}+ months"


def extract_requirements(
    doc_or_text: PostingDocument | str, taxonomy: SkillTaxonomy
) -> list[Requirement]:
    """Every requirement the posting states, each once, with its strongest importance."""
    doc = (
        doc_or_text
        if isinstance(doc_or_text, PostingDocument)
        else read_posting(doc_or_text, fallback_slug="posting")
    )
    whole = " ".join([doc.title, doc.body, *map(str, doc.metadata.values())])
    extractor = _Extractor(taxonomy, bool(cues.FRENCH_ENGLISH_REGION.search(whole)))
    found: list[Requirement] = list(extractor.title(doc.title))
    for unit in iter_units(doc.body):
        for sentence in split_sentences(unit.text):
            found.extend(extractor.sentence(sentence, unit.section))
    merged = _merge(found)
    if cues.SENIOR_TITLE.search(doc.title):
        # "Senior Product Designer ... 5+ years": the years are the level the job is at.
        merged = [
            replace(r, scope="level")
            if r.kind == "experience_years" and r.scope == "total" and r.importance == "must"
            else r
            for r in merged
        ]
    return merged


@dataclass
class _Fields:
    experience: dict[int, tuple[str, ...]] = field(default_factory=dict)  # by phrase start
    degree: tuple[str, ...] = ()


@dataclass
class _Clause:
    """Part of a sentence with its own importance: the main text (or the stretch of it before
    "ideally ..."), or one parenthetical. ``text`` is the sentence with everything outside the
    clause blanked, so offsets match the sentence and the taxonomy's spans."""

    text: str
    importance: Importance | None
    in_parentheses: bool
    matches: list[SkillMatchLike] = field(default_factory=list)


_LANGUAGE_WORD = re.compile(
    r"\b(" + "|".join(sorted(LANGUAGE_NAMES, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
# Taxonomy aliases that misread job-ad prose (reported to the taxonomy's owners): dropped here
# until the taxonomy is fixed, so no candidate is judged on "Data Entry" in a backend ad.
_MISREAD: dict[str, re.Pattern[str]] = {
    "Data Entry": re.compile(r"data processing|processing data", re.IGNORECASE),
    "Audit Software": re.compile(r"\bteammates?\b", re.IGNORECASE),
    "Argo CD": re.compile(r"argo workflows", re.IGNORECASE),
    "Customer Support": re.compile(r"\bticketing\b", re.IGNORECASE),
}
_PLAIN_KINDS: tuple[tuple[RequirementKind, re.Pattern[str]], ...] = (
    ("education", cues.EDUCATION),
    ("location", cues.LOCATION),
    ("other", cues.OTHER),
)
_CEFR_AFTER = re.compile(r"^\W{0,3}(?:level\s+)?([ABC][12])\b", re.IGNORECASE)


@dataclass
class _Extractor:
    taxonomy: SkillTaxonomy
    french_english_region: bool

    def title(self, title: str) -> Iterator[Requirement]:
        """The job title names the field ("Senior Product Designer", "Team Lead, Backend"): a
        skill it names is worth asking for, softly, since the ad's lists may never repeat it."""
        for match in _skill_matches(self.taxonomy, title):
            if (req := self._single_skill(match.name, "nice", title)) is not None:
                yield req

    def sentence(self, sentence: str, section: SectionKind) -> Iterator[Requirement]:
        if cues.PROTECTED.search(sentence) or cues.HIRING_PROCESS.search(sentence):
            return
        matches = _skill_matches(self.taxonomy, sentence)
        for clause in _clauses(sentence, section, matches):
            yield from self._negative_skills(clause, sentence)
            if clause.importance is None:
                continue
            # Skills naming the field of an experience length ("4 years as an HR generalist or
            # HR business partner") or of a degree ("a bachelor's in accounting") belong to that
            # requirement: they are alternatives for it, not skills to list on their own.
            fields, taken = self._fields(clause, sentence)
            yield from self._skills(clause, sentence, matches, taken)
            yield from self._others(clause, sentence, fields)

    def _negative_skills(self, clause: _Clause, sentence: str) -> Iterator[Requirement]:
        for match in _negated(clause):
            yield Requirement("skill", "nice", skill=match.name, negative=True, evidence=sentence)

    def _fields(self, clause: _Clause, sentence: str) -> tuple[_Fields, set[int]]:
        """Per experience phrase (by start) and for the degree, the skill names of its field,
        and the ids of the matches they consumed."""
        negated = {id(m) for m in _negated(clause)}
        positive = [m for m in clause.matches if id(m) not in negated and not self._soft(m.name)]
        groups = list(_list_groups(positive, sentence))
        fields = _Fields()
        taken: set[int] = set()
        for mention in cues.years_mentions(clause.text):
            names: list[str] = []
            for group in groups:
                if mention.start < group[0].start < mention.field_end and id(group[0]) not in taken:
                    names.extend(m.name for m in group)
                    taken.update(id(m) for m in group)
            fields.experience[mention.start] = tuple(dict.fromkeys(names))
        degree = cues.DEGREE_FIELD.search(clause.text)
        if degree is not None:
            for group in groups:
                lead_in = clause.text[degree.end() : group[0].start]
                if group[0].start < degree.end() or not cues.DEGREE_SUBJECT_LEAD.match(lead_in):
                    continue
                # "a master's in HR, SHRM or CIPD certification": the certificates are not the
                # degree's subject.
                subject = [m for m in group if not self._certificate(m.name)]
                fields.degree = tuple(dict.fromkeys(m.name for m in subject))
                taken.update(id(m) for m in subject)
                break
        return fields, taken

    def _soft(self, name: str) -> bool:
        skill = self.taxonomy.get(name)
        return skill is not None and skill.category == cues.SOFT_SKILLS_CATEGORY

    def _certificate(self, name: str) -> bool:
        skill = self.taxonomy.get(name)
        return skill is not None and skill.category == cues.CERTIFICATIONS_CATEGORY

    def _skills(
        self,
        clause: _Clause,
        sentence: str,
        everywhere: Sequence[SkillMatchLike],
        taken: set[int],
    ) -> Iterator[Requirement]:
        importance = clause.importance
        assert importance is not None
        negated = {id(m) for m in _negated(clause)}
        positive = [m for m in clause.matches if id(m) not in negated and id(m) not in taken]
        for group in _list_groups(positive, sentence):
            names = list(dict.fromkeys(m.name for m in group))
            earlier = {m.name.casefold() for m in everywhere if m.end <= group[0].start}
            if (
                len(names) == 1
                and earlier
                and cues.EXAMPLES_BEFORE.search(sentence[: group[0].start])
                and self._illustrate(names, earlier)
            ):
                # "a warehouse management system such as SAP EWM": the WMS is what is asked.
                yield Requirement("skill", "nice", skill=names[0], evidence=sentence)
                continue
            if len(names) > 1 and _alternatives(group, sentence, clause.in_parentheses):
                yield Requirement(
                    "skill",
                    # "a CRM such as Salesforce or HubSpot": the CRM is what is asked for; the
                    # named products only illustrate it, so knowing another CRM is fine.
                    "nice" if earlier and self._illustrate(names, earlier) else importance,
                    skill=names[0],
                    any_of=tuple(names),
                    evidence=sentence,
                )
                continue
            for name in names:
                if (req := self._single_skill(name, importance, sentence)) is not None:
                    yield req

    def _single_skill(self, name: str, importance: Importance, sentence: str) -> Requirement | None:
        """A soft skill is not a line a CV lists: leading people is the leadership requirement;
        the others ("team player", "communication") stay visible as ``other``, which the
        interview judges and a CV can only support."""
        if _MISREAD.get(name) and _MISREAD[name].search(sentence):
            return None
        skill = self.taxonomy.get(name)
        if skill is not None and skill.category == cues.SOFT_SKILLS_CATEGORY:
            if name in cues.LEADERSHIP_SKILLS:
                return Requirement("leadership", importance, evidence=sentence)
            return Requirement("other", importance, skill=name, evidence=sentence)
        return Requirement("skill", importance, skill=name, evidence=sentence)

    def _illustrate(self, names: Sequence[str], earlier: set[str]) -> bool:
        return all(
            any(i.casefold() in earlier for i in self.taxonomy.implied(name)) for name in names
        )

    def _others(self, clause: _Clause, sentence: str, fields: _Fields) -> Iterator[Requirement]:
        importance = clause.importance
        assert importance is not None
        text = clause.text
        for mention in cues.years_mentions(text):
            scope: ExperienceScope = "management" if mention.management else "total"
            field_names = fields.experience.get(mention.start, ())
            yield Requirement(
                "experience_years",
                importance,
                skill=field_names[0] if field_names else None,
                min_months=mention.months,
                scope=scope,
                evidence=sentence,
                any_of=field_names,
            )
        if cues.LEADERSHIP.search(text):
            yield Requirement("leadership", importance, evidence=sentence)
        yield from self._languages(text, importance, sentence)
        for kind, pattern in _PLAIN_KINDS:
            if (found := pattern.search(text)) is None:
                continue
            if kind == "other" and any(
                m.start < found.end() and found.start() < m.end for m in clause.matches
            ):
                continue  # "a driving licence" is the taxonomy's skill, asked for above
            else:
                field_names = fields.degree if kind == "education" else ()
                yield Requirement(kind, importance, evidence=sentence, any_of=field_names)

    def _languages(self, text: str, importance: Importance, sentence: str) -> Iterator[Requirement]:
        mentions = list(_LANGUAGE_WORD.finditer(text))
        named = list(dict.fromkeys(str(canonical_language(m.group(1))) for m in mentions))
        if cues.BILINGUAL.search(text):
            if len(named) >= 2:
                pair = named
            elif named and named[0] != "English":
                pair = [named[0], "English"]
            elif self.french_english_region:
                # In Quebec and across Canada "bilingual" means French and English.
                pair = ["French", "English"]
            else:
                yield Requirement("other", importance, evidence=sentence)
                return
            for language in pair:
                yield Requirement(
                    "language", importance, language=language, level=_BILINGUAL_LEVEL,
                    evidence=sentence,
                )  # fmt: skip
            return
        if not cues.LANGUAGE_CONTEXT.search(text):
            # "Spanish is a plus", "German required": a language that opens the clause is what
            # it asks for; "our English-speaking clients" is not a requirement.
            mentions = [m for m in mentions if _opens_clause(text, m)]
        if not mentions:
            return
        clause_level = level_from_text(text)
        previous_end = 0
        for mention in mentions:
            # "English (C1)": the parenthetical is blanked in ``text``, so read the sentence.
            after = _CEFR_AFTER.match(sentence[mention.end() :])
            level = (
                (after.group(1).upper() if after else None)
                or level_from_text(text[previous_end : mention.start()])
                or clause_level
                or _DEFAULT_LANGUAGE_LEVEL
            )
            previous_end = mention.end()
            yield Requirement(
                "language",
                importance,
                language=canonical_language(mention.group(1)),
                level=level,
                evidence=sentence,
            )


def _opens_clause(text: str, mention: re.Match[str]) -> bool:
    before = text[: mention.start()].strip(" \t-–:*•")
    return not before and text[mention.end() : mention.end() + 1] not in ("-", "'", "’")


def _clauses(
    sentence: str, section: SectionKind, matches: Sequence[SkillMatchLike]
) -> list[_Clause]:
    spans = parenthetical_spans(sentence)
    inside = {span: [m for m in matches if span[0] <= m.start < span[1]] for span in spans}
    # A parenthetical naming skills is a clause of its own ("(we are NOT open to .net)"); one
    # without ("(preferred)", "(though not a requirement)", "(English/French)") qualifies the
    # text around it and stays part of it.
    main_text = mask_spans(sentence, [span for span, found in inside.items() if found])
    # "Bachelor's degree, preferably in nursing": the adverb softens only what follows it.
    cut = cues.FORWARD_NICE.search(main_text)
    pieces = [(0, cut.start()), (cut.start(), len(sentence))] if cut else [(0, len(sentence))]
    clauses: list[_Clause] = []
    for start, end in pieces:
        text = mask_outside(main_text, (start, end))
        clauses.append(
            _Clause(
                text,
                _importance(text, section),
                in_parentheses=False,
                matches=[m for m in matches if start <= m.start < end and text[m.start] != " "],
            )
        )
    for (a, b), found in inside.items():
        if not found:
            continue
        own = sentence[a:b]
        host = next(c for (s, e), c in zip(pieces, clauses, strict=True) if s <= a < e)
        importance: Importance | None = host.importance
        if cues.NICE.search(own):
            importance = "nice"
        elif cues.MUST_STRONG.search(own):
            importance = "must"
        clauses.append(_Clause(mask_outside(sentence, (a, b)), importance, True, found))
    return clauses


def _importance(text: str, section: SectionKind) -> Importance | None:
    """How strongly ``text`` asks for what it mentions; None when it asks for nothing."""
    if section == "none" and not cues.MUST_STRONG.search(text):
        # Duties, benefits, "about us": "an asset" still asks; "remote work optional" offers.
        soft = [m.group(0).casefold() for m in cues.NICE.finditer(text)]
        return "nice" if any(m not in cues.OFFER_WORDS for m in soft) else None
    if (
        section == "neutral"
        and (cues.COMPANY_BLURB.search(text) or cues.COLLABORATORS.search(text))
        and not (cues.MUST_STRONG.search(text) or cues.NICE.search(text))
    ):
        # "X is a startup in mobile advertising", "you will work closely with client services":
        # the company's trade and the teams around the job, not skills asked of the candidate.
        return None
    if cues.NICE.search(text):
        return "nice"
    if section in ("must", "nice"):
        return section
    if cues.MUST_STRONG.search(text):
        return "must"
    if section == "neutral":
        # Untitled prose mixes company blurb and asks: soft wording ("experience with") is
        # trusted as a must; a bare mention of the stack still says something, but less.
        return "must" if cues.MUST_SOFT.search(text) else "nice"
    return None  # duties, benefits, "about us": only explicit wording counts


def _skill_matches(taxonomy: SkillTaxonomy, sentence: str) -> list[SkillMatchLike]:
    """Taxonomy matches in text order, without overlaps (longest wins) and without languages,
    which are handled as language requirements with a level."""
    found = [*taxonomy.find(sentence), *_elided(taxonomy, sentence)]
    ordered = sorted(found, key=lambda m: (m.start, -(m.end - m.start), m.name))
    kept: list[SkillMatchLike] = []
    for match in ordered:
        if kept and match.start < kept[-1].end:
            continue
        if canonical_language(match.name) or canonical_language(match.surface):
            continue
        kept.append(match)
    return kept


@dataclass(frozen=True)
class _ElidedMatch:
    name: str
    start: int
    end: int
    surface: str


# "warehouse or logistics operations": a word, a conjunction, then a skill of several words.
_CONJOINED_WORD = re.compile(r"([^\W\d_][\w-]*)\s*(?:\bor\b|\band\b|/)\s*$")


def _elided(taxonomy: SkillTaxonomy, sentence: str) -> Iterator[SkillMatchLike]:
    """Skills named by coordination with a shared head: "warehouse or logistics operations" is
    "warehouse operations or logistics operations", "front-end or back-end development" names
    both. The word before the conjunction, with the head of the skill after it, is looked up
    as a whole; only an exact taxonomy match counts."""
    for match in taxonomy.find(sentence):
        words = match.surface.split()
        if len(words) < 2:
            continue
        before = _CONJOINED_WORD.search(sentence[: match.start])
        if before is None:
            continue
        phrase = " ".join([before.group(1), *words[1:]])
        for whole in taxonomy.find(phrase):
            if whole.start == 0 and whole.end == len(phrase) and whole.name != match.name:
                yield _ElidedMatch(whole.name, before.start(1), before.end(1), before.group(1))


def _negated(clause: _Clause) -> Iterator[SkillMatchLike]:
    """Skills written after a negative cue ("NOT open to .net"), up to a contrast ("but")."""
    for cue in cues.NEGATIVE.finditer(clause.text):
        contrast = cues.CONTRAST.search(clause.text, cue.end())
        stop = contrast.start() if contrast else len(clause.text)
        yield from (m for m in clause.matches if cue.end() <= m.start < stop)


def _list_groups(
    matches: Sequence[SkillMatchLike], sentence: str
) -> Iterator[list[SkillMatchLike]]:
    group: list[SkillMatchLike] = []
    for match in matches:
        if group and not cues.is_list_separator(sentence[group[-1].end : match.start]):
            yield group
            group = []
        group.append(match)
    if group:
        yield group


def _alternatives(group: Sequence[SkillMatchLike], sentence: str, in_parentheses: bool) -> bool:
    """Does a list of skills mean "any of these"? Examples and or-lists do; and-lists do not."""
    if in_parentheses:
        return True  # "(AWS, Google Cloud Platform)": examples of what the text before asks
    separators = [sentence[a.end : b.start] for a, b in itertools.pairwise(group)]
    return (
        any(cues.ALTERNATIVE_SEPARATOR.search(s) for s in separators)
        or bool(cues.EXAMPLES_BEFORE.search(sentence[: group[0].start]))
        or bool(cues.EXAMPLES_AFTER.match(sentence[group[-1].end :]))
    )


_STRENGTH: dict[str, int] = {"must": 0, "nice": 1}


def _key(req: Requirement) -> tuple[object, ...]:
    if req.kind == "skill":
        names = req.any_of or (str(req.skill),)
        return ("skill", req.negative, frozenset(n.casefold() for n in names))
    if req.kind == "experience_years":
        return (req.kind, req.min_months, req.scope)
    if req.kind == "leadership":
        return (req.kind,)
    if req.kind == "language":
        return (req.kind, req.language)
    if req.skill:
        return (req.kind, req.skill.casefold())
    return (req.kind, " ".join(req.evidence.casefold().split()))


def _merge(found: Iterable[Requirement]) -> list[Requirement]:
    """One requirement per key, keeping the strongest importance (first one on a tie)."""
    found = list(found)
    # "at least 2 years managing teams" is checked by the management months; a leadership
    # requirement from the same sentence would count the same ask twice.
    managed = {
        r.evidence for r in found if r.kind == "experience_years" and r.scope == "management"
    }
    found = [r for r in found if not (r.kind == "leadership" and r.evidence in managed)]
    # "Experience with mentoring (or managing) people": the sentence asks to have led people,
    # once; "Mentoring" as a skill of its own would count that ask again, and miss a candidate
    # who lists "Team Leadership" instead. The leadership (or management-months) requirement
    # already accepts any listed leadership skill.
    led = managed | {r.evidence for r in found if r.kind == "leadership"}
    found = [r for r in found if not (_leading_skill(r) and r.evidence in led)]
    best: dict[tuple[object, ...], Requirement] = {}
    for req in found:
        current = best.get(_key(req))
        if (
            current is None
            or _STRENGTH[req.importance] < _STRENGTH[current.importance]
            # The same length stated twice, once with its field: the field says more.
            or (
                _STRENGTH[req.importance] == _STRENGTH[current.importance]
                and req.any_of
                and not current.any_of
            )
        ):
            best[_key(req)] = req
    single = {
        (str(r.skill).casefold()): _STRENGTH[r.importance]
        for r in best.values()
        if r.kind == "skill" and not r.any_of and not r.negative
    }
    kept = [
        r
        for r in best.values()
        # "Knowledge of Javascript" (must) makes "(JavaScript, react, whatever) an asset" moot.
        if not (
            r.kind == "skill"
            and r.any_of
            and any(single.get(n.casefold(), 9) <= _STRENGTH[r.importance] for n in r.any_of)
        )
    ]
    kept = _join_overlapping(kept)
    order = {_key(r): index for index, r in enumerate(kept)}
    return sorted(kept, key=lambda r: (r.negative, _STRENGTH[r.importance], order[_key(r)]))


def _leading_skill(req: Requirement) -> bool:
    """A positive skill requirement every alternative of which is leading people."""
    names = req.any_of or ((req.skill,) if req.skill else ())
    return (
        req.kind == "skill"
        and not req.negative
        and bool(names)
        and all(n in cues.LEADERSHIP_SKILLS for n in names)
    )


def _join_overlapping(found: list[Requirement]) -> list[Requirement]:
    """ "Lean / continuous improvement (Six Sigma, Kaizen)" reads as two or-lists sharing a
    name; they are one requirement with every alternative, at the stronger importance."""
    joined: list[Requirement] = []
    for req in found:
        target = next(
            (
                i
                for i, other in enumerate(joined)
                if req.kind == other.kind == "skill"
                and req.any_of
                and other.any_of
                and not req.negative
                and not other.negative
                and req.evidence == other.evidence
                and {n.casefold() for n in req.any_of} & {n.casefold() for n in other.any_of}
            ),
            None,
        )
        if target is None:
            joined.append(req)
            continue
        other = joined[target]
        names = tuple(dict.fromkeys((*other.any_of, *req.any_of)))
        importance = min(other.importance, req.importance, key=_STRENGTH.__getitem__)
        joined[target] = replace(other, importance=importance, any_of=names, skill=names[0])
    return joined
