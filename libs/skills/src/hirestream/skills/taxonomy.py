"""The canonical skills taxonomy: alias resolution, implied skills and finding skills in text.

Data lives in ``data/skills.json``; each entry has a ``name``, ``aliases`` (matched
case-insensitively), a ``category`` and ``implies`` (other skill names). Some terms are
``ambiguous``: short or common words ("R", "Go", "ES", "Excel", "Epic") that only count in free
text when written exactly so and confirmed by what surrounds them: a nearby skill of a ``context``
category, a nearby context skill or keyword, a nearby skill linked to it by ``implies``, or, for
terms of four letters or more, two such skills anywhere in the document.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from hirestream.skills._pattern import build_pattern, term_key

# How far (in characters, each side) a confirming skill or keyword may be from an ambiguous term:
# a skills line or two, not the whole page.
CONTEXT_WINDOW = 100
# Document-wide confirmation is allowed only for terms at least this long; "R", "C", "Go" and
# "ES" always need a neighbour.
_DOCUMENT_CONTEXT_MIN_LEN = 4
_DOCUMENT_CONTEXT_MIN_HITS = 2
# Where a CV's header (name, contacts) ends, roughly: a capitalised pair opening a line there is
# more likely a person ("Ruby Jones") than a skill.
_HEADER_CHARS = 300


@dataclass(frozen=True, slots=True)
class Skill:
    name: str
    category: str
    aliases: tuple[str, ...] = ()
    implies: tuple[str, ...] = ()
    # Terms (possibly the name itself) that need exact case and context to count in free text.
    ambiguous: tuple[str, ...] = ()
    # Categories, skill names or keywords whose presence near an ambiguous term confirms it.
    context: tuple[str, ...] = ()
    # Phrases in which a term of this skill means something else ("under the supervision of":
    # being supervised, not supervising; "billing system": a domain, not invoicing).
    not_in: tuple[str, ...] = ()
    # Terms that name a person in the role ("project manager", "tutor"): the candidate's own
    # role when they hold it, someone else's after "the", "with", "my"... ("worked with the
    # project manager"), which says nothing about the candidate's skills.
    roles: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases, *self.ambiguous)


@dataclass(frozen=True, slots=True)
class SkillMatch:
    name: str  # canonical skill name
    start: int
    end: int
    surface: str  # the text as written


class TaxonomyError(ValueError):
    """The taxonomy data is inconsistent (duplicate names, colliding aliases, unknown implies)."""


class Taxonomy:
    def __init__(self, skills: Iterable[Skill]) -> None:
        self._skills: dict[str, Skill] = {}
        self._by_key: dict[str, Skill] = {}
        self._ambiguous_keys: set[str] = set()
        self._role_keys: set[str] = set()
        for skill in skills:
            self._add(skill)
        for skill in self._skills.values():
            unknown = [name for name in skill.implies if name not in self._skills]
            if unknown:
                raise TaxonomyError(f"{skill.name!r} implies unknown skills {unknown}")
        self._implied: dict[str, frozenset[str]] = {}
        self._context = {
            s.name: frozenset(c.lower() for c in s.context) for s in self._skills.values()
        }

    def _add(self, skill: Skill) -> None:
        if skill.name in self._skills:
            raise TaxonomyError(f"duplicate skill name {skill.name!r}")
        for term in skill.terms:
            key = term_key(term)
            if not key:
                raise TaxonomyError(f"empty term in {skill.name!r}")
            owner = self._by_key.get(key)
            if owner is not None and owner.name != skill.name:
                raise TaxonomyError(f"{term!r} of {skill.name!r} collides with {owner.name!r}")
            self._by_key[key] = skill
        self._ambiguous_keys |= {term_key(t) for t in skill.ambiguous}
        terms = {term_key(t) for t in skill.terms}
        unknown_roles = [r for r in skill.roles if term_key(r) not in terms]
        if unknown_roles:
            raise TaxonomyError(f"roles {unknown_roles} of {skill.name!r} are not its terms")
        self._role_keys |= {term_key(r) for r in skill.roles}
        self._skills[skill.name] = skill

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> Taxonomy:
        """Build from the JSON entries' shape (``name``, ``category`` and optional lists)."""
        return cls(
            Skill(
                name=r["name"],
                category=r["category"],
                aliases=tuple(r.get("aliases", ())),
                implies=tuple(r.get("implies", ())),
                ambiguous=tuple(r.get("ambiguous", ())),
                context=tuple(r.get("context", ())),
                not_in=tuple(r.get("not_in", ())),
                roles=tuple(r.get("roles", ())),
            )
            for r in records
        )

    # --- lookup ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._skills)

    def __iter__(self) -> Iterator[Skill]:
        return iter(self._skills.values())

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.canonical(term) is not None

    def get(self, term: str) -> Skill | None:
        """The skill for a canonical name or any of its terms."""
        return self._by_key.get(term_key(term))

    def canonical(self, term: str) -> str | None:
        """The canonical name for a name or alias, ignoring case and spacing; None if unknown.

        Ambiguous terms resolve too: here the caller says the term is a skill (a posting's
        requirement list, a form field), unlike free text where ``find`` asks for context.
        """
        skill = self._by_key.get(term_key(term))
        return skill.name if skill else None

    def implied(self, name: str) -> frozenset[str]:
        """Every skill that ``name`` implies, transitively, not including itself."""
        skill = self.get(name)
        if skill is None:
            return frozenset()
        cached = self._implied.get(skill.name)
        if cached is None:
            seen: set[str] = set()
            stack = list(skill.implies)
            while stack:
                current = stack.pop()
                if current not in seen:
                    seen.add(current)
                    stack.extend(self._skills[current].implies)
            seen.discard(skill.name)  # a cycle back to itself adds nothing
            cached = self._implied[skill.name] = frozenset(seen)
        return cached

    # --- finding skills in text -------------------------------------------------------------

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str]:
        plain: list[str] = []
        ambiguous: list[str] = []
        for skill in self._skills.values():
            ambiguous.extend(skill.ambiguous)
            exact = {term_key(t) for t in skill.ambiguous}
            plain.extend(t for t in (skill.name, *skill.aliases) if term_key(t) not in exact)
        return build_pattern(plain, ambiguous)

    @functools.cached_property
    def _keyword_patterns(self) -> dict[str, re.Pattern[str]]:
        patterns = {}
        for skill in self._skills.values():
            if skill.ambiguous and skill.context:
                words = sorted({c.lower() for c in skill.context}, key=len, reverse=True)
                alternation = "|".join(re.escape(w) for w in words)
                patterns[skill.name] = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.I)
        return patterns

    @functools.cached_property
    def _not_in_patterns(self) -> dict[str, re.Pattern[str]]:
        patterns = {}
        for skill in self._skills.values():
            if skill.not_in:
                phrases = sorted(skill.not_in, key=len, reverse=True)
                alternation = "|".join(
                    r"\s+".join(re.escape(w) for w in p.split()) for p in phrases
                )
                patterns[skill.name] = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.I)
        return patterns

    def _reads_as_something_else(self, match: SkillMatch, key: str, text: str) -> bool:
        """Readings refused for clear and ambiguous terms alike: the term inside one of its
        skill's ``not_in`` phrases, a role noun naming someone else, or a Title Case term that
        opens the name of an organisation or an event ("Leadership Institute")."""
        pattern = self._not_in_patterns.get(match.name)
        if pattern is not None:
            lo = max(0, match.start - _NOT_IN_REACH)
            for phrase in pattern.finditer(text, lo, match.end + _NOT_IN_REACH):
                if phrase.start() <= match.start and match.end <= phrase.end():
                    return True
        if key in self._role_keys and _OTHER_PERSON_BEFORE.search(
            text, max(0, match.start - 30), match.start
        ):
            return True
        return match.surface[:1].isupper() and _NAMED_BODY_AFTER.match(text, match.end) is not None

    def find(self, text: str) -> list[SkillMatch]:
        """Every skill occurrence in ``text``, in order; ambiguous ones only when confirmed."""
        clear: list[SkillMatch] = []
        doubtful: list[SkillMatch] = []
        for m in self._pattern.finditer(text):
            surface = m.group()
            key = term_key(surface)
            match = SkillMatch(self._by_key[key].name, m.start(), m.end(), surface)
            if self._reads_as_something_else(match, key, text):
                continue
            (doubtful if key in self._ambiguous_keys else clear).append(match)
        if not doubtful:
            return clear
        judge = _ContextJudge(self, text, clear, doubtful)
        confirmed = [m for m in doubtful if judge.confirms(m)]
        return sorted(clear + confirmed, key=lambda m: m.start)

    def _supports(self, skill: Skill, other: str) -> bool:
        """Whether a clear match of skill ``other`` vouches for an ambiguous term of ``skill``."""
        if other == skill.name:
            return False
        related = self._skills[other]
        context = self._context[skill.name]
        if related.category.lower() in context or related.name.lower() in context:
            return True
        # Kibana next to "ES" means Elasticsearch: skills linked by `implies` vouch for each other.
        return skill.name in self.implied(other) or other in self.implied(skill.name)


