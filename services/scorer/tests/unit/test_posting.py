from __future__ import annotations

from pathlib import Path

from hirestream.scorer.domain import PostingDocument, read_posting


def test_front_matter_gives_title_slug_and_metadata() -> None:
    doc = read_posting(
        "---\ntitle: Staff Nurse\nslug: staff-nurse-icu\nteam: Nursing\n"
        "notify_email: nursing-jobs@example.org\n---\n# Ignored heading\n\nBody text.\n",
        fallback_slug="fallback",
    )
    assert doc.title == "Staff Nurse"
    assert doc.slug == "staff-nurse-icu"
    assert doc.team == "Nursing"
    assert doc.notify_email == "nursing-jobs@example.org"
    assert doc.metadata["team"] == "Nursing"
    assert doc.body.startswith("# Ignored heading")
    assert "notify_email" not in doc.body


def test_markdown_title_is_first_heading_and_slug_falls_back() -> None:
    doc = read_posting("Intro line\n\n## Senior **Accountant**\n\nText", fallback_slug="acc-1")
    assert doc.title == "Senior Accountant"
    assert doc.slug == "acc-1"
    assert doc.metadata == {}
    assert doc.notify_email is None


def test_setext_heading_counts_as_heading() -> None:
    doc = read_posting("Sales Representative\n====================\n\nWe sell.", "s")
    assert doc.title == "Sales Representative"


def test_plain_text_title_is_first_line_truncated_at_a_word() -> None:
    first = "We are looking for a compassionate and experienced registered nurse to join " * 3
    doc = read_posting(f"\n\n{first}\nSecond line", fallback_slug="rn")
    assert doc.title.endswith("…")
    assert len(doc.title) <= 80
    assert first.startswith(doc.title.rstrip("…"))


def test_broken_front_matter_is_kept_as_text() -> None:
    text = "---\ntitle: [unclosed\n---\nRequirements: Excel"
    doc = read_posting(text, fallback_slug="x")
    assert doc.metadata == {}
    assert "Requirements: Excel" in doc.body
    assert doc.slug == "x"


def test_crlf_and_bom_are_tolerated() -> None:
    doc = read_posting("\ufeff---\r\ntitle: Buyer\r\n---\r\nBody\r\n", fallback_slug="b")
    assert doc.title == "Buyer"
    assert doc.body == "Body"


def test_empty_text_yields_fallbacks() -> None:
    doc = read_posting("", fallback_slug="empty")
    assert doc == PostingDocument(slug="empty", title="empty", body="", metadata={})


def test_seed_jekyll_posting(postings_dir: Path) -> None:
    text = (postings_dir / "mediasmart-head-of-backend-engineering.md").read_text()
    doc = read_posting(text, fallback_slug="mediasmart-head-of-backend-engineering")
    assert doc.title == "Head of Backend Engineering"
    assert doc.slug == "mediasmart-head-of-backend-engineering"
    assert doc.metadata["layout"] == "default"
    assert not doc.body.startswith("---")


def test_seed_markdown_posting_title(postings_dir: Path) -> None:
    doc = read_posting((postings_dir / "benchmark-me-back-end-lead.md").read_text(), "bm")
    assert doc.title == "Benchmark : Back-end lead"
