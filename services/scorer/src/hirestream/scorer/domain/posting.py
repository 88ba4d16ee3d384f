"""A job posting as the hiring team wrote it: plain text, Markdown, or Markdown with front matter.

Hiring teams paste ads from anywhere (job boards, Jekyll career pages, Word), so reading must
never fail: unparsable front matter is treated as ordinary text rather than rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import frontmatter
import yaml

_TITLE_MAX = 80
_ATX_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<text>.+?)\s*#*\s*$")
_SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|`)")
_BULLET = re.compile(r"^\s*(?:[-*+•·▪◦]|\d+[.)])\s+")


@dataclass(frozen=True)
class PostingDocument:
    slug: str
    title: str
    body: str  # the text without front matter, Markdown left as written
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def notify_email(self) -> str | None:
        return _meta_str(self.metadata, "notify_email")

    @property
    def team(self) -> str | None:
        return _meta_str(self.metadata, "team")


def read_posting(text: str, fallback_slug: str) -> PostingDocument:
    """Split off front matter (if any) and work out the posting's title and slug."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    metadata, body = _split_front_matter(text)
    title = _meta_str(metadata, "title") or _first_heading(body) or _first_line(body)
    slug = _meta_str(metadata, "slug") or fallback_slug
    return PostingDocument(slug=slug, title=title or slug, body=body, metadata=metadata)


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    try:
        post = frontmatter.loads(text)
    except (yaml.YAMLError, ValueError, TypeError):
        # A stray "---" rule or broken YAML at the top: keep every character as body text.
        return {}, text
    if not isinstance(post.metadata, dict):
        return {}, text
    # YAML keys can be ints or dates; metadata is looked up by name, so normalise keys to str.
    return {str(key): value for key, value in post.metadata.items()}, post.content


def _meta_str(metadata: dict[str, Any], key: str) -> str | None:
    value = metadata.get(key)
    if value is None or isinstance(value, dict | list):
        return None
    return str(value).strip() or None


def clean_inline(text: str) -> str:
    """Drop Markdown decoration that is not content: link targets, emphasis, code ticks."""
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPHASIS.sub("", text)
    return " ".join(text.split())


def _first_heading(body: str) -> str | None:
    lines = body.split("\n")
    for index, line in enumerate(lines):
        match = _ATX_HEADING.match(line)
        if match:
            return clean_inline(match.group("text")) or None
        following = lines[index + 1] if index + 1 < len(lines) else ""
        # Setext heading: a text line underlined with === or ---. A bullet followed by a rule
        # is not a heading.
        if line.strip() and not _BULLET.match(line) and _SETEXT_UNDERLINE.match(following):
            return clean_inline(line) or None
    return None


def _first_line(body: str) -> str | None:
    for line in body.split("\n"):
        cleaned = clean_inline(_BULLET.sub("", line))
        if cleaned:
            return _truncate(cleaned, _TITLE_MAX)
    return None


def _truncate(text: str, limit: int) -> str:
    """Cut at a word boundary: plain-text ads often open with a whole paragraph."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return f"{cut}…"
