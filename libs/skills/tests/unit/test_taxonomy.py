import json
from importlib import resources

import pytest

from hirestream.skills import Skill, SkillMatch, Taxonomy, TaxonomyError, load_taxonomy
from hirestream.skills._pattern import term_key


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def names(taxonomy: Taxonomy, text: str) -> list[str]:
    return [m.name for m in taxonomy.find(text)]


# --- the shipped data ---------------------------------------------------------------------


def test_taxonomy_has_at_least_600_skills_across_professions(taxonomy):
    assert len(taxonomy) >= 600
    categories = {s.category for s in taxonomy}
    for expected in (
        "Programming Languages",
        "Accounting & Finance",
        "Healthcare",
        "Design & Creative",
        "Sales & Marketing",
        "Human Resources",
        "Operations & Supply Chain",
        "Legal & Compliance",
        "Education & Training",
        "Hospitality & Retail",
        "Trades & Engineering",
        "Office & Productivity",
        "Leadership & Soft Skills",
    ):
        assert expected in categories


def test_names_are_unique_and_no_alias_collides_between_skills():
    raw = resources.files("hirestream.skills").joinpath("data", "skills.json").read_text("utf-8")
    records = json.loads(raw)["skills"]
    names_seen = [r["name"] for r in records]
    assert len(names_seen) == len(set(names_seen))
    owner: dict[str, str] = {}
    for r in records:
        for term in [r["name"], *r["aliases"], *r.get("ambiguous", [])]:
            key = term_key(term)
            assert owner.setdefault(key, r["name"]) == r["name"], (term, owner[key], r["name"])
        assert set(r["implies"]) <= set(names_seen), r["name"]
        assert set(r.get("ambiguous", [])) <= {r["name"], *r["aliases"]} | set(
            r.get("ambiguous", [])
        )
        assert not r.get("ambiguous") or r.get("context"), f"{r['name']} has no context"


def test_load_taxonomy_is_cached(taxonomy):
    assert load_taxonomy() is taxonomy


# --- canonical ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("golang", "Go"),
        ("k8s", "Kubernetes"),
        ("K8S", "Kubernetes"),
        ("Postgres", "PostgreSQL"),
        ("psql", "PostgreSQL"),
        ("postgresql", "PostgreSQL"),
        ("JS", "JavaScript"),
        ("node.js", "Node.js"),
        ("nodejs", "Node.js"),
        ("ES", "Elasticsearch"),
        ("  Amazon   Web Services ", "AWS"),
        ("ci / cd", "CI/CD"),
        ("Full Stack Development", "Full-Stack Development"),
        ("IFRS", "IFRS"),
        ("US GAAP", "GAAP"),
        ("Quickbooks online", "QuickBooks"),
        ("EKG", "Electrocardiography"),
        ("EMR", "Electronic Health Records"),
        ("photoshop", "Adobe Photoshop"),
        ("SFDC", "Salesforce"),
        ("lead gen", "Lead Generation"),
        ("mentorship", "Mentoring"),
    ],
)
def test_canonical_resolves_names_and_aliases_case_insensitively(taxonomy, term, expected):
    assert taxonomy.canonical(term) == expected


def test_canonical_returns_none_for_unknown_terms(taxonomy):
    assert taxonomy.canonical("underwater basket weaving") is None
    assert taxonomy.canonical("") is None


# --- implied --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("PostgreSQL", {"SQL"}),
        ("AWS RDS", {"AWS"}),
        ("Django", {"Python"}),
        ("React", {"JavaScript"}),
        ("Next.js", {"React", "JavaScript"}),  # transitive
        ("Spring Boot", {"Spring Framework", "Java"}),
        ("Advanced Cardiovascular Life Support", {"Basic Life Support", "CPR"}),
        ("QuickBooks", {"Bookkeeping"}),
    ],
)
def test_implied_is_transitive(taxonomy, name, expected):
    assert expected <= taxonomy.implied(name)
    assert name not in taxonomy.implied(name)


def test_implied_accepts_aliases_and_unknown_names(taxonomy):
    assert "SQL" in taxonomy.implied("postgres")
    assert taxonomy.implied("no such skill") == frozenset()


