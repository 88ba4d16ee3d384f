"""Cut a posting body into the pieces requirement extraction reasons about.

A posting is a sequence of sections (by heading); a section holds units (a list item or a line of
prose); a unit holds sentences. Requirement importance mostly comes from which section a sentence
sits in, so sections are classified here, once, from their headings.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from hirestream.scorer.domain.posting import clean_inline

# must: requirement lists; nice: bonus lists; none: duties, company blurb, benefits, how to apply
# (text there describes the job or the company, not the candidate); neutral: untitled prose or a
# heading we do not recognise, where each sentence's own wording has to decide.
SectionKind = Literal["must", "nice", "none", "neutral"]


@dataclass(frozen=True)
class Unit:
    text: str
    section: SectionKind


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Order matters: pay words first ("Salary & bonus" is not a bonus-skills list), then nice before
# must ("Preferred qualifications", "Nice-to-have skills").
_SECTION_RULES: tuple[tuple[re.Pattern[str], SectionKind], ...] = (
    (_rx(r"\b(?:salary|compensation|benefits?|perks?|pay)\b"), "none"),
    (
        _rx(
            r"\bnice[- ]to[- ]haves?\b|\bbonus\b|\bpreferred\b|\bpluses\b|\bplus\b|\bassets?\b"
            r"|\bdesir(?:able|ed)\b|\bextra\b|\bideally\b|\bgood to have\b|\boptional\b"
        ),
        "nice",
    ),
    (
        _rx(
            r"\brequire(?:ments?|d)\b|\bqualifications?\b|\bmust[- ]haves?\b|\bwhat you need\b"
            r"|\bwhat you(?:'ll| will) need\b|\bwhat we(?:'re| are) looking for\b"
            r"|\bwho you are\b|\babout you\b|\byou have\b|\byou(?:'ll| will) have\b"
            r"|\byour (?:profile|background|skills|experience)\b|\bprofile\b|\bskills?\b"
            r"|\bexperience\b|\bessentials?\b|\bwhat you bring\b|\bcompetenc(?:y|ies)\b"
            r"|\bcriteria\b|\bcredentials\b|\beducation\b|\blanguages?\b"
        ),
        "must",
    ),
    (
        _rx(
            r"\bresponsibilit(?:y|ies)\b|\bduties\b|\bwhat you(?:'ll| will)(?: be)? do(?:ing)?\b"
            r"|\bday[- ]to[- ]day\b|\b(?:the|your) role\b|\babout the (?:role|job|position)\b"
            r"|\bjob description\b|\babout us\b|\babout the (?:company|team)\b|\bwho we are\b"
            r"|\bour (?:company|team|mission|story)\b|\bwe offer\b|\bwhat we offer\b|\boffer\b"
            r"|\bwhy (?:join|work)\b|\bhow to apply\b|\bapply\b|\b(?:hiring|interview) process\b"
            r"|\bleads?\b|\bresources\b|\bcontacts?\b|\bequal opportunit|\blocation\b"
        ),
        "none",
    ),
)

# Plain-text ads have no Markdown: a bare line is a heading only if it is a well-known section
# title, so a requirement line such as "Experience with Python" is never mistaken for one.
_BARE_HEADINGS = frozenset(
    {
        "requirements", "qualifications", "minimum qualifications", "basic qualifications",
        "preferred qualifications", "required qualifications", "must have", "must haves",
        "nice to have", "nice to haves", "bonus", "bonus points", "skills", "required skills",
        "key skills", "skills and experience", "experience", "responsibilities",
        "key responsibilities", "duties", "about us", "about you", "about the role", "the role",
        "benefits", "perks", "we offer", "what we offer", "what you need", "what you'll need",
        "what you will need", "what you'll do", "what you will do", "who you are", "your profile",
        "profile", "job description", "how to apply", "compensation", "salary", "assets",
        "education", "languages", "location", "what we're looking for", "what we are looking for",
    }
)  # fmt: skip

_ATX = re.compile(r"^\s{0,3}(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(?P<char>=|-)(?P=char)*\s*$")
_RULE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)(?P<text>[^*_]+?)(?:\*\*|__)\s*:?\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+•·▪◦]|\d{1,2}[.)])\s+")
_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+")
_JOINERS = (",", "(", "&", "/", "-", "–", " and", " or", " with")
_SUB_HEADING_LEVEL = 7  # bold/colon/bare-line headings nest under any Markdown heading


def classify_heading(text: str) -> SectionKind:
    text = text.replace("’", "'")
    for pattern, kind in _SECTION_RULES:
        if pattern.search(text):
            return kind
    return "neutral"


def iter_units(body: str) -> Iterator[Unit]:
    """Yield the list items and prose lines of ``body``, each tagged with its section kind."""
    lines = _html_to_text(body).split("\n")
    # (level, kind): an unrecognised sub-heading inherits its parent's kind, so "### Technical"
    # under "## Requirements" still holds requirements.
    stack: list[tuple[int, SectionKind]] = []
    current: list[str] = []

    def section() -> SectionKind:
        return stack[-1][1] if stack else "neutral"

    def flush() -> Iterator[Unit]:
        text = _clean(" ".join(current))
        current.clear()
        if text:
            yield Unit(text, section())

    def open_section(level: int, title: str) -> None:
        while stack and stack[-1][0] >= level:
            stack.pop()
        kind = classify_heading(title)
        stack.append((level, kind if kind != "neutral" else section()))

    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        heading = _heading(line, following)
        if heading is not None:
            yield from flush()
            open_section(*heading)
        elif not line.strip() or _RULE.match(line) or _SETEXT.match(line):
            yield from flush()  # blank line, rule, or the underline of a setext heading
        elif _BULLET.match(line):
            yield from flush()
            current.append(_BULLET.sub("", line))
        elif current and _continues(current[-1], line):
            current.append(line.strip())
        else:
            yield from flush()
            current.append(line.strip())
    yield from flush()


def _heading(line: str, following: str) -> tuple[int, str] | None:
    atx = _ATX.match(line)
    if atx:
        return len(atx.group("hashes")), clean_inline(atx.group("text"))
    stripped = line.strip()
    if not stripped or _BULLET.match(line) or _RULE.match(line):
        return None
    if _SETEXT.match(following) and len(stripped.split()) <= 8:
        return (1 if following.strip().startswith("=") else 2), clean_inline(stripped)
    bold = _BOLD_LINE.match(line)
    if bold:
        return _SUB_HEADING_LEVEL, clean_inline(bold.group("text"))
    bare = clean_inline(stripped).rstrip(":").strip().casefold().replace("’", "'")
    if stripped.endswith(":") and len(bare.split()) <= 6 and classify_heading(bare) != "neutral":
        return _SUB_HEADING_LEVEL, bare
    if " ".join(bare.split()) in _BARE_HEADINGS:
        return _SUB_HEADING_LEVEL, bare
    return None


def _continues(previous: str, line: str) -> bool:
    """A hard-wrapped line: it starts in lower case, or the previous one stopped mid-phrase."""
    text = line.strip()
    return text[:1].islower() or previous.rstrip().endswith(_JOINERS)


def _html_to_text(body: str) -> str:
    if "<" not in body:
        return body
    body = re.sub(r"(?i)<\s*li[^>]*>", "\n- ", body)
    body = re.sub(r"(?i)<\s*h([1-6])[^>]*>", lambda m: "\n" + "#" * int(m.group(1)) + " ", body)
    body = re.sub(r"(?i)<\s*(?:br|/p|/li|/h[1-6]|/div|/ul|/ol)[^>]*>", "\n", body)
    body = re.sub(r"<[a-zA-Z/][^>]*>", " ", body)
    return html.unescape(body)


def _clean(text: str) -> str:
    text = clean_inline(text)
    # Addresses and links carry words ("rladies-montreal") that must not read as skills.
    return " ".join(_URL.sub(" ", text).split())


_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "etc",
        "vs",
        "sr",
        "jr",
        "inc",
        "ltd",
        "co",
        "dr",
        "mr",
        "mrs",
        "ms",
        "no",
        "approx",
        "incl",
        "min",
        "max",
        "yrs",
        "esp",
        "dept",
    ]
)


def split_sentences(text: str) -> list[str]:
    """Split on . ! ? ; outside parentheses, leaving "e.g. AWS" and "node.js" intact."""
    sentences: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and char in ".!?;" and _ends_sentence(text, index):
            sentences.append(text[start : index + 1])
            start = index + 1
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip(" .;")]


def _ends_sentence(text: str, index: int) -> bool:
    rest = text[index + 1 :]
    if rest and not rest[0].isspace():
        return False  # "node.js", "3.5", "?!"
    char = text[index]
    if char == ";":
        return True
    following = rest.lstrip()
    if not following:
        return True
    if char == ".":
        word = re.search(r"([\w.]+)$", text[:index])
        if word and word.group(1).casefold().rstrip(".") in _ABBREVIATIONS:
            return False
        return following[0].isupper() or following[0].isdigit() or following[0] in "\"“'‘(["
    return True


def parenthetical_spans(sentence: str) -> list[tuple[int, int]]:
    """Top-level ``(...)`` spans, brackets included; an unclosed one runs to the end."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for index, char in enumerate(sentence):
        if char == "(":
            if depth == 0:
                start = index
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, index + 1))
    if depth:
        spans.append((start, len(sentence)))
    return spans


def mask_outside(text: str, span: tuple[int, int]) -> str:
    """Blank everything but ``span``, keeping offsets, so regex positions match the sentence."""
    start, end = span
    return " " * start + text[start:end] + " " * (len(text) - end)


def mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Blank the given spans, keeping offsets."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)
