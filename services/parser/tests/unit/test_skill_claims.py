"""The skill-claim classifier: features, the model and its file, training, and the profile's use
of the shipped weights."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from hirestream.parser.bench.accuracy import Counts, labelled_skills, set_counts
from hirestream.parser.bench.corpus import LabelledCv, load_corpus
from hirestream.parser.bench.train_skills import (
    MODEL_PATH,
    calibration,
    examples,
    figures,
    train,
)
from hirestream.parser.domain import build_profile
from hirestream.parser.domain.analysis import collect_evidence
from hirestream.parser.domain.document import ExtractedText
from hirestream.parser.domain.normalise import normalise
from hirestream.parser.domain.profile import skill_matches
from hirestream.parser.domain.sections import split_lines
from hirestream.parser.domain.skill_claims import ClaimModel, claim_features, load_claim_model
from hirestream.skills import load_taxonomy

CORPUS = Path(__file__).parents[4] / ".." / "shared" / "data" / "resume-ner-train"
TODAY = date(2026, 12, 3)

CV = """Jane Doe
jane@example.com | +1 415 555 0100

SKILLS
Java, Spring Boot, Kafka, PostgreSQL, Docker, Kubernetes

EXPERIENCE
Senior Engineer, Acme Corp, 2019 - present
Built a billing platform for customers who run Microsoft Windows, working with the Oracle sales
team on their marketing.