def test_implied_survives_cycles():
    tax = Taxonomy(
        [
            Skill("A", "x", implies=("B",)),
            Skill("B", "x", implies=("C",)),
            Skill("C", "x", implies=("A",)),
        ]
    )
    assert tax.implied("A") == {"B", "C"}


# --- find: boundaries and punctuation -------------------------------------------------------


def test_find_reports_canonical_name_span_and_surface(taxonomy):
    text = "Built APIs with golang and postgres."
    matches = taxonomy.find(text)
    assert matches == [
        SkillMatch("Go", 16, 22, "golang"),
        SkillMatch("PostgreSQL", 27, 35, "postgres"),
    ]
    assert all(text[m.start : m.end] == m.surface for m in matches)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C++, C#, .NET and Node.js", ["C++", "C#", ".NET", "Node.js"]),
        ("Pipelines: CI/CD on GitHub Actions", ["CI/CD", "GitHub Actions"]),
        ("Ran A/B testing on landing pages", ["A/B Testing"]),
        ("Stack: ASP.NET MVC, Vue.js, TypeScript", ["ASP.NET", "Vue.js", "TypeScript"]),
        ("C#.NET developer", ["C#"]),
        ("Objective-C and Objective C", ["Objective-C", "Objective-C"]),
        ("wound-care and wound\ncare", ["Wound Care", "Wound Care"]),
    ],
)
def test_find_handles_skills_with_punctuation(taxonomy, text, expected):
    assert names(taxonomy, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A good team and a goal-oriented attitude",  # "go" inside words
        "Head of R&D and R & D budgets",  # R of R&D
        "Rust removal and corrosion control",  # lowercase word, and "R" inside "Rust"
        "She leads the C-level go-to-market",  # C-level, go-to
        "Mail me: python.dev@example.com or see index.html",  # e-mail and file names
        "Reporting to J. R. Smith and John R Doe",  # initials
        "Fall 2005 - Spring 2006 teaching assistant",  # seasons
        "es un buen trabajo",  # Spanish, not Elasticsearch
        "He will excel at customer work and react quickly",  # verbs, not Excel/React
    ],
)
def test_find_rejects_naive_substring_and_common_word_hits(taxonomy, text):
    found = set(names(taxonomy, text))
    assert not found & {"R", "Go", "C", "Rust", "Python", "HTML", "Elasticsearch"}
    assert not found & {"Microsoft Excel", "React", "Spring Framework"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Languages: Python, R, SQL", {"Python", "R", "SQL"}),
        ("Programming languages: C, Go", {"C", "Go"}),
        ("I write Go and Python daily", {"Go", "Python"}),
        ("Search: ES and Kibana", {"Elasticsearch", "Kibana"}),
        ("Proficient in Word, Excel and QuickBooks", {"Microsoft Word", "Microsoft Excel"}),
        ("Charting in Epic; wound care", {"Epic", "Wound Care"}),
    ],
)
def test_find_accepts_ambiguous_terms_with_context(taxonomy, text, expected):
    assert expected <= set(names(taxonomy, text))


def test_ambiguous_terms_without_context_are_left_out(taxonomy):
    assert names(taxonomy, "Go") == []
    assert names(taxonomy, "Plan B: R") == []
    assert names(taxonomy, "Excel in everything you do.") == []
    assert names(taxonomy, "Ruby Jones\nWaitress") == []


def test_ambiguous_terms_need_exact_case(taxonomy):
    assert "Go" not in names(taxonomy, "Languages: Python, go, GO")
    assert "Go" in names(taxonomy, "Languages: Python, Go")


# --- find: non-software CVs -------------------------------------------------------------------


def test_nurse_cv_sentence(taxonomy):
    text = (
        "Registered Nurse with 6 years in the ICU: patient assessment, IV therapy, wound care, "
        "triage and medication administration; charting in Epic. BLS and ACLS certified."
    )
    found = names(taxonomy, text)
    for skill in (
        "Registered Nurse",
        "Critical Care",
        "Patient Assessment",
        "IV Therapy",
        "Wound Care",
        "Triage",
        "Medication Administration",
        "Clinical Documentation",
        "Epic",
        "Basic Life Support",
        "Advanced Cardiovascular Life Support",
    ):
        assert skill in found, skill


