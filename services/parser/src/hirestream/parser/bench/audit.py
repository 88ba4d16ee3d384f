"""An audit of the title, employer and claimed-skill errors: a seeded sample of the out-of-fold
false positives and misses on the tuning split, each with the CV text around it, for a person to
judge whether the parser or the annotation is wrong.

Why: on designation, companies and skills the benchmark figures stop improving short of the
targets, and every error class examined so far was a long tail. A reader needs to know how much
of the remaining gap is the parser's. The sample is drawn from the 4-fold cross-validation of
``train_mentions`` and ``train_skills`` (each CV scored by a model trained without it), from the
tuning split only, so reading it tunes nothing the held-out figures measure. Same corpus, same
code, same seed → the same sample, so a judged sample (``docs/audits/``) can be checked against
what the command prints. ``estimate`` turns the judged shares into the figures the field would
have if the annotation were right where the judge says it is not.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hirestream.parser.bench import train_mentions, train_skills
from hirestream.parser.bench.accuracy import Counts, _similar, harmonic_mean, norm, set_counts
from hirestream.parser.bench.corpus import LabelledCv
from hirestream.parser.bench.train_mentions import _GOLD_FIELD, CrossValidation, MentionCv
from hirestream.parser.bench.train_skills import SkillCv
from hirestream.parser.domain.mentions import COMPANY, TITLE
from hirestream.parser.domain.normalise import normalise
from hirestream.parser.domain.profile import skill_matches
from hirestream.parser.domain.sections import fold
from hirestream.skills import Taxonomy, load_taxonomy

FIELD_KIND = {"designation": TITLE, "companies": COMPANY}
FIELDS = (*FIELD_KIND, "skills")
FALSE_POSITIVE = "false positive"
MISSED = "missed"
_CONTEXT = 110  # characters shown on each side


@dataclass(frozen=True)
class AuditItem:
    field: str  # "designation", "companies" or "skills"
    error: str  # FALSE_POSITIVE or MISSED
    cv: int  # the corpus file number
    value: str  # normalised, as the benchmark compares it
    # "rules" or "classifier" for a false positive, "label" for a miss; for a skill, its margin
    source: str
    context: str  # the CV text around where it is written ("‖" between places)


def predictions(cv: MentionCv, kind: str, cross: CrossValidation) -> list[tuple[str, str]]:
    """What the parser predicts for the CV out of fold, as the benchmark scores it: the rules'
    readings, then the classifier's proposals above the threshold; (value, source)."""
    out = {value: "rules" for value in cv.ruled[kind] if value}
    threshold = cross.thresholds[kind]
    for value, margin in cross.out_of_fold[kind][cv.number]:
        if margin >= threshold and value:
            out.setdefault(value, "classifier")
    return list(out.items())


def errors(
    cvs: Sequence[MentionCv], corpus: Mapping[int, LabelledCv], field: str,
    cross: CrossValidation,
) -> list[AuditItem]:  # fmt: skip
    """Every out-of-fold false positive and miss of the field, in corpus order."""
    kind = FIELD_KIND[field]
    found = []
    for cv in cvs:
        labelled = corpus[cv.number]
        text = labelled.text
        predicted = predictions(cv, kind, cross)
        gold = list(dict.fromkeys(g for g in cv.gold[kind] if g))
        for value, source in predicted:
            if not any(_similar(value, g) for g in gold):
                # Every place it is written (up to three): the first may not be where the
                # parser read it (a university in the education section and, later, as the
                # employer of a job).
                found.append(AuditItem(field, FALSE_POSITIVE, cv.number, value, source,
                                       _contexts(text, _find(text, value))))  # fmt: skip
        for value in gold:
            if not any(_similar(p, value) for p, _ in predicted):
                span = _label_span(labelled, kind, value)
                found.append(AuditItem(field, MISSED, cv.number, value, "label",
                                       _around(text, span)))  # fmt: skip
    return found


@dataclass(frozen=True)
class SkillCheck:
    """The claimed-skills field out of fold: each CV's skills, their margins and the threshold."""

    cvs: Sequence[SkillCv]
    margins: Mapping[int, Sequence[float]]
    threshold: float

    def claimed(self, cv: SkillCv) -> list[str]:
        return [n for n, m in zip(cv.names, self.margins[cv.number], strict=True)
                if m >= self.threshold]  # fmt: skip

    def counts(self) -> Counts:
        total = Counts()
        for cv in self.cvs:
            total.add(set_counts(self.claimed(cv), cv.gold, str.__eq__))
        return total


def skill_errors(
    check: SkillCheck, corpus: Mapping[int, LabelledCv], taxonomy: Taxonomy
) -> list[AuditItem]:
    """Every out-of-fold false positive and miss of the claimed skills, in corpus order. A miss
    is a labelled skill not claimed: found below the threshold, or not found at all."""
    found = []
    for cv in check.cvs:
        text = normalise(corpus[cv.number].text)
        places: dict[str, list[tuple[int, int]]] = {}
        for m in skill_matches(text, taxonomy):
            places.setdefault(m.name, []).append((m.start, m.end))
        claimed = set(check.claimed(cv))
        margin = dict(zip(cv.names, check.margins[cv.number], strict=True))
        for name in cv.names:
            if name in claimed and name not in cv.gold:
                found.append(AuditItem("skills", FALSE_POSITIVE, cv.number, name,
                                       f"claimed at {margin[name]:+.2f}",
                                       _contexts(text, places.get(name, []))))  # fmt: skip
        for name in sorted(cv.gold - claimed):
            source = f"below at {margin[name]:+.2f}" if name in margin else "not found"
            found.append(AuditItem("skills", MISSED, cv.number, name, source,
                                   _contexts(text, places.get(name, []))))  # fmt: skip
    return found