EDUCATION
BSc Computer Science, MIT, 2012
"""
LISTED = {"Java", "Spring Boot", "Apache Kafka", "PostgreSQL", "Docker", "Kubernetes"}


def _features(text: str) -> dict[str, list[str]]:
    taxonomy = load_taxonomy()
    text = normalise(text)
    return claim_features(text, split_lines(text), skill_matches(text, taxonomy), taxonomy)


def test_features_say_where_and_how_a_skill_is_written():
    feats = _features(CV)
    assert set(feats) >= LISTED
    assert "section=skills" in feats["Java"] and "line_commas=more" in feats["Java"]
    windows = feats["Microsoft Windows"]
    assert "section=experience" in windows and "section=skills" not in windows
    assert "count=1" in windows
    assert "category=?" not in feats["Java"]


def test_a_listed_skill_is_claimed_and_surer_than_a_passing_mention():
    skills = {s.name: s for s in build_profile(CV, today=TODAY).skills}
    assert set(skills) >= LISTED
    assert all(skills[name].claimed for name in LISTED)
    passing = [s for name, s in skills.items() if name not in LISTED]
    assert passing, "the prose names skills in passing"
    assert any(not s.claimed for s in passing)
    listed_floor = min(skills[name].confidence or 0.0 for name in LISTED)
    assert all((s.confidence or 0.0) < listed_floor for s in passing)


def test_without_the_classifier_every_skill_is_claimed_with_no_confidence():
    skills = build_profile(CV, today=TODAY, claims=False).skills
    assert skills and all(s.claimed and s.confidence is None for s in skills)
    # The same skills either way: the classifier marks, it never drops a mention.
    assert [s.name for s in skills] == [s.name for s in build_profile(CV, today=TODAY).skills]


def test_an_explicit_model_decides_claims_and_confidence():
    model = ClaimModel({"section=skills": 3.0, "bias": -1.0}, 0.0, ((-9.0, 0.1), (1.0, 0.9)))
    skills = {s.name: s for s in build_profile(CV, today=TODAY, claims=model).skills}
    assert skills["Java"].claimed and skills["Java"].confidence == 0.9
    assert not skills["Microsoft Windows"].claimed
    assert skills["Microsoft Windows"].confidence == 0.1


def test_the_evidence_confidence_of_a_skill_is_its_measured_confidence():
    profile = build_profile(CV, today=TODAY)
    evidence = {e.field: e for e in collect_evidence(profile, ExtractedText(CV, "text/plain"))}
    for i, skill in enumerate(profile.skills):
        assert evidence[f"skills[{i}]"].confidence == pytest.approx(skill.confidence, abs=0.01)


def test_the_model_round_trips_through_json_and_bins_margins():
    model = ClaimModel({"a": 1.5, "b": -2.0}, -0.5, ((-6.0, 0.2), (0.0, 0.6), (2.0, 0.9)))
    again = ClaimModel.from_json(json.loads(json.dumps(model.to_json())))
    assert again == model
    assert again.margin(["a", "b", "unknown"]) == -0.5
    assert [again.confidence(m) for m in (-50.0, -1.0, 0.0, 1.9, 2.0, 9.0)] == [
        0.2, 0.2, 0.6, 0.6, 0.9, 0.9,
    ]  # fmt: skip
    assert ClaimModel({}, 0.0).confidence(1.0) is None


def test_training_is_deterministic_and_learns_a_separable_problem():
    data = [(["bias", "section=skills"], True), (["bias", "section=experience"], False)] * 20
    one, two = train(data), train(data)
    assert one == two
    model = ClaimModel(one, 0.0)
    assert (
        model.margin(["bias", "section=skills"]) > 0 > model.margin(["bias", "section=experience"])
    )


def test_figures_and_calibration_count_like_the_benchmark():
    scored = [(3.0, True), (1.0, True), (0.5, False), (-3.0, True), (-7.0, False)]
    kept = figures(scored, labelled=5, threshold=0.0)  # 2 of 3 kept are right; 2 of 5 labels
    assert (kept.precision, kept.recall) == (pytest.approx(0.6667, abs=1e-4), 0.4)
    every = figures(scored, labelled=5, threshold=float("-inf"))
    assert (every.precision, every.recall) == (0.6, 0.6)
    # -7 falls in the lowest bin (0 of 1), -3 in [-4, -2) (1 of 1), 0.5 in [0, 1) (0 of 1):
    # that dip is pooled with the bin below it; [1, 2) and [2, 4) are 1 of 1 and pooled too.
    assert calibration(scored) == ((-6.0, 0.0), (-4.0, 0.5), (1.0, 1.0))


def test_training_refuses_a_held_out_cv():
    with pytest.raises(AssertionError):
        examples(LabelledCv(5, CV, {}), load_taxonomy())


def test_the_shipped_weights_load_with_a_cross_validated_threshold():
    data = json.loads(MODEL_PATH.read_text("utf-8"))
    model = load_claim_model()
    assert model.threshold == data["threshold"] and model.calibration
    report = data["cross_validation"]
    assert report["claimed"]["f1"] > report["every_mention"]["f1"]
    precisions = [p for _, p in model.calibration]
    assert precisions[-1] > precisions[0]  # a higher margin is a surer claim


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"labelled corpus not found at {CORPUS}")
def test_the_shipped_model_raises_skill_precision_on_tuning_cvs():
    # The tuning split only (the held-out split is for the benchmark); a floor, not a figure:
    # `hirestream parser bench accuracy` reports the figures.
    taxonomy = load_taxonomy()
    claimed, every = Counts(), Counts()
    for cv in [cv for cv in load_corpus(CORPUS) if not cv.held_out][:60]:
        skills = build_profile(cv.text, taxonomy, today=TODAY).skills
        gold = labelled_skills(cv, taxonomy)
        claimed.add(set_counts([s.name for s in skills if s.claimed], gold, str.__eq__))
        every.add(set_counts([s.name for s in skills], gold, str.__eq__))
    assert claimed.precision >= every.precision + 0.15
    assert claimed.f1 >= every.f1 + 0.05


def test_a_skill_named_only_inside_job_titles_is_marked_so():
    text = normalise(
        "Ana Ruiz\nEXPERIENCE\nJava Programmer, Suzlon Software, 2009 - 2012\n"
        "Built the billing service in Python\nSKILLS\nPython, SQL\n"
    )
    taxonomy = load_taxonomy()
    feats = claim_features(text, split_lines(text), skill_matches(text, taxonomy), taxonomy)
    assert {"in_title", "only_in_titles"} <= set(feats["Java"])
    assert "in_title" not in feats["Python"] and "only_in_titles" not in feats["Python"]
    # Named in a title and in the skills list: the list is a claim.
    listed = normalise(text + "Java, Spring\n")
    feats = claim_features(listed, split_lines(listed), skill_matches(listed, taxonomy), taxonomy)
    assert "in_title" in feats["Java"] and "only_in_titles" not in feats["Java"]


def test_a_near_tie_of_out_of_fold_f1_goes_to_the_higher_margin() -> None:
    from hirestream.parser.bench.train_skills import F1_TIE, best_threshold, figures

    # Keeping the margin-0.0 examples too adds one right and one wrong one.
    scored = [(3.0, True)] * 60 + [(3.0, False)] * 10 + [(0.0, True), (0.0, False)]
    scored += [(-3.0, False)] * 40
    labelled = 70
    high, low = figures(scored, labelled, 3.0), figures(scored, labelled, 0.0)
    assert low.f1 > high.f1 and low.f1 - high.f1 < F1_TIE  # a near tie, lower margin ahead
    assert best_threshold(scored, labelled) == 3.0
    # Far from a tie, the better F1 wins.
    assert best_threshold([(1.0, True)] * 50 + [(-1.0, False)] * 50, 50) == 1.0
