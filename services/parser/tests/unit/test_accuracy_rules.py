"""The accuracy benchmark's matching rules, on a two-file corpus written here."""

from pathlib import Path

from hirestream.parser.bench.accuracy import Report, labelled_skills, score_cv
from hirestream.parser.bench.corpus import load_corpus
from hirestream.parser.domain.profile import ExperienceEntry, Profile, RoleMention
from hirestream.skills import load_taxonomy

CV = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<cv>\n'
    '<label type="Name">Asha Rao</label>\n'
    '<label type="Designation">Software Engineer</label> - '
    '<label type="Companies worked at">Disney</label>\n'
    "SKILLS\n"
    'Languages: <label type="Tech Tools">Java</label>, <label type="Tech Tools">C</label>, '
    'C++ &amp; <label type="Tech Tools">Oracle Hyperion</label>\n</cv>\n'
)


def _corpus(tmp_path: Path) -> Path:
    (tmp_path / "1.xml").write_text(CV, encoding="utf-8")
    (tmp_path / "5.xml").write_text(CV.replace("Asha Rao", "Ravi Rao"), encoding="utf-8")
    return tmp_path


def test_labels_keep_their_span_in_the_text(tmp_path):
    cvs = load_corpus(_corpus(tmp_path))
    assert [cv.held_out for cv in cvs] == [False, True]
    cv = cvs[0]
    assert cv.text.startswith("Asha Rao\nSoftware Engineer - Disney")
    for kind, values in cv.labels.items():
        assert [cv.text[a:b] for a, b in cv.spans[kind]] == values
    assert "&amp;" not in cv.text and "C++ & Oracle" in cv.text


def test_skill_labels_are_read_in_context_but_not_beyond_the_label(tmp_path):
    cv = load_corpus(_corpus(tmp_path))[0]
    taxonomy = load_taxonomy()
    gold = labelled_skills(cv, taxonomy)
    assert "Java" in gold
    assert "C" in gold  # a bare "C" is a skill only beside other languages: read where written
    assert "C++" not in gold  # written, but nobody labelled it
    assert "Oracle Database" not in gold  # "Oracle" is part of the "Oracle Hyperion" label


def test_roles_count_for_designations_and_companies(tmp_path):
    cv = load_corpus(_corpus(tmp_path))[0]
    taxonomy = load_taxonomy()
    dated_only = Report()
    score_cv(cv, Profile(experience=[ExperienceEntry("Developer", None, "2019-01", None)]),
             taxonomy, dated_only)  # fmt: skip
    assert dated_only.fields["designation"].tp_gold == 0
    with_roles = Report()
    profile = Profile(
        experience=[ExperienceEntry("Developer", None, "2019-01", None)],
        roles=[RoleMention("Software Engineer", "Disney")],
    )
    score_cv(cv, profile, taxonomy, with_roles)
    designation = with_roles.fields["designation"]
    assert (designation.tp_gold, designation.gold) == (1, 1)
    assert (designation.tp_pred, designation.pred) == (1, 2)  # "Developer" stays a miss
    assert with_roles.fields["companies"].tp_gold == 1
    # The previous rule, kept beside it for comparison, scores the dated jobs alone.
    assert with_roles.fields["designation_jobs_only"].tp_gold == 0
    assert with_roles.fields["companies_jobs_only"].gold == 1


DEGREE_CV = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<cv>\n'
    "Asha Rao\nEDUCATION\n"
    '<label type="Degree">BSc Nursing</label>, University of Leeds, '
    '<label type="Graduation Year">2016</label>\n'
    "CERTIFICATIONS\n"
    '<label type="Degree">Cisco Certified Network Associate</label>\n</cv>\n'
)


def test_degree_labels_count_certifications_both_ways(tmp_path):
    from hirestream.parser.domain.profile import CertificationEntry, EducationEntry

    (tmp_path / "1.xml").write_text(DEGREE_CV, encoding="utf-8")
    cv = load_corpus(tmp_path)[0]
    report = Report()
    profile = Profile(
        education=[EducationEntry("BSc Nursing", "University of Leeds", 2016)],
        certifications=[
            # canonical name differs from the label, the text as written matches it
            CertificationEntry("CCNA", "Cisco", None, written="Cisco Certified Network Associate"),
            # predicted, not labelled: counts against precision
            CertificationEntry("Driving License", None, None, written="driving licence"),
        ],
    )
    score_cv(cv, profile, load_taxonomy(), report)
    degree, degrees_only = report.fields["degree"], report.fields["degree_degrees_only"]
    assert (degree.tp_pred, degree.pred, degree.tp_gold, degree.gold) == (2, 3, 2, 2)
    assert (degrees_only.tp_pred, degrees_only.pred, degrees_only.tp_gold) == (1, 1, 1)


def test_a_field_counts_only_where_the_annotators_labelled_it(tmp_path):
    from hirestream.parser.domain.profile import SkillEvidence

    # Skills and a title, none of them labelled: the annotators skipped this CV's fields.
    unlabelled = (
        '<?xml version="1.0"?>\n<cv>\n<label type="Name">Li Wei</label>\n'
        "Nurse Manager\nSKILLS\nJava, Python, Kafka\n</cv>\n"
    )
    (tmp_path / "1.xml").write_text(CV, encoding="utf-8")
    (tmp_path / "2.xml").write_text(unlabelled, encoding="utf-8")
    labelled_cv, unlabelled_cv = load_corpus(tmp_path)
    skills = [SkillEvidence(n, n, 0, 1) for n in ("Java", "Python", "Apache Kafka")]
    profile = Profile(name="Li Wei", skills=skills, roles=[RoleMention("Nurse Manager", None)])
    report = Report()
    taxonomy = load_taxonomy()
    score_cv(labelled_cv, profile, taxonomy, report)
    score_cv(unlabelled_cv, profile, taxonomy, report)
    skills, every_cv = report.fields["skills"], report.every_cv["skills"]
    # The labelled CV alone: Java is right, Python and Kafka were not labelled there.
    assert (skills.tp_pred, skills.pred) == (1, 3)
    assert report.fields["skills_every_mention"].pred == 3
    assert report.fields["designation"].pred == 1  # "Nurse Manager" of the labelled CV only
    # The name is labelled in both CVs: both count (a wrong one in the first, a right one).
    assert (report.fields["name"].tp_pred, report.fields["name"].pred) == (1, 2)
    unannotated = report.unannotated
    assert (unannotated["designation"], unannotated["skills"], unannotated["email"]) == (1, 1, 2)
    assert "name" not in unannotated
    # The previous rule, kept beside it, counts the fields of the CV nobody annotated too;
    # recall is the same under both.
    assert (every_cv.tp_pred, every_cv.pred, every_cv.gold) == (1, 6, skills.gold)
    assert report.every_cv["designation"].pred == 2
    assert report.every_cv["designation"].recall == report.fields["designation"].recall