def _contexts(text: str, spans: Sequence[tuple[int, int]]) -> str:
    return " ‖ ".join(_around(text, span) for span in spans[:3]) if spans else _around(text, None)


def sample(items: Sequence[AuditItem], size: int, seed: int) -> list[AuditItem]:
    """``size`` items of each error type, drawn with ``seed``, in corpus order."""
    rng = random.Random(seed)
    chosen: list[AuditItem] = []
    for error in (FALSE_POSITIVE, MISSED):
        pool = [i for i in items if i.error == error]
        chosen += rng.sample(pool, min(size, len(pool)))
    return sorted(chosen, key=lambda i: (i.error, i.cv, i.value))


def _find(text: str, value: str) -> list[tuple[int, int]]:
    """Where a normalised value is written: its words in order, anything not a word between."""
    words = value.split()
    folded = fold(text)
    if not words or len(folded) != len(text):  # folding changed the length: no positions
        return []
    pattern = r"[^\w+#]+".join(re.escape(w) for w in words)
    return [(m.start(), m.end()) for m in re.finditer(pattern, folded)]


def _label_span(cv: LabelledCv, kind: str, value: str) -> tuple[int, int] | None:
    label = _GOLD_FIELD[kind]
    for written, span in zip(cv.labels.get(label, []), cv.spans.get(label, []), strict=False):
        if norm(written) == value:
            return span
    return None


def _around(text: str, span: tuple[int, int] | None) -> str:
    if span is None:
        return "(not found as written)"
    a, b = span
    before = text[max(0, a - _CONTEXT) : a]
    after = text[b : b + _CONTEXT]
    return " ".join(f"{before}[[{text[a:b]}]]{after}".split())


@dataclass(frozen=True)
class Estimate:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        return harmonic_mean(self.precision, self.recall)


def estimate(
    counts: Counts, fp_annotation_share: float, missed_annotation_share: float
) -> Estimate:
    """The field's figures with the annotation corrected as a judged sample says. The share of
    false positives that are right (an employer the CV names that the annotators did not label)
    become labels the parser found; the share of misses that are not what the field means (a
    label on a course, a town, a committee) leave the gold set. The shares come from a sample, so
    the figures are estimates, as good as the sample's size."""
    right = (counts.pred - counts.tp_pred) * fp_annotation_share
    not_meant = (counts.gold - counts.tp_gold) * missed_annotation_share
    precision = (counts.tp_pred + right) / counts.pred if counts.pred else 0.0
    gold = counts.gold + right - not_meant
    recall = (counts.tp_gold + right) / gold if gold else 0.0
    return Estimate(precision, recall)


@dataclass(frozen=True)
class Judged:
    """One judged row of an audit file: ``verdict`` is "annotation" (the label, or its
    absence, is wrong), "parser" (the parser is wrong) or "unclear"."""

    field: str
    error: str
    cv: int
    value: str
    verdict: str


VERDICTS = ("annotation", "parser", "unclear")


def read_judged(text: str) -> list[Judged]:
    """The rows of a judged audit file (tab-separated, with a header naming its columns)."""
    lines = [line.split("\t") for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    header, rows = lines[0], lines[1:]
    at = {name: header.index(name) for name in ("field", "error", "cv", "value", "verdict")}
    judged = []
    for row in rows:
        verdict = row[at["verdict"]]
        if verdict not in VERDICTS:
            raise ValueError(f"verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
        judged.append(Judged(row[at["field"]], row[at["error"]], int(row[at["cv"]]),
                             row[at["value"]], verdict))  # fmt: skip
    return judged


def annotation_share(judged: Sequence[Judged], field: str, error: str) -> tuple[float, int]:
    """The share of a field's judged errors of one type that are the annotation's, and how many
    were judged. "Unclear" counts as the parser's: the estimate does not flatter it."""
    rows = [j for j in judged if j.field == field and j.error == error]
    return (sum(j.verdict == "annotation" for j in rows) / len(rows) if rows else 0.0), len(rows)


def unmatched(judged: Sequence[Judged], drawn: Sequence[AuditItem]) -> list[Judged]:
    """Judged rows the sample drawn now does not hold (the code or the corpus changed since)."""
    keys = {(i.field, i.error, i.cv, i.value) for i in drawn}
    return [j for j in judged if (j.field, j.error, j.cv, j.value) not in keys]


def draw(
    corpus: Sequence[LabelledCv], fields: Sequence[str], size: int, seed: int
) -> tuple[list[AuditItem], dict[str, Counts]]:
    """The sample of each field's out-of-fold errors and the field's out-of-fold counts."""
    by_number = {cv.number: cv for cv in corpus}
    drawn: list[AuditItem] = []
    counts: dict[str, Counts] = {}
    if mention_fields := [f for f in fields if f in FIELD_KIND]:
        cvs = train_mentions.training_cvs(corpus)
        cross = train_mentions.cross_validate(cvs)
        for name in mention_fields:
            kind = FIELD_KIND[name]
            drawn += sample(errors(cvs, by_number, name, cross), size, seed)
            counts[name] = train_mentions.field_counts(
                cvs, kind, cross.out_of_fold[kind], cross.thresholds[kind]
            )
    if "skills" in fields:
        taxonomy = load_taxonomy()
        skill_cvs = train_skills.training_cvs(corpus, taxonomy)
        checked = train_skills.cross_validate(skill_cvs)
        check = SkillCheck(skill_cvs, checked.margins, checked.threshold)
        drawn += sample(skill_errors(check, by_number, taxonomy), size, seed)
        counts["skills"] = check.counts()
    return drawn, counts