def test_accountant_cv_sentence(taxonomy):
    text = (
        "Prepared monthly financial statements under IFRS and US GAAP, led the month-end close "
        "in SAP and Xero, ran payroll, bank reconciliations and accounts payable; advanced "
        "Excel (pivot tables, VLOOKUP)."
    )
    found = names(taxonomy, text)
    for skill in (
        "Financial Reporting",
        "IFRS",
        "GAAP",
        "Month-End Close",
        "SAP",
        "Xero",
        "Payroll",
        "Bank Reconciliation",
        "Accounts Payable",
        "Microsoft Excel",
        "Pivot Tables",
        "VLOOKUP",
    ):
        assert skill in found, skill


def test_designer_and_sales_sentences(taxonomy):
    designer = "UX research, wireframing and prototyping in Figma; Adobe Illustrator, typography"
    assert {"UX Research", "Wireframing", "Prototyping", "Figma", "Adobe Illustrator"} <= set(
        names(taxonomy, designer)
    )
    sales = "Managed the pipeline in Salesforce and HubSpot, lead generation, negotiation, SEO"
    assert {"Salesforce", "HubSpot", "Lead Generation", "Negotiation"} <= set(
        names(taxonomy, sales)
    )


# --- construction errors and speed -----------------------------------------------------------


def test_colliding_aliases_are_refused():
    with pytest.raises(TaxonomyError, match="collides"):
        Taxonomy([Skill("Go", "x", aliases=("golang",)), Skill("Go 2", "x", aliases=("GoLang",))])


def test_unknown_implied_skill_is_refused():
    with pytest.raises(TaxonomyError, match="unknown"):
        Taxonomy([Skill("Django", "x", implies=("Pythn",))])


def test_find_scans_a_megabyte_and_finds_every_repeat(taxonomy):
    # Throughput is measured by `hirestream parser bench speed` (no timed assertions in tests);
    # this checks that a large text is scanned whole, every repetition matched alike.
    paragraph = (
        "Senior engineer: Python, Django, PostgreSQL, AWS (EC2, S3, RDS), Docker, k8s, CI/CD. "
        "Led a team of 6, mentoring juniors; Scrum. Also Go, R and C++ where needed.\n"
        "Registered Nurse: triage, wound care, BLS; accountant: IFRS, payroll, Xero, Excel.\n"
    )
    repeats = 1_000_000 // len(paragraph) + 1
    once = taxonomy.find(paragraph)
    matches = taxonomy.find(paragraph * repeats)
    assert once
    assert len(matches) == len(once) * repeats


# --- readings refused whatever the context -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "refused", "kept"),
    [
        # Being supervised is not supervising; supervising staff is.
        ("Can work under pressure and with limited supervision.", "People Management", None),
        ("Analysed sessions under the supervision of Dr. Smith.", "People Management", None),
        ("Provide supervision to assigned staff.", None, "People Management"),
        # A template's copyright notice is not copyright law; licensing rights is.
        ("This CV template is the copyright of Dayjob Ltd.", "Copyright Law", None),
        ("Copyright information - Please read", "Copyright Law", None),
        ("Negotiated royalties and copyright ownership.", None, "Copyright Law"),
        # A billing system is a domain; doing the billing is invoicing.
        ("Built mock-ups for the bank's billing application.", "Invoicing", None),
        ("Front office, billing, patient scheduling.", None, "Invoicing"),
        # Slides are not public speaking; "presentation skills" are.
        ("Documented the requirements in presentations.", "Public Speaking", None),
        ("Strong presentation skills.", None, "Public Speaking"),
    ],
)
def test_not_in_phrases_refuse_readings_that_mean_something_else(taxonomy, text, refused, kept):
    found = set(names(taxonomy, text))
    if refused:
        assert refused not in found
    if kept:
        assert kept in found


