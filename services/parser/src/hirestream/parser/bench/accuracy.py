"""Precision, recall and F1 per field on the labelled corpus, for text, PDF and DOCX inputs.

Matching rules (micro-averaged over all CVs of a split):

- name: the predicted name equals a labelled Name (case, accents and spacing ignored);
- email: set of addresses, exact (lower case);
- designation, companies, college, degree: each predicted value is correct when it equals,
  contains or is contained in a labelled value on word boundaries after normalising; recall
  counts labelled values matched by a prediction. Designations and companies are predicted from
  the dated jobs *and* the profile's ``roles`` (titles and employers the CV names elsewhere: the
  headline, "Position:" fields, "worked as X with Y"): the annotators label a designation or an
  employer at every mention, so scoring only the dated jobs counted mentions the profile does
  report as misses. Institutions and degrees come from the education entries;
- degree: the annotators label certifications, courses and licences as Degree too ("Cisco
  Certified Network Associate", "PMP", "Paralegal Certificate": 80 of the 556 distinct
  tuning-split Degree labels), so the predictions are the education entries' degrees *and* the
  profile's certifications; a certification is right when its canonical name or its text as
  written matches a label, and every certification predicted counts in precision, whether the
  annotators labelled it or not (a driving licence they left unlabelled is a false positive).
  ``degree_degrees_only`` keeps the previous rule (education degrees only) beside it;
- graduation year: set of years of education entries vs years in Graduation Year labels;
- years of experience: CVs whose labels state "N years"; correct when the total experience
  found (overlaps merged) is within 12 months of N years;
- skills: labelled Tech Tools, Job Specific Skills and Soft Skills mapped to canonical names
  through the taxonomy (labels naming no known skill are counted apart as coverage) vs the predicted
  canonical skills. A label is read alone and where it is written: the taxonomy recognises some
  skills only in context (a bare "C", "Windows", "Excel" needs a list or a version beside it), so
  reading labels alone left a labelled "C" out of the gold set and counted the parser's C as
  a false positive. ``skills`` are the skills the profile marks ``claimed`` (the learned
  skill-claim classifier, trained on the tuning split); ``skills_every_mention`` scores every
  skill the taxonomy finds, claimed or not, beside it.

Each field is scored on the CVs whose annotators labelled it at least once (``annotated``). The
corpus is partly annotated: 6 of the 248 tuning CVs carry a single label in all, and 20 have no
skill label though they list skills like any other (one names 89 taxonomy skills); 19 have no
Designation, 26 no Companies label, many of them with dated jobs. What the parser reads in a
field nobody annotated cannot be judged right or wrong, and counting all of it as false
positives measured the annotation, not the parser. The report keeps every field under the
previous rule too (``Report.every_cv``: every CV scored) and says how many CVs each field left
out; recall is the same under both rules (an unannotated CV has nothing to find).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from hirestream.parser.adapters.extractors import TEXT, extract_document
from hirestream.parser.bench.corpus import LabelledCv
from hirestream.parser.bench.render import to_docx, to_pdf
from hirestream.parser.domain.analysis import analyse
from hirestream.parser.domain.document import ExtractedText
from hirestream.parser.domain.errors import ExtractionError
from hirestream.parser.domain.experience import restore_range_dashes
from hirestream.parser.domain.profile import Profile
from hirestream.parser.domain.sections import fold
from hirestream.skills import Taxonomy, load_taxonomy

FIELDS = ("name", "email", "designation", "companies", "college", "degree", "graduation_year",
          "years_of_experience", "skills", "skills_every_mention")  # fmt: skip
# The same fields under the previous, stricter-than-fair rules, printed beside them so the effect
# of each rule change can be read apart from the parser's: titles and employers of dated jobs
# only, and skill labels read alone.
PREVIOUS_RULES = ("designation_jobs_only", "companies_jobs_only", "skills_labels_alone",
                  "degree_degrees_only")  # fmt: skip
# Printed for information, not a headline: graduation years with the certifications' years
# added, the counterpart of the degree rule (the annotators label a certification's year as a
# Graduation Year too).
INFORMATIVE = ("graduation_year_with_certifications",)
FORMATS = ("text", "pdf", "docx")
LATEST_YEAR = 2023


def written_on(text: str) -> date:
    """When the CV was written, as far as the text shows: the end of the latest year it names.
    Open-ended jobs ("2016 to Present") run to that date, not to the day the benchmark runs, so
    the stated "N years of experience" and the computed total refer to the same moment."""
    years = [int(y) for y in _YEAR.findall(text) if int(y) <= LATEST_YEAR]
    return date(max(years), 12, 31) if years else date(LATEST_YEAR, 12, 31)


_YEAR = re.compile(r"(?<!\d)(?:19[5-9]\d|20[0-2]\d)(?!\d)")
_STATED_YEARS = re.compile(r"(\d{1,2}(?:\.\d)?)\s*\+?\s*(?:years?|yrs?)", re.IGNORECASE)


@dataclass
class Counts:
    tp_pred: int = 0  # predictions that are correct
    pred: int = 0
    tp_gold: int = 0  # labelled values found
    gold: int = 0

    def add(self, other: Counts) -> None:
        self.tp_pred += other.tp_pred
        self.pred += other.pred
        self.tp_gold += other.tp_gold
        self.gold += other.gold

    @property
    def precision(self) -> float:
        return self.tp_pred / self.pred if self.pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        return harmonic_mean(self.precision, self.recall)


def harmonic_mean(precision: float, recall: float) -> float:
    """F1 of a precision and a recall (0 when both are)."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass
class Report:
    files: int = 0
    failed: int = 0
    fields: dict[str, Counts] = field(
        default_factory=lambda: {f: Counts() for f in (*FIELDS, *PREVIOUS_RULES, *INFORMATIVE)}
    )
    skill_labels: int = 0
    skill_labels_known: int = 0  # labels naming at least one taxonomy skill
    # The same fields with every CV scored, labelled for the field or not (the previous rule).
    every_cv: dict[str, Counts] = field(
        default_factory=lambda: {f: Counts() for f in (*FIELDS, *PREVIOUS_RULES, *INFORMATIVE)}
    )
    unannotated: dict[str, int] = field(default_factory=dict)  # field → CVs not scored for it


def norm(value: str) -> str:
    return " ".join(re.sub(r"[^\w+#]+", " ", fold(value)).split())


def _similar(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 3 and f" {short} " in f" {long} "


def set_counts(
    pred: Iterable[str], gold: Iterable[str], same: Callable[[str, str], bool]
) -> Counts:
    predicted = list(dict.fromkeys(p for p in pred if p))
    labelled = list(dict.fromkeys(g for g in gold if g))
    return Counts(
        tp_pred=sum(any(same(p, g) for g in labelled) for p in predicted),
        pred=len(predicted),
        tp_gold=sum(any(same(p, g) for p in predicted) for g in labelled),
        gold=len(labelled),
    )


def forms_counts(
    pred: Iterable[Iterable[str]], gold: Iterable[str], same: Callable[[str, str], bool]
) -> Counts:
    """Like ``set_counts``, for predictions that may be written several ways (a certification's
    canonical name and its text as written): one prediction, right when any of its forms is."""
    predicted: list[tuple[str, ...]] = []
    for forms in pred:
        kept = tuple(dict.fromkeys(f for f in forms if f))
        if kept and not any(set(kept) & set(other) for other in predicted):
            predicted.append(kept)
    labelled = list(dict.fromkeys(g for g in gold if g))
    return Counts(
        tp_pred=sum(any(same(f, g) for f in forms for g in labelled) for forms in predicted),
        pred=len(predicted),
        tp_gold=sum(any(same(f, g) for forms in predicted for f in forms) for g in labelled),
        gold=len(labelled),
    )


def degree_forms(p: Profile) -> list[tuple[str, ...]]:
    """The degrees of the education entries and the certifications (name, and as written)."""
    return [(norm(e.degree),) for e in p.education if e.degree] + [
        (norm(c.name), norm(c.written or c.name)) for c in p.certifications
    ]


def _titles(p: Profile) -> list[str | None]:
    """Titles of the dated jobs and of the roles the CV names elsewhere: the labels mark a
    designation at every mention, the profile reports each distinct one it can support."""
    return [e.title for e in p.experience] + [r.title for r in p.roles]


def _companies(p: Profile) -> list[str | None]:
    return [e.company for e in p.experience] + [r.company for r in p.roles]


# The label types that annotate each field: a CV is scored for a field only when its annotators
# labelled it there at least once (see the module's docstring).
_FIELD_LABELS = {
    "name": ("Name",),
    "email": ("Email Address",),
    "designation": ("Designation",),
    "companies": ("Companies worked at",),
    "college": ("College Name",),
    "degree": ("Degree",),
    "graduation_year": ("Graduation Year",),
    "years_of_experience": ("Years of Experience",),
    "skills": ("Tech Tools", "Job Specific Skills", "Soft Skills"),
}
_FIELD_OF = {
    "skills_every_mention": "skills",
    "skills_labels_alone": "skills",
    "designation_jobs_only": "designation",
    "companies_jobs_only": "companies",
    "degree_degrees_only": "degree",
    "graduation_year_with_certifications": "graduation_year",
}


def annotated(cv: LabelledCv, name: str) -> bool:
    """Whether the CV's annotators labelled the field (or the field it is a variant of)."""
    return any(cv.labels.get(kind) for kind in _FIELD_LABELS[_FIELD_OF.get(name, name)])


def score_cv(cv: LabelledCv, profile: Profile | None, taxonomy: Taxonomy, report: Report) -> None:
    counts = {name: Counts() for name in report.fields}
    _score_fields(cv, profile, taxonomy, report, counts)
    for name, found in counts.items():
        report.every_cv[name].add(found)
        if annotated(cv, name):
            report.fields[name].add(found)
        elif name in FIELDS:
            report.unannotated[name] = report.unannotated.get(name, 0) + 1


def _score_fields(
    cv: LabelledCv, profile: Profile | None, taxonomy: Taxonomy, report: Report,
    counts: dict[str, Counts],
) -> None:  # fmt: skip
    labels = cv.labels
    p = profile or Profile()
    gold_names = {norm(v) for v in labels.get("Name", [])}
    name = norm(p.name) if p.name else None
    counts["name"].add(Counts(
        tp_pred=int(name in gold_names), pred=int(name is not None),
        tp_gold=int(name in gold_names), gold=int(bool(gold_names)),
    ))  # fmt: skip
    counts["email"].add(
        set_counts(p.emails, [v.lower() for v in labels.get("Email Address", [])], str.__eq__)
    )
    counts["designation"].add(set_counts(
        (norm(title or "") for title in _titles(p)),
        (norm(v) for v in labels.get("Designation", [])), _similar,
    ))  # fmt: skip
    counts["companies"].add(set_counts(
        (norm(company or "") for company in _companies(p)),
        (norm(v) for v in labels.get("Companies worked at", [])), _similar,
    ))  # fmt: skip
    counts["college"].add(set_counts(
        (norm(e.institution or "") for e in p.education),
        (norm(v) for v in labels.get("College Name", [])), _similar,
    ))  # fmt: skip
    counts["degree"].add(
        forms_counts(degree_forms(p), (norm(v) for v in labels.get("Degree", [])), _similar)
    )
    counts["degree_degrees_only"].add(set_counts(
        (norm(e.degree or "") for e in p.education),
        (norm(v) for v in labels.get("Degree", [])), _similar,
    ))  # fmt: skip
    graduation = [
        max(_YEAR.findall(v)) for v in labels.get("Graduation Year", []) if _YEAR.search(v)
    ]
    counts["graduation_year"].add(
        set_counts((str(e.year) for e in p.education if e.year), graduation, str.__eq__)
    )
    counts["graduation_year_with_certifications"].add(set_counts(
        [str(e.year) for e in p.education if e.year]
        + [str(c.year) for c in p.certifications if c.year],
        graduation, str.__eq__,
    ))  # fmt: skip
    stated = [
        float(m.group(1))
        for v in labels.get("Years of Experience", [])
        for m in _STATED_YEARS.finditer(v)
    ]
    if stated:
        months = p.total_experience_months
        correct = months is not None and abs(months - max(stated) * 12) <= 12
        counts["years_of_experience"].add(
            Counts(int(correct), int(months is not None), int(correct), 1)
        )
    gold_skills = labelled_skills(cv, taxonomy, report)
    counts["skills"].add(
        set_counts((s.name for s in p.skills if s.claimed), gold_skills, str.__eq__)
    )
    counts["skills_every_mention"].add(
        set_counts((s.name for s in p.skills), gold_skills, str.__eq__)
    )
    counts["designation_jobs_only"].add(set_counts(
        (norm(e.title or "") for e in p.experience),
        (norm(v) for v in labels.get("Designation", [])), _similar,
    ))  # fmt: skip
    counts["companies_jobs_only"].add(set_counts(
        (norm(e.company or "") for e in p.experience),
        (norm(v) for v in labels.get("Companies worked at", [])), _similar,
    ))  # fmt: skip
    alone = {
        m.name for kind in _SKILL_LABELS for v in labels.get(kind, []) for m in taxonomy.find(v)
    }
    counts["skills_labels_alone"].add(set_counts((s.name for s in p.skills), alone, str.__eq__))


_SKILL_LABELS = _FIELD_LABELS["skills"]


def labelled_skills(cv: LabelledCv, taxonomy: Taxonomy, report: Report | None = None) -> set[str]:
    """Canonical skills the skill labels name: read alone ("Python"), and read where they are
    written, so that skills the taxonomy recognises only in context (a bare "C", "Windows",
    "Excel" in "Languages: Java, C, C++") count as labelled when the label covers them."""
    in_context = [(m.start, m.end, m.name) for m in taxonomy.find(cv.text)]
    gold: set[str] = set()
    for kind in _SKILL_LABELS:
        for value, (start, end) in zip(
            cv.labels.get(kind, []), cv.spans.get(kind, []), strict=False
        ):
            found = {m.name for m in taxonomy.find(value)}
            # Only a match that is most of the label: "Oracle" inside "Oracle Hyperion" is the
            # matcher's reading of a word, not what the annotator labelled.
            found |= {
                name
                for a, b, name in in_context
                if start <= a and b <= end and 2 * (b - a) >= end - start
            }
            if report is not None:
                report.skill_labels += 1
                report.skill_labels_known += bool(found)
            gold |= found
    return gold


_COLLAPSED = re.compile(r"[ \t]{2,}")


def laid_out(text: str) -> str:
    """The CV as a document would lay it out: 221 of the 310 texts lost their line breaks in
    the export (a whole CV on one line, former breaks left as runs of spaces). A PDF or DOCX
    has lines, so those runs become line breaks again before rendering; the text benchmark
    keeps the collapsed form. Two dates apart only by spaces were one range on one line."""
    text = restore_range_dashes(text)
    return "\n".join(
        _COLLAPSED.sub("\n", line) if len(line) > 300 else line for line in text.split("\n")
    )


def document_for(cv: LabelledCv, kind: str) -> ExtractedText:
    if kind == "text":
        return ExtractedText(cv.text, TEXT)
    if kind == "pdf":
        return extract_document(to_pdf(laid_out(cv.text)), "application/pdf")
    return extract_document(
        to_docx(laid_out(cv.text)),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


def run(cvs: list[LabelledCv], kinds: Iterable[str] = FORMATS) -> dict[str, dict[str, Report]]:
    """``{format: {"tuning": Report, "held_out": Report}}``."""
    taxonomy = load_taxonomy()
    results: dict[str, dict[str, Report]] = {}
    for kind in kinds:
        reports = {"tuning": Report(), "held_out": Report()}
        for cv in cvs:
            report = reports["held_out" if cv.held_out else "tuning"]
            report.files += 1
            try:
                document = document_for(cv, kind)
            except ExtractionError:
                report.failed += 1
                score_cv(cv, None, taxonomy, report)
                continue
            profile = analyse(document, taxonomy, written_on(cv.text)).profile
            score_cv(cv, profile, taxonomy, report)
        results[kind] = reports
    return results
