"""A small stand-in for ``hirestream.skills.Taxonomy`` so the scorer's unit tests do not depend on
the real taxonomy's contents (which another team tunes). Same three methods, same semantics:
canonical names, transitive implications, and non-overlapping ``find`` spans."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

# canonical name -> (aliases, directly implied canonical names)
_SKILLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # software
    "Python": (("python",), ()),
    "Django": (("django",), ("Python",)),
    "Rust": (("rust",), ()),
    "Go": (("golang", "go lang", "Go"), ()),
    "Java": (("java",), ()),
    "JavaScript": (("javascript", "JS"), ()),
    "React": (("react", "react.js", "reactjs"), ("JavaScript",)),
    "Node.js": (("node.js", "nodejs"), ("JavaScript",)),
    "Erlang": (("erlang",), ()),
    "Elixir": (("elixir",), ()),
    "R": (("R",), ()),
    ".NET": ((".net", "dotnet"), ()),
    "SQL": (("sql",), ()),
    "PostgreSQL": (("postgresql", "postgres"), ("SQL",)),
    "TimescaleDB": (("timescaledb",), ("PostgreSQL",)),
    "MySQL": (("mysql",), ("SQL",)),
    "NoSQL": (("nosql",), ()),
    "Redis": (("redis",), ("NoSQL",)),
    "AWS": (("aws", "aws console", "amazon web services"), ()),
    "AWS RDS": (("rds", "aws rds"), ("AWS",)),
    "AWS EC2": (("ec2",), ("AWS",)),
    "AWS S3": (("s3",), ("AWS",)),
    "CloudFormation": (("cloudformation",), ("AWS",)),
    "DynamoDB": (("dynamodb", "aws dynamo", "dynamo"), ("AWS", "NoSQL")),
    "Google Cloud Platform": (("google cloud platform", "gcp", "google cloud"), ()),
    "BigQuery": (("bigquery", "big query", "google big query"), ("Google Cloud Platform",)),
    "Linux": (("linux",), ()),
    "Ubuntu": (("ubuntu",), ("Linux",)),
    "Git": (("git",), ()),
    "Elasticsearch": (("elasticsearch", "elastisearch"), ()),
    "Machine Learning": (("machine learning",), ()),
    "Data Science": (("data science",), ()),
    "Kubernetes": (("kubernetes", "k8s"), ()),
    "Docker": (("docker",), ()),
    "REST": (("RESTful",), ()),
    "Agile": (("agile",), ()),
    "Continuous Integration": (("continuous integration", "CI"), ()),
    "Airflow": (("airflow",), ()),
    # nursing
    "Patient Care": (("patient care",), ()),
    "IV Therapy": (("iv therapy", "iv starts"), ()),
    "BLS": (("bls", "basic life support"), ()),
    "ACLS": (("acls",), ("BLS",)),
    "Electronic Health Records": (("electronic health records", "ehr"), ()),
    "Epic": (("Epic",), ("Electronic Health Records",)),
    "Medication Administration": (("medication administration",), ()),
    "Wound Care": (("wound care",), ()),
    # accounting
    "Excel": (("excel", "ms excel", "microsoft excel"), ()),
    "IFRS": (("ifrs",), ()),
    "US GAAP": (("us gaap", "gaap"), ()),
    "Financial Reporting": (("financial reporting",), ()),
    "Month-End Close": (("month-end close", "month end close"), ()),
    "Account Reconciliation": (("account reconciliations", "reconciliations"), ()),
    "SAP": (("sap",), ()),
    "NetSuite": (("netsuite",), ()),
    "QuickBooks": (("quickbooks",), ()),
    # sales
    "CRM": (("crm",), ()),
    "Salesforce": (("salesforce",), ("CRM",)),
    "HubSpot": (("hubspot",), ("CRM",)),
    "Cold Calling": (("cold calling",), ()),
    "B2B Sales": (("b2b sales",), ()),
    "Negotiation": (("negotiation",), ()),
    # soft skills (category "Leadership & Soft Skills")
    "Teamwork": (("team player", "teamwork"), ()),
    "Communication": (("communication skills",), ()),
    "Team Leadership": (("team leadership",), ()),
    # a human language, as some taxonomies carry them: the scorer must not turn it into a skill
    "English": (("english",), ()),
}


_SOFT = frozenset({"Teamwork", "Communication", "Team Leadership"})


@dataclass(frozen=True)
class FakeSkill:
    name: str
    category: str


@dataclass(frozen=True)
class FakeMatch:
    name: str
    start: int
    end: int
    surface: str


class FakeTaxonomy:
    def __init__(self) -> None:
        self._alias: dict[str, str] = {}
        patterns: list[str] = []
        for name, (aliases, _) in _SKILLS.items():
            for alias in (*aliases, name):
                self._alias[alias.casefold()] = name
                escaped = re.escape(alias)
                # Aliases written with capitals ("R", "Go", "REST") match in that exact case only,
                # so the verb "go" and "the rest of the team" are not skills.
                patterns.append(escaped if alias != alias.lower() else f"(?i:{escaped})")
        patterns.sort(key=len, reverse=True)
        self._pattern = re.compile(r"(?<![\w.])(?:" + "|".join(patterns) + r")(?![\w+#])")

    def canonical(self, term: str) -> str | None:
        return self._alias.get(term.strip().casefold())

    def get(self, term: str) -> FakeSkill | None:
        name = self.canonical(term)
        if name is None:
            return None
        return FakeSkill(name, "Leadership & Soft Skills" if name in _SOFT else "Other")

    def implied(self, name: str) -> frozenset[str]:
        seen: set[str] = set()
        todo = list(_SKILLS.get(name, ((), ()))[1])
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(_SKILLS[current][1])
        return frozenset(seen)

    def find(self, text: str) -> list[FakeMatch]:
        return [
            FakeMatch(self._alias[m.group(0).casefold()], m.start(), m.end(), m.group(0))
            for m in self._pattern.finditer(text)
        ]


@pytest.fixture(scope="session")
def taxonomy() -> FakeTaxonomy:
    return FakeTaxonomy()


# repo root is parents[4]: unit -> tests -> scorer -> services -> repo
POSTINGS_DIR = Path(__file__).resolve().parents[4] / ".." / "shared" / "postings"


@pytest.fixture(scope="session")
def postings_dir() -> Path:
    if not POSTINGS_DIR.is_dir():
        pytest.skip(f"seed postings not found at {POSTINGS_DIR.resolve()} (shared checkout absent)")
    return POSTINGS_DIR