def test_a_role_noun_counts_for_the_candidate_not_for_someone_else(taxonomy):
    assert "Project Management" in names(taxonomy, "Technical Project Manager, Hyderabad")
    assert "Project Management" in names(taxonomy, "Served as the project manager for SAP rollout")
    for other in (
        "Worked with the project manager and the designers",
        "Support Project manager in generating test coverage reports",
        "Reporting to project manager on progress",
    ):
        assert "Project Management" not in names(taxonomy, other), other
    assert "Mentoring" in names(taxonomy, "Act as technical lead, mentor, and model for a team")
    assert "Mentoring" not in names(taxonomy, "Met weekly with my mentor")


def test_a_title_case_term_opening_an_organisation_name_is_not_a_skill(taxonomy):
    assert "Team Leadership" not in names(taxonomy, "Scholar, Public Health Leadership Institute")
    assert "Mentoring" not in names(taxonomy, "Everett Mendelsohn Excellence in Mentoring Award")
    assert "Oracle Database" not in names(taxonomy, "Trained at Oracle University on SQL, MySQL")
    assert "Team Leadership" in names(taxonomy, "Leadership: Secretary General of the club")
    assert "Team Leadership" in names(taxonomy, "provides technical leadership institute-wide")


def test_bare_ui_needs_design_context(taxonomy):
    assert "UI Design" not in names(taxonomy, "Web services tested with SOAP UI and BI Publisher")
    assert "UI Design" not in names(taxonomy, "Ran the recovery process through the UI.")
    assert "UI Design" in names(taxonomy, "UI and visual design, wireframes in Figma")


def test_spring_as_a_season_is_not_the_framework(taxonomy):
    for season in (
        "Journal of Economic Perspectives, Vol. 29 (Spring, 2015), Java and Python",
        "Taught CS 100M during the Fall and Spring semesters; Java, Hibernate",
    ):
        assert "Spring Framework" not in names(taxonomy, season), season
    assert "Spring Framework" in names(taxonomy, "Java [Core, JEE, Spring, Hibernate, Struts]")


def test_roles_must_be_terms_of_their_skill():
    with pytest.raises(TaxonomyError, match="roles"):
        Taxonomy([Skill("Tutoring", "x", aliases=("tutoring",), roles=("tutor",))])


# --- the Java / .NET era tools the labelled CVs list (added 2026-12-04) -------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Technologies: XML, JSON, XSLT, AJAX", ["XML", "JSON", "XSLT", "AJAX"]),
        (
            "IDEs: Eclipse, IntelliJ, Visual Studio 2010",
            ["Eclipse", "IntelliJ IDEA", "Visual Studio"],
        ),
        (
            "J2EE: JSP, Servlets, EJB, Struts 2, JSF, JDBC, JMS",
            [
                "Java",
                "JSP",
                "Java Servlets",
                "Enterprise JavaBeans",
                "Apache Struts",
                "JavaServer Faces",
                "JDBC",
                "JMS",
            ],
        ),
        (
            "Servers: WebLogic, WebSphere, JBoss, IIS 7.0",
            [
                "Oracle WebLogic",
                "IBM WebSphere",
                "JBoss",
                "Microsoft IIS",
            ],
        ),
        ("Database tools: TOAD, SQL Developer", ["Toad", "SQL"]),
        (
            "Macromedia Flash, ActionScript 3.0, Photoshop",
            [
                "Adobe Animate",
                "ActionScript",
                "Adobe Photoshop",
            ],
        ),
        ("Testing tools: QTP, HP Quality Center", ["QTP", "HP Quality Center"]),
    ],
)
def test_tools_of_the_labelled_cvs(taxonomy, text, expected):
    assert names(taxonomy, text) == expected


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("We watched the solar eclipse from the roof.", "Eclipse"),  # needs a tool beside it
        ("Pharmacy technician at CVS for two years.", "CVS"),  # the pharmacy
        ("Swing shift supervisor, night crew.", "Java Swing"),
        ("Organised a charity rally for the hospital.", "Rally"),
        ("Sealed the window frames with putty.", "PuTTY"),
    ],
)
def test_the_ambiguous_new_terms_need_context(taxonomy, text, absent):
    assert absent not in names(taxonomy, text)
