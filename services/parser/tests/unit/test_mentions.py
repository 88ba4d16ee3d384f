"""The learned title / employer classifier: pieces, training, the shipped weights and how the
profile combines it with the rules."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from hirestream.parser.bench.accuracy import Counts, _similar, norm, set_counts
from hirestream.parser.bench.corpus import load_corpus
from hirestream.parser.bench.train_mentions import MODEL_PATH, train
from hirestream.parser.domain import build_profile
from hirestream.parser.domain.analysis import collect_evidence
from hirestream.parser.domain.document import ExtractedText
from hirestream.parser.domain.mentions import (
    CLASSES,
    COMPANY,
    OTHER,
    TITLE,
    MentionModel,
    find_mentions,
    load_mention_model,
    pieces,
)
from hirestream.parser.domain.profile import RoleMention
from hirestream.parser.domain.sections import split_lines

CORPUS = Path(__file__).parents[4] / ".." / "shared" / "data" / "resume-ner-train"
TODAY = date(2024, 1, 1)


def test_a_line_falls_apart_at_separators_and_dates():
    lines = split_lines("Senior Data Analyst, Acme Corp   Jan 2019 - Present\nJava, Python")
    found = [(p.text, p.line, p.order, p.count) for p in pieces(lines)]
    assert found[:2] == [("Senior Data Analyst", 0, 0, 2), ("Acme Corp", 0, 1, 2)]
    assert ("Java", 1, 0, 2) in found
    text = "Senior Data Analyst, Acme Corp   Jan 2019 - Present"
    first = pieces(split_lines(text))[1]
    assert text[first.start : first.end] == "Acme Corp"


def test_training_is_deterministic_and_learns_a_separable_problem():
    data = [
        (["bias", "w:engineer"], TITLE),
        (["bias", "w:ltd"], COMPANY),
        (["bias", "w:and"], OTHER),
    ]
    data = data * 20
    one, two = train(data), train(data)
    assert one.weights == two.weights
    model = MentionModel(one.weights, {TITLE: 0.0, COMPANY: 0.0})
    assert model.margin(["bias", "w:engineer"])[0] == TITLE
    assert model.margin(["bias", "w:ltd"])[0] == COMPANY
    scores = model.scores(["bias", "w:and"])
    assert max(scores, key=scores.__getitem__) == OTHER


def test_the_model_round_trips_through_json():
    model = MentionModel({TITLE: {"w:a": 1.5}, COMPANY: {"w:b": -2.0}, OTHER: {}}, {TITLE: 1.0})
    again = MentionModel.from_json(json.loads(json.dumps(model.to_json())))
    assert again.weights[TITLE] == {"w:a": 1.5} and again.weights[COMPANY] == {"w:b": -2.0}
    assert again.thresholds == {TITLE: 1.0}


# A toy model: "Ltd" makes an employer, "engineer" a title, everything else other.
TOY = MentionModel(
    {TITLE: {"w:engineer": 5.0}, COMPANY: {"w:ltd": 5.0}, OTHER: {"bias": 1.0}},
    {TITLE: 0.0, COMPANY: 0.0},
)


def test_rules_keep_precedence_the_classifier_only_adds():
    lines = split_lines("Network Engineer\nGlobex Ltd\nSupport Engineer")
    found = find_mentions(lines, {"network engineer": TITLE}, TOY)
    assert [(m.kind, m.text) for m in found] == [
        (COMPANY, "Globex Ltd"),
        (TITLE, "Support Engineer"),
    ]


def test_the_profile_marks_learned_roles_and_their_evidence_is_less_sure():
    text = "Jane Roe\njane@example.com\nHobbies\nVolunteer Engineer\nGlobex Ltd\n"
    rules_only = build_profile(text, today=TODAY, mentions=False)
    with_model = build_profile(text, today=TODAY, mentions=TOY)
    learned = [r for r in with_model.roles if r.learned]
    assert {(r.title, r.company) for r in learned} == {
        ("Volunteer Engineer", None),
        (None, "Globex Ltd"),
    } - {(r.title, r.company) for r in rules_only.roles}
    for role in learned:
        assert role.span is not None and text[role.span[0] : role.span[1]] in text
    rule_role = RoleMention("Volunteer Engineer", None, learned[0].span)
    both = replace(with_model, roles=[rule_role, *learned])
    evidence = collect_evidence(both, ExtractedText(text, "text/plain"))
    confidence = {e.field: e.confidence for e in evidence if e.field.startswith("roles")}
    assert confidence["roles[0]"] == 0.6  # a rule's reading
    assert all(confidence[f"roles[{i + 1}]"] < 0.6 for i in range(len(learned)))


def test_the_shipped_weights_load_with_cross_validated_thresholds():
    data = json.loads(MODEL_PATH.read_text("utf-8"))
    assert data["classes"] == list(CLASSES)
    model = load_mention_model()
    assert set(model.thresholds) == {TITLE, COMPANY}
    for kind in (TITLE, COMPANY):
        report = data["cross_validation"][kind]
        assert report["out_of_fold_f1"] > report["rules_f1"], kind


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"labelled corpus not found at {CORPUS}")
def test_the_shipped_model_beats_the_rules_on_tuning_cvs():
    # The tuning split only (the held-out split is for the benchmark); a floor, not a figure:
    # `hirestream parser bench accuracy` reports the figures.
    cvs = [cv for cv in load_corpus(CORPUS) if not cv.held_out][:60]
    totals = {}
    for mentions in (False, True):
        titles, companies = Counts(), Counts()
        for cv in cvs:
            p = build_profile(cv.text, today=TODAY, mentions=mentions)
            entries = [*p.experience, *p.roles]
            gold_titles = [norm(v) for v in cv.labels.get("Designation", [])]
            gold_companies = [norm(v) for v in cv.labels.get("Companies worked at", [])]
            titles.add(set_counts([norm(e.title or "") for e in entries], gold_titles, _similar))
            companies.add(
                set_counts([norm(e.company or "") for e in entries], gold_companies, _similar)
            )
        totals[mentions] = (titles.f1, companies.f1)
    # The rules now read much of what the classifier used to add (out of fold on the whole
    # tuning split, 2026-12-04: titles 0.778 by the rules, 0.801 with the classifier;
    # employers 0.663 and 0.687), so the floor is one point.
    assert totals[True][0] >= totals[False][0] + 0.01
    assert totals[True][1] >= totals[False][1] + 0.01
