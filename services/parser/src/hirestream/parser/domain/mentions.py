"""A learned second opinion on job titles and employers: a small linear classifier over the
pieces of each line (what a comma, a dash, a wide gap, "at" or a date separates), proposing the
titles and employers the rules did not find.

The rules (``experience``, ``roles``) keep precedence: a piece they already read is not proposed
again, and the classifier only adds pieces whose score clears a per-class threshold chosen by
cross-validation (it may be negative: a title that "other" narrowly outscores still helps recall
more than it costs precision on this corpus). Its weights are a data file
shipped with the parser (``data/mentions.json``), trained on the tuning split of the labelled
resume corpus only (files whose number is not a multiple of 5) by
``hirestream parser train mentions``; the held-out split never sees it. The features are words,
word shapes, the piece's place in its line and section, the separators around it and the dates
on neighbouring lines: nothing tied to one language, though the words it learned are mostly
English. ``find_mentions`` is pure (the weights come in as a ``MentionModel``);
``load_mention_model`` reads the shipped file once per process, as ``load_taxonomy`` does.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from hirestream.parser.domain.experience import _COMPANY, _TITLE_WORDS, date_spans, find_ranges
from hirestream.parser.domain.sections import Line, fold

TITLE = "title"
COMPANY = "company"
OTHER = "other"
CLASSES = (TITLE, COMPANY, OTHER)

# Where a line falls apart into pieces: wide gaps, pipes and bullets, dashes between spaces,
# commas, semicolons, brackets, a colon, "at" / "@" between words.
_SEPARATOR = re.compile(
    r"\s{2,}|\t|\s*[|•·▪◦●■►➢✓❖]\s*|\s+[-–—]\s+|\s*[,;()\[\]]\s*|:\s+|\s+(?:at|@)\s+",
    re.IGNORECASE,
)
_EDGES = " \t-–—:.'\"“”*/"
_MAX_WORDS = 10
_MAX_CHARS = 80
_MAX_LINE = 300  # longer lines are prose: their pieces are sentences, not fields
_DIGIT = re.compile(r"\d")
# Whether a piece holds a title word: ``experience._TITLE`` for ``search``, without the leading
# ``\w*`` of its German-suffix branch (a match exists with it iff one exists without it), which
# made every search try that branch at each character.
_TITLE_WORD = re.compile(
    rf"\b(?:{_TITLE_WORDS})s?\b"
    r"|(?:entwickler|ingenieur|leiter|berater|pfleger|techniker|buchhalter)(?:in)?\b",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=1 << 14)  # pieces recur across CVs ("Present", "Java", towns)
def _words_found(text: str) -> tuple[bool, bool]:
    """Whether the piece holds an organisation word and a title word."""
    return bool(_COMPANY.search(text)), bool(_TITLE_WORD.search(text))


_WORD = re.compile(r"[^\W\d_][\w&'’.+#\-]*|\d+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Piece:
    text: str
    start: int  # character span in the document text
    end: int
    line: int  # index of its line
    order: int  # its place among its line's pieces
    count: int  # how many pieces the line has
    before: str  # the separator before it ("" at the line's start)
    after: str  # the separator after it ("" at the line's end)


def pieces(lines: Sequence[Line]) -> list[Piece]:
    """The candidate titles and employers of every line, dates cut out."""
    found: list[Piece] = []
    for index, line in enumerate(lines):
        text = line.text
        if len(text) > _MAX_LINE:
            continue
        cuts = [(m.start(), m.end()) for m in _SEPARATOR.finditer(text)]
        if _DIGIT.search(text):
            cuts += date_spans(text)
        cuts.sort()
        raw: list[tuple[int, int, str, str]] = []
        position = 0
        separator = ""
        for a, b in cuts:
            if a < position:
                position = max(position, b)
                continue
            raw.append((position, a, separator, text[a:b].strip() or " "))
            separator = text[a:b].strip() or " "
            position = b
        raw.append((position, len(text), separator, ""))
        kept = []
        for a, b, before, after in raw:
            piece = text[a:b]
            stripped = piece.strip(_EDGES)
            if not stripped or not any(c.isalpha() for c in stripped):
                continue
            if len(stripped) > _MAX_CHARS or len(stripped.split()) > _MAX_WORDS:
                continue
            offset = a + piece.index(stripped)
            kept.append((stripped, offset, before, after))
        for order, (stripped, offset, before, after) in enumerate(kept):
            start = line.start + offset
            found.append(
                Piece(stripped, start, start + len(stripped), index, order, len(kept),
                      before, after)
            )  # fmt: skip
    return found


def _shape(word: str) -> str:
    if word.isdigit():
        return "9"
    if word.isupper():
        return "X"
    if word[:1].isupper():
        return "Xx"
    return "x"


_ONE_DATE = re.compile(r"(?<!\d)(?:19[5-9]\d|20[0-4]\d)(?!\d)")


def _line_facts(lines: Sequence[Line]) -> list[tuple[bool, bool, str, str]]:
    """Per line: has a date range, has a year, first word, last word (folded)."""
    facts = []
    for line in lines:
        words = _WORD.findall(fold(line.text))
        facts.append((
            bool(find_ranges(line.text)), bool(_ONE_DATE.search(line.text)),
            words[0] if words else "", words[-1] if words else "",
        ))  # fmt: skip
    return facts


def features(
    piece: Piece,
    lines: Sequence[Line],
    facts: Sequence[tuple[bool, bool, str, str]],
    ruled: Mapping[str, str],
    neighbours: tuple[str, str] | None = None,
    line_kinds: Mapping[int, frozenset[str]] | None = None,
) -> list[str]:
    """The piece's features; ``ruled`` maps folded texts the rules read to their kind,
    ``neighbours`` are the last word of the piece before it on its line and the first word of
    the piece after it, ``line_kinds`` what the rules read on each line (by index)."""
    words = _WORD.findall(piece.text)
    folded = _WORD.findall(fold(piece.text))
    if len(folded) != len(words):  # folding changed the word count (rare): fold one by one
        folded = [fold(w) for w in words]
    out = ["bias"]
    out += [f"w:{w}" for w in folded]
    if folded:
        out += [f"first:{folded[0]}", f"last:{folded[-1]}"]
    shapes = [_shape(w) for w in words]
    out.append("shape:" + " ".join(shapes[:4]))
    out.append(f"words:{min(len(words), 7)}")
    out.append(f"caps:{sum(s in ('X', 'Xx') for s in shapes) * 4 // max(1, len(shapes))}")
    line = lines[piece.line]
    out.append(f"sec:{line.section}")
    out.append(f"place:{min(piece.order, 3)}/{min(piece.count, 4)}")
    out.append(f"last_in_line:{piece.order == piece.count - 1}")
    out.append(f"before:{fold(piece.before)[:6]}")
    out.append(f"after:{fold(piece.after)[:6]}")
    out.append(f"early:{min(piece.line, 6)}")
    if neighbours is not None:
        previous, following = neighbours
        if previous:
            out.append(f"prev_piece_last:{previous}")
        if following:
            out.append(f"next_piece_first:{following}")
    if line.is_heading:
        out.append("heading")
    for delta in (-2, -1, 0, 1, 2):
        j = piece.line + delta
        if 0 <= j < len(lines):
            ranged, dated, first, last = facts[j]
            if ranged:
                out.append(f"range@{delta}")
            elif dated:
                out.append(f"year@{delta}")
            if line_kinds is not None:
                out += [f"ruled@{delta}:{kind}" for kind in sorted(line_kinds.get(j, ()))]
            if delta in (-1, 1):
                out += [f"first@{delta}:{first}", f"last@{delta}:{last}"]
                if lines[j].is_heading:
                    out.append(f"heading@{delta}")
    text = piece.text
    org, title = _words_found(text)
    if org:
        out.append("org_suffix")
    if title:
        out.append("title_word")
    if text.endswith("."):
        out.append("full_stop")
    kind = ruled.get(fold(text))
    if kind is not None:
        out.append(f"ruled:{kind}")
    return out


def _edge_word(text: str, last: bool) -> str:
    words = _WORD.findall(fold(text))
    return (words[-1] if last else words[0]) if words else ""


def piece_features(
    lines: Sequence[Line], ruled: Mapping[str, str]
) -> list[tuple[Piece, list[str]]]:
    """Every piece of the CV with its features, in reading order."""
    facts = _line_facts(lines)
    found = pieces(lines)
    kinds: dict[int, set[str]] = {}
    for piece in found:
        kind = ruled.get(fold(piece.text))
        if kind is not None:
            kinds.setdefault(piece.line, set()).add(kind)
    line_kinds = {i: frozenset(k) for i, k in kinds.items()}
    out = []
    for k, piece in enumerate(found):
        before = found[k - 1] if k and found[k - 1].line == piece.line else None
        after = found[k + 1] if k + 1 < len(found) and found[k + 1].line == piece.line else None
        neighbours = (
            _edge_word(before.text, last=True) if before else "",
            _edge_word(after.text, last=False) if after else "",
        )
        out.append((piece, features(piece, lines, facts, ruled, neighbours, line_kinds)))
    return out


@dataclass(frozen=True, eq=False)
class MentionModel:
    """A multi-class linear model: ``weights[class][feature]``, and per class the margin over
    the best other class above which a piece is proposed."""

    weights: Mapping[str, Mapping[str, float]]
    thresholds: Mapping[str, float]

    @functools.cached_property
    def _rows(self) -> dict[str, tuple[float, float, float]]:
        """feature → its weight per class (in ``CLASSES`` order): one look-up per feature."""
        names = {f for w in self.weights.values() for f in w}
        return {
            f: (
                self.weights.get(TITLE, {}).get(f, 0.0),
                self.weights.get(COMPANY, {}).get(f, 0.0),
                self.weights.get(OTHER, {}).get(f, 0.0),
            )
            for f in names
        }

    def scores(self, feats: Iterable[str]) -> dict[str, float]:
        title = company = other = 0.0
        rows = self._rows
        for f in feats:
            row = rows.get(f)
            if row is not None:
                title += row[0]
                company += row[1]
                other += row[2]
        return {TITLE: title, COMPANY: company, OTHER: other}

    def margin(self, feats: Iterable[str]) -> tuple[str, float]:
        """The likelier of title and employer, and how far its score is above the best other
        class (negative when "other" scores higher)."""
        scores = self.scores(feats)
        kind = TITLE if scores[TITLE] >= scores[COMPANY] else COMPANY
        others = max(v for c, v in scores.items() if c != kind)
        return kind, scores[kind] - others

    def to_json(self) -> dict[str, object]:
        """``weights``: feature → one weight per class, in the order of ``classes``."""
        names = sorted({f for w in self.weights.values() for f in w})
        return {
            "classes": list(CLASSES),
            "thresholds": dict(self.thresholds),
            "weights": {f: [self.weights.get(c, {}).get(f, 0.0) for c in CLASSES] for f in names},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> MentionModel:
        rows, thresholds, classes = data["weights"], data["thresholds"], data["classes"]
        assert isinstance(rows, dict) and isinstance(thresholds, dict)
        assert classes == list(CLASSES), f"model classes {classes} are not {CLASSES}"
        weights: dict[str, dict[str, float]] = {c: {} for c in CLASSES}
        for name, values in rows.items():
            for c, value in zip(CLASSES, values, strict=True):
                if value:
                    weights[c][name] = value
        return cls(weights, thresholds)


@functools.cache
def load_mention_model() -> MentionModel:
    """The shipped weights, read once per process."""
    source = resources.files("hirestream.parser.domain").joinpath("data", "mentions.json")
    return MentionModel.from_json(json.loads(source.read_text(encoding="utf-8")))


@dataclass(frozen=True, slots=True)
class Mention:
    kind: str  # TITLE or COMPANY
    text: str
    start: int
    end: int
    margin: float  # how far the classifier's score for ``kind`` is above the next class


def find_mentions(
    lines: Sequence[Line], ruled: Mapping[str, str], model: MentionModel
) -> list[Mention]:
    """Titles and employers the classifier is confident about and the rules did not read
    (``ruled``: folded texts the rules read, to their kind)."""
    found: list[Mention] = []
    seen: set[str] = set()
    for piece, feats in piece_features(lines, ruled):
        key = fold(piece.text)
        if key in ruled or key in seen:
            continue
        kind, margin = model.margin(feats)
        if margin >= model.thresholds.get(kind, float("inf")):
            seen.add(key)
            found.append(Mention(kind, piece.text, piece.start, piece.end, margin))
    return found
