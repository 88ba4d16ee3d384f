"""Training of the title / employer classifier (``domain/mentions.py``) on the tuning split.

Reproducible: ``hirestream parser train mentions`` reads the labelled corpus, keeps the tuning
split only (files whose number is not a multiple of 5: the held-out split is never read), and
writes ``domain/data/mentions.json``. Same corpus, same code → same file: the pieces come in
corpus order, the perceptron's shuffles use a fixed seed, weights are rounded.

- Examples: every piece of every line (``mentions.pieces``) of the CV as the rules-only parser
  reads it, labelled by the corpus spans: a title when a Designation label covers most of the
  piece and the piece most of the label, an employer likewise for Companies worked at, other
  otherwise. Only CVs whose annotators labelled both fields (``accuracy.annotated``): in a CV
  with no Designation label, every title would be taught as "other".
- Model: a multi-class averaged perceptron (pure Python; no dependency).
- Thresholds: chosen by 4-fold cross-validation *inside* the tuning split, for the margin that
  maximises the out-of-fold F1 of the field (rules + proposals, scored like the benchmark), so the
  shipped thresholds were never chosen on CVs the model was trained on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hirestream.parser.bench.accuracy import Counts, _similar, annotated, norm, set_counts
from hirestream.parser.bench.corpus import LabelledCv
from hirestream.parser.bench.perceptron import averaged_perceptron, rounded
from hirestream.parser.domain.employers import employer
from hirestream.parser.domain.mentions import (
    CLASSES,
    COMPANY,
    OTHER,
    TITLE,
    MentionModel,
    piece_features,
)
from hirestream.parser.domain.normalise import normalise
from hirestream.parser.domain.profile import (
    ExperienceEntry,
    RoleMention,
    build_profile,
    ruled_mentions,
)
from hirestream.parser.domain.sections import split_lines
from hirestream.skills import load_taxonomy

MODEL_PATH = Path(__file__).resolve().parents[1] / "domain" / "data" / "mentions.json"
EPOCHS = 8
MIN_COUNT = 2
SEED = 20261201
FOLDS = 4
_LABEL_KIND = {"Designation": TITLE, "Companies worked at": COMPANY}
_GOLD_FIELD = {TITLE: "Designation", COMPANY: "Companies worked at"}
_THRESHOLDS = [x / 2 for x in range(-20, 41)]  # margins -10 .. 20


@dataclass
class MentionCv:
    number: int
    examples: list[tuple[list[str], str, str]]  # features, label, normalised piece text
    ruled: dict[str, list[str]]  # kind → the rules' normalised predictions
    gold: dict[str, list[str]]  # kind → normalised labels
    # Pieces the profile never reports as an employer (they name only skills, or a place):
    # not proposed here either, so the threshold is chosen for what the profile reports.
    not_employers: frozenset[str] = frozenset()


def _label(start: int, end: int, spans: Sequence[tuple[str, int, int]]) -> str:
    for kind, a, b in spans:
        overlap = min(end, b) - max(start, a)
        if overlap > 0 and 2 * overlap >= end - start and 2 * overlap >= b - a:
            return kind
    return OTHER


def examples(cv: LabelledCv) -> MentionCv:
    assert not cv.held_out, "the held-out split is never read for training"
    text = normalise(cv.text)
    lines = split_lines(text)
    profile = build_profile(cv.text, load_taxonomy(), mentions=False)
    jobs_and_roles: list[ExperienceEntry | RoleMention] = [*profile.experience, *profile.roles]
    ruled = ruled_mentions(jobs_and_roles)
    spans = [
        (kind, a, b) for label, kind in _LABEL_KIND.items() for a, b in cv.spans.get(label, [])
    ]
    found = []
    not_employers = set()
    taxonomy = load_taxonomy()
    for piece, feats in piece_features(lines, ruled):
        found.append((feats, _label(piece.start, piece.end, spans), norm(piece.text)))
        if employer(piece.text, taxonomy) is None:
            not_employers.add(norm(piece.text))
    return MentionCv(
        cv.number,
        found,
        {
            TITLE: [norm(e.title) for e in jobs_and_roles if e.title],
            COMPANY: [norm(e.company) for e in jobs_and_roles if e.company],
        },
        {k: [norm(v) for v in cv.labels.get(f, [])] for k, f in _GOLD_FIELD.items()},
        frozenset(not_employers),
    )


def train(data: Sequence[tuple[list[str], str]], epochs: int = EPOCHS) -> MentionModel:
    """The averaged multi-class perceptron over title / employer / other (``perceptron``),
    weights rounded to 4 decimals and zeros left out."""
    averaged = averaged_perceptron(data, CLASSES, OTHER, epochs, SEED, MIN_COUNT)
    return MentionModel({c: rounded(w) for c, w in averaged.items()}, {})


def field_counts(cvs: Sequence[MentionCv], kind: str,
                 proposals: Mapping[int, Sequence[tuple[str, float]]],
                 threshold: float) -> Counts:  # fmt: skip
    """The field scored like the benchmark: the rules' readings and the proposals whose margin
    reaches ``threshold``, against the labels."""
    total = Counts()
    for cv in cvs:
        predicted = cv.ruled[kind] + [t for t, m in proposals[cv.number] if m >= threshold]
        total.add(set_counts(predicted, cv.gold[kind], _similar))
    return total


def _field_f1(cvs: Sequence[MentionCv], kind: str, proposals: dict[int, list[tuple[str, float]]],
              threshold: float) -> float:  # fmt: skip
    return field_counts(cvs, kind, proposals, threshold).f1


def _proposals(model: MentionModel, cv: MentionCv, kind: str) -> list[tuple[str, float]]:
    out = []
    ruled = set(cv.ruled[TITLE]) | set(cv.ruled[COMPANY])
    for feats, _, text in cv.examples:
        if text in ruled or (kind == COMPANY and text in cv.not_employers):
            continue
        best, margin = model.margin(feats)
        if best == kind:
            out.append((text, margin))
    return out


@dataclass(frozen=True)
class Training:
    model: MentionModel
    report: dict[str, dict[str, float]]  # kind → rules-only and out-of-fold F1, threshold


def training_cvs(corpus: Sequence[LabelledCv]) -> list[MentionCv]:
    """The tuning CVs annotated for both fields, as examples."""
    return [
        examples(cv)
        for cv in corpus
        if not cv.held_out and annotated(cv, "designation") and annotated(cv, "companies")
    ]


@dataclass(frozen=True)
class CrossValidation:
    # kind → CV number → the pieces the fold's model proposes, with their margins
    out_of_fold: dict[str, dict[int, list[tuple[str, float]]]]
    thresholds: dict[str, float]  # kind → the margin maximising the out-of-fold F1
    report: dict[str, dict[str, float]]  # kind → rules-only and out-of-fold F1, threshold


def cross_validate(cvs: Sequence[MentionCv]) -> CrossValidation:
    """Each fold scored by a model trained on the other folds; thresholds from those scores."""
    folds = [[cv for cv in cvs if cv.number % FOLDS == k] for k in range(FOLDS)]
    out_of_fold: dict[str, dict[int, list[tuple[str, float]]]] = {TITLE: {}, COMPANY: {}}
    for k, fold_cvs in enumerate(folds):
        rest = [(f, y) for j, other in enumerate(folds) if j != k for cv in other
                for f, y, _ in cv.examples]  # fmt: skip
        model = train(rest)
        for cv in fold_cvs:
            for kind in (TITLE, COMPANY):
                out_of_fold[kind][cv.number] = _proposals(model, cv, kind)
    thresholds: dict[str, float] = {}
    report: dict[str, dict[str, float]] = {}
    for kind in (TITLE, COMPANY):
        best = max(_THRESHOLDS, key=lambda t: (_field_f1(cvs, kind, out_of_fold[kind], t), t))
        thresholds[kind] = best
        report[kind] = {
            "rules_f1": round(_field_f1(cvs, kind, out_of_fold[kind], float("inf")), 4),
            "out_of_fold_f1": round(_field_f1(cvs, kind, out_of_fold[kind], best), 4),
            "threshold": best,
        }
    return CrossValidation(out_of_fold, thresholds, report)


def run(corpus: Sequence[LabelledCv]) -> Training:
    cvs = training_cvs(corpus)
    checked = cross_validate(cvs)
    final = train([(f, y) for cv in cvs for f, y, _ in cv.examples])
    return Training(MentionModel(final.weights, checked.thresholds), checked.report)


def write(training: Training, path: Path = MODEL_PATH) -> None:
    data = {
        "about": (
            "Weights of the title / employer classifier (hirestream.parser.domain.mentions), "
            "trained by `hirestream parser train mentions` on the tuning split of the labelled "
            "resume corpus (files whose number is not a multiple of 5); thresholds chosen by "
            f"{FOLDS}-fold cross-validation inside that split."
        ),
        "epochs": EPOCHS,
        "seed": SEED,
        "cross_validation": training.report,
        **training.model.to_json(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
