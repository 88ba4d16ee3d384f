"""The title / employer audit: which errors it lists, how it samples them, what it estimates."""

from __future__ import annotations

import pytest

from hirestream.parser.bench.accuracy import Counts
from hirestream.parser.bench.audit import (
    FALSE_POSITIVE,
    MISSED,
    annotation_share,
    errors,
    estimate,
    predictions,
    read_judged,
    sample,
    unmatched,
)
from hirestream.parser.bench.corpus import LabelledCv
from hirestream.parser.bench.train_mentions import CrossValidation, MentionCv
from hirestream.parser.domain.mentions import COMPANY, TITLE

TEXT = "Engineer at Acme Corp 2019 - 2021. Volunteer, Red Cross. Referee: Jane Roe, Globex."


def _labelled() -> LabelledCv:
    start = TEXT.index("Acme Corp")
    globex = TEXT.index("Globex")
    return LabelledCv(
        7, TEXT,
        {"Companies worked at": ["Acme Corp", "Globex"], "Designation": ["Engineer"]},
        {"Companies worked at": [(start, start + 9), (globex, globex + 6)],
         "Designation": [(0, 8)]},
    )  # fmt: skip


def _cv() -> MentionCv:
    return MentionCv(
        7, [],
        ruled={TITLE: ["engineer"], COMPANY: ["acme corp", "acme corp"]},
        gold={TITLE: ["engineer"], COMPANY: ["acme corp", "globex"]},
    )  # fmt: skip


def _cross(margin: float) -> CrossValidation:
    return CrossValidation(
        {TITLE: {7: []}, COMPANY: {7: [("red cross", margin), ("acme corp", 9.0)]}},
        {TITLE: 0.0, COMPANY: 1.0}, {},
    )  # fmt: skip


def test_predictions_are_the_rules_then_the_proposals_above_the_threshold() -> None:
    assert predictions(_cv(), COMPANY, _cross(2.0)) == [
        ("acme corp", "rules"), ("red cross", "classifier"),
    ]  # fmt: skip
    assert predictions(_cv(), COMPANY, _cross(0.5)) == [("acme corp", "rules")]


def test_errors_list_false_positives_and_misses_with_where_they_are_written() -> None:
    found = errors([_cv()], {7: _labelled()}, "companies", _cross(2.0))
    assert [(i.error, i.value, i.source) for i in found] == [
        (FALSE_POSITIVE, "red cross", "classifier"), (MISSED, "globex", "label"),
    ]  # fmt: skip
    assert "[[Red Cross]]" in found[0].context
    assert found[1].context.endswith("Jane Roe, [[Globex]].")
    assert errors([_cv()], {7: _labelled()}, "designation", _cross(2.0)) == []


def test_the_sample_is_the_same_for_the_same_seed_and_bounded_per_error_type() -> None:
    found = errors([_cv()], {7: _labelled()}, "companies", _cross(2.0)) * 30
    first, again = sample(found, 5, seed=1), sample(found, 5, seed=1)
    assert first == again and len(first) == 10
    assert sum(i.error == MISSED for i in first) == 5


def test_the_estimate_moves_judged_errors_to_where_the_annotation_belongs() -> None:
    counts = Counts(tp_pred=60, pred=100, tp_gold=60, gold=100)  # P = R = 0.6
    same = estimate(counts, 0.0, 0.0)
    assert (same.precision, same.recall) == (0.6, 0.6)
    # half the 40 false positives are unlabelled employers: found, and labels now
    e = estimate(counts, 0.5, 0.0)
    assert e.precision == pytest.approx(0.8) and e.recall == pytest.approx(80 / 120)
    # a quarter of the 40 misses are not employers: they leave the gold set
    e = estimate(counts, 0.0, 0.25)
    assert e.precision == pytest.approx(0.6) and e.recall == pytest.approx(60 / 90)


def test_judged_rows_are_read_counted_and_checked_against_the_sample() -> None:
    text = (
        "field\terror\tcv\tsource\tvalue\tverdict\tnote\n"
        "companies\tfalse positive\t7\tclassifier\tred cross\tannotation\tvolunteer role\n"
        "companies\tmissed\t7\tlabel\tglobex\tunclear\t\n"
        "companies\tmissed\t8\tlabel\tinitech\tparser\t\n"
    )
    judged = read_judged(text)
    assert annotation_share(judged, "companies", FALSE_POSITIVE) == (1.0, 1)
    assert annotation_share(judged, "companies", MISSED) == (0.0, 2)  # unclear is the parser's
    drawn = errors([_cv()], {7: _labelled()}, "companies", _cross(2.0))
    assert [j.value for j in unmatched(judged, drawn)] == ["initech"]
    with pytest.raises(ValueError, match="verdict"):
        read_judged(text.replace("\tparser\t", "\tmaybe\t"))


def test_skill_errors_are_claimed_skills_not_labelled_and_labelled_skills_not_claimed() -> None:
    from hirestream.parser.bench.audit import SkillCheck, skill_errors
    from hirestream.parser.bench.train_skills import SkillCv
    from hirestream.skills import load_taxonomy

    text = "Skills: Python, SQL\nJava developer at Acme\n"
    cv = SkillCv(3, [([], False), ([], True), ([], False)], 2, ["Python", "Java", "SQL"],
                 frozenset({"Java", "Go"}))  # fmt: skip
    check = SkillCheck([cv], {3: [1.0, -2.0, -0.5]}, threshold=0.0)
    assert check.claimed(cv) == ["Python"]
    assert (check.counts().tp_pred, check.counts().pred, check.counts().gold) == (0, 1, 2)
    found = skill_errors(check, {3: LabelledCv(3, text, {})}, load_taxonomy())
    assert [(i.error, i.value, i.source) for i in found] == [
        (FALSE_POSITIVE, "Python", "claimed at +1.00"),
        (MISSED, "Go", "not found"),
        (MISSED, "Java", "below at -2.00"),
    ]
    assert "[[Python]]" in found[0].context and "[[Java]] developer" in found[2].context
