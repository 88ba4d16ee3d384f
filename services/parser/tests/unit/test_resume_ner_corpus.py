"""Name and e-mail extraction measured on the shared, hand-labelled resume corpus.

Each file is a CV with inline labels (``<label type="Name">...</label>``). The labels are
stripped and the plain text goes through ``build_profile``; predictions are scored against the
labels. A file without a Name label counts a predicted name as a false positive.
"""

import html
import re
from datetime import date
from pathlib import Path

import pytest

from hirestream.parser.domain import build_profile
from hirestream.parser.domain.sections import fold

CORPUS = Path(__file__).parents[4] / ".." / "shared" / "data" / "resume-ner-train"
LABEL = re.compile(r'<label type="([^"]+)">(.*?)</label>', re.DOTALL)
WRAPPER = re.compile(r"^\s*<\?xml[^>]*\?>\s*<cv>|</cv>\s*$")

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"labelled resume corpus not found at {CORPUS.resolve()}"
)


def _norm(value: str) -> str:
    return " ".join(fold(html.unescape(value)).split())


def _f1(tp: int, fp: int, fn: int) -> float:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@pytest.fixture(scope="module")
def scores() -> dict[str, float]:
    files = sorted(CORPUS.glob("*.xml"))
    assert len(files) >= 300
    name_tp = name_fp = name_fn = 0
    email_tp = email_fp = email_fn = 0
    for path in files:
        raw = path.read_text(encoding="utf-8")
        labels = LABEL.findall(raw)
        gold_names = {_norm(v) for kind, v in labels if kind == "Name"}
        gold_emails = {
            html.unescape(v).strip().lower() for kind, v in labels if kind == "Email Address"
        }
        text = html.unescape(re.sub(r"</?label[^>]*>", "", WRAPPER.sub("", raw)))

        profile = build_profile(text, today=date(2024, 1, 1))

        name = _norm(profile.name) if profile.name else None
        if name is not None and name in gold_names:
            name_tp += 1
        else:
            name_fp += name is not None
            name_fn += bool(gold_names)
        emails = set(profile.emails)
        email_tp += len(emails & gold_emails)
        email_fp += len(emails - gold_emails)
        email_fn += len(gold_emails - emails)
    result = {
        "name_f1": _f1(name_tp, name_fp, name_fn),
        "email_f1": _f1(email_tp, email_fp, email_fn),
    }
    print(f"\nresume corpus ({len(files)} files): {result}")
    return result


def test_email_f1_is_at_least_0_9(scores):
    assert scores["email_f1"] >= 0.9


def test_name_f1_is_at_least_0_8(scores):
    assert scores["name_f1"] >= 0.8
