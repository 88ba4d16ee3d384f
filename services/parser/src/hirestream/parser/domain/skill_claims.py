"""Which skills a CV *claims*, among every skill its text mentions.

The taxonomy finds every mention of a skill, and most mentions are real, but a recruiter reading
"Skills" wants what the candidate states as a skill: "Java, Spring, Kafka" in a skills list is a
claim; "worked with the Oracle team", "a project for Microsoft Windows users" mention a skill in
passing. A binary linear model decides, per canonical skill of a CV, from where and how the CV
writes it: the sections of its mentions, how often it occurs, whether its lines are lists (commas,
several skills, "Tools: ..." labels), its category and its surface form. Its weights are a data
file shipped with the parser (``data/skill_claims.json``), trained by ``hirestream parser train
skills`` on the tuning split of the labelled corpus; the held-out split never sees it.

Every mention stays in the profile (the scorer matches requirements against all of them); each
skill carries ``claimed`` and a ``confidence``: the out-of-fold precision the training measured
for skills scored like it, so a confidence of 0.7 means seven in ten such skills were labelled.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from hirestream.parser.domain.mentions import _TITLE_WORD
from hirestream.parser.domain.sections import Line, segments
from hirestream.skills import SkillMatch, Taxonomy

# Where a line's fields end: what separates "Java Programmer" from its employer and dates.
_FIELD_EDGE = re.compile(r"\s{2,}|\t|[|•·,;:()\[\]]|\s[-–—]\s")
# "Tools: ...", "Languages - ...": a line that labels what follows.
_LABELLED_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z &/]{1,30}?)\s*[:\-–]\s")
_MENTIONS_READ = 6  # a skill's first mentions say enough; long CVs repeat the common ones


def _bucket(value: int, edges: Sequence[int]) -> str:
    for edge in edges:
        if value <= edge:
            return str(edge)
    return "more"


def _shape(chars: str) -> str:
    """Letters as ``a``, digits as ``9``, the rest as written: ", " and "a," stay apart."""
    return re.sub(r"[^\W\d_]", "a", re.sub(r"\d", "9", chars))


def claim_features(
    text: str, lines: Sequence[Line], matches: Sequence[SkillMatch], taxonomy: Taxonomy
) -> dict[str, list[str]]:
    """Canonical skill → its features, in order of first mention (offsets of ``matches`` and
    ``lines`` in ``text``)."""
    starts = [line.start for line in lines]
    by_name: dict[str, list[tuple[SkillMatch, int]]] = {}  # name → (mention, index of its line)
    per_line: dict[int, int] = {}
    for match in matches:
        index = bisect.bisect_right(starts, match.start) - 1
        by_name.setdefault(match.name, []).append((match, index))
        per_line[index] = per_line.get(index, 0) + 1
    out: dict[str, list[str]] = {}
    field_edges: dict[int, list[tuple[int, int]]] = {}  # line index → its fields' edges
    for rank, (name, mentions) in enumerate(by_name.items()):
        skill = taxonomy.get(name)
        feats = {
            "bias",
            f"category={skill.category if skill else '?'}",
            f"name={name}",
            f"count={_bucket(len(mentions), (1, 2, 3, 5))}",
            f"rank={_bucket(rank * 10 // len(by_name), (0, 2, 5, 9))}",
        }
        titled = 0
        for i, (match, index) in enumerate(mentions[:_MENTIONS_READ]):
            line = lines[index] if index >= 0 else None
            section = (line.section or "none") if line else "none"
            feats.add(f"section={section}")
            if i == 0:
                feats.add(f"first_section={section}")
            if line is None:
                continue
            commas = line.text.count(",") + line.text.count(";")
            feats.add(f"line_commas={_bucket(commas, (0, 1, 3))}")
            feats.add(f"line_length={_bucket(len(line.text), (20, 40, 80, 160))}")
            feats.add(f"line_segments={_bucket(len(segments(line.text)), (1, 2, 4))}")
            feats.add(f"line_skills={_bucket(per_line.get(index, 0), (1, 2, 4, 8))}")
            labelled = _LABELLED_LINE.match(line.text)
            if labelled:
                feats.add("labelled_line")
                feats.add(f"line_label={labelled.group(1).strip().lower()[:20]}")
                feats.add(f"labelled_line_in={section}")
            surface = match.surface
            feats.add(
                "surface=name" if surface == name else "surface=upper" if surface.isupper()
                else "surface=lower" if surface.islower() else "surface=mixed"
            )  # fmt: skip
            feats.add(f"before={_shape(text[max(0, match.start - 2) : match.start])}")
            feats.add(f"after={_shape(text[match.end : match.end + 2])}")
            if index not in field_edges:
                field_edges[index] = [(m.start(), m.end()) for m in _FIELD_EDGE.finditer(line.text)]
            if _in_title(line, match, field_edges[index]):
                feats.add("in_title")
                titled += 1
            share = 10 * (match.end - match.start) // max(len(line.text), 1)
            feats.add(f"line_share={_bucket(share, (1, 3, 6, 10))}")
            feats.add(f"section_length={section}_{_bucket(len(line.text), (40, 100))}")
            feats.add(f"section_commas={section}_{_bucket(commas, (0, 2))}")
        if titled and titled == min(len(mentions), _MENTIONS_READ):
            # Named only inside job titles ("Java Programmer", "Director of Merchandising"):
            # the role implies the skill, the candidate does not list it.
            feats.add("only_in_titles")
        out[name] = sorted(feats)
    return out


def _in_title(line: Line, match: SkillMatch, edges: Sequence[tuple[int, int]]) -> bool:
    """Whether the mention is part of a job title: its field of the line (between ``edges``:
    commas, bars, dashes, wide gaps) holds a title word ("Programmer", "Director")."""
    text = line.text
    start, end = match.start - line.start, match.end - line.start
    left = max((b for a, b in edges if b <= start), default=0)
    right = min((a for a, b in edges if a >= end), default=len(text))
    return bool(_TITLE_WORD.search(text[left:right]))


@dataclass(frozen=True)
class ClaimModel:
    """``weights[feature]``; a skill is claimed when its margin (the sum of its features'
    weights) reaches ``threshold``. ``calibration``: ascending (lowest margin, precision) bins
    measured out of fold, which turn a margin into a confidence."""

    weights: Mapping[str, float]
    threshold: float
    calibration: tuple[tuple[float, float], ...] = ()

    def margin(self, feats: Iterable[str]) -> float:
        weights = self.weights
        return sum(weights.get(f, 0.0) for f in feats)

    @functools.cached_property
    def _lows(self) -> list[float]:
        return [low for low, _ in self.calibration]

    def confidence(self, margin: float) -> float | None:
        if not self.calibration:
            return None
        index = max(0, bisect.bisect_right(self._lows, margin) - 1)
        return self.calibration[index][1]

    def to_json(self) -> dict[str, object]:
        return {
            "threshold": self.threshold,
            "calibration": [list(pair) for pair in self.calibration],
            "weights": dict(sorted(self.weights.items())),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> ClaimModel:
        weights, threshold, calibration = data["weights"], data["threshold"], data["calibration"]
        assert isinstance(weights, dict) and isinstance(threshold, int | float)
        assert isinstance(calibration, list)
        bins = tuple((float(low), float(precision)) for low, precision in calibration)
        return cls({str(k): float(v) for k, v in weights.items()}, float(threshold), bins)


@functools.cache
def load_claim_model() -> ClaimModel:
    """The shipped weights, read once per process."""
    source = resources.files("hirestream.parser.domain").joinpath("data", "skill_claims.json")
    return ClaimModel.from_json(json.loads(source.read_text(encoding="utf-8")))


__all__ = ["ClaimModel", "claim_features", "load_claim_model"]