class _ContextJudge:
    """Decides, for one text, which ambiguous terms the surrounding text confirms."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        text: str,
        clear: Sequence[SkillMatch],
        doubtful: Sequence[SkillMatch],
    ) -> None:
        self._taxonomy = taxonomy
        self._text = text
        self._clear = clear
        self._starts = [m.start for m in clear]
        self._term_starts = set(self._starts) | {m.start for m in doubtful}
        self._names_in_document = Counter(m.name for m in clear)
        self._document_support: dict[str, int] = {}

    def confirms(self, match: SkillMatch) -> bool:
        if self._reads_as_other_word(match):
            return False
        taxonomy = self._taxonomy
        skill = taxonomy._skills[match.name]
        lo = max(0, match.start - CONTEXT_WINDOW)
        hi = match.end + CONTEXT_WINDOW
        first = bisect.bisect_left(self._starts, lo)
        last = bisect.bisect_right(self._starts, hi)
        if any(taxonomy._supports(skill, m.name) for m in self._clear[first:last]):
            return True
        keywords = taxonomy._keyword_patterns.get(skill.name)
        if keywords is not None and (
            keywords.search(self._text, lo, match.start)
            or keywords.search(self._text, match.end, hi)
        ):
            return True
        if len(match.surface) < _DOCUMENT_CONTEXT_MIN_LEN:
            return False
        support = self._document_support.get(skill.name)
        if support is None:
            support = sum(
                count
                for name, count in self._names_in_document.items()
                if taxonomy._supports(skill, name)
            )
            self._document_support[skill.name] = support
        return support >= _DOCUMENT_CONTEXT_MIN_HITS

    def _reads_as_other_word(self, match: SkillMatch) -> bool:
        """Shapes where the term is plainly something else, whatever the context."""
        text, start, end = self._text, match.start, match.end
        # "R." / "J. R. Smith": an initial.
        if len(match.surface) == 1 and "." in (text[end : end + 1], text[start - 1 : start]):
            return True
        # "Spring 2006", "(Spring, 2015)", "Fall and Spring semesters": a season or a name with
        # a year, not a skill.
        if (
            _YEAR_AFTER.match(text, end)
            or _TERM_AFTER.match(text, end)
            or _SEASON_BEFORE.search(text, max(0, start - 20), start)
        ):
            return True
        # "John R Smith", "Cisco Express Forwarding": one word of a proper name, unless the
        # capitalised neighbours are skills themselves ("Word Excel PowerPoint").
        before = _CAPITALISED_BEFORE.search(text, max(0, start - 40), start)
        after = _CAPITALISED_AFTER.match(text, end)
        if before is not None and after is not None:
            return not ({before.start(1), after.start(1)} & self._term_starts)
        # A capitalised pair opening a line of the header ("Maximo Graham"): a person's name.
        if (
            after is not None
            and len(match.surface) > 1
            and start < _HEADER_CHARS
            and _LINE_START_BEFORE.search(text, max(0, start - 5), start)
        ):
            return after.start(1) not in self._term_starts
        return False


# How far around a match its skill's ``not_in`` phrases are looked for, in characters.
_NOT_IN_REACH = 40
# Words just before a role noun that make it someone else: "with the project manager", "my
# mentor", "assisted the trainer", "reporting to project manager".
_OTHER_PERSON_BEFORE = re.compile(
    r"(?<!\w)(?:(?<!\bas )the|with|his|her|their|our|your|my|each|every|other|"
    r"report(?:ed|ing|s)?[ \t]+to|assist(?:ed|ing|s)?|support(?:ed|ing|s)?|help(?:ed|ing|s)?)"
    r"[ \t]+$",
    re.IGNORECASE,
)
# A Title Case term followed by one of these words opens a proper name, not a claimed skill:
# "Public Health Leadership Institute", "Education Leadership Journal", "Mentoring Award",
# "Oracle University" (where one trained, not the database).
_NAMED_BODY_AFTER = re.compile(
    r"[ \t]+(?:Institute|Journal|Conference|Awards?|Association|Society|Program|Programme|"
    r"Cent(?:er|re)|Council|Foundation|Academy|Club|Forum|Summit|Magazine|Quarterly|"
    r"Fellowships?|Scholarships?|University|College|Corporation|Inc|Ltd|Limited)\b"
)
_YEAR_AFTER = re.compile(r"[ \t]*,?[ \t]+(?:19|20)\d\d(?!\d)")
_TERM_AFTER = re.compile(r"[ \t]+(?:semesters?|terms?|quarters?|sessions?|break)\b", re.IGNORECASE)
_SEASON_BEFORE = re.compile(r"\b(?:Fall|Autumn|Summer|Winter)[ \t]*(?:and|&|-|\u2013|/)[ \t]*$")
_CAPITALISED_BEFORE = re.compile(r"(?<![\w.])([A-Z][\w.&]*)[ \t]+$")
_CAPITALISED_AFTER = re.compile(r"[ \t]+([A-Z][a-z]+)\b")
_LINE_START_BEFORE = re.compile(r"(?:^|\n|\")[ \t]*$")


@functools.cache
def load_taxonomy() -> Taxonomy:
    """The shipped taxonomy, parsed and validated once per process."""
    source = resources.files("hirestream.skills").joinpath("data", "skills.json")
    document = json.loads(source.read_text(encoding="utf-8"))
    return Taxonomy.from_records(document["skills"])
