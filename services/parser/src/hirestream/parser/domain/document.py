"""A document's text as extraction delivered it: where each page starts, which pages were OCR'd."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ExtractedText:
    text: str
    media_type: str
    # Offset in ``text`` where each page starts; one entry (0) for formats without pages.
    page_starts: tuple[int, ...] = (0,)
    # 1-based numbers of the pages whose text came from OCR.
    ocr_pages: tuple[int, ...] = field(default_factory=tuple)
    # 1-based numbers of the pages read as two columns (left column first).
    two_column_pages: tuple[int, ...] = field(default_factory=tuple)

    def page_of(self, offset: int) -> int:
        """The 1-based page holding the character at ``offset``."""
        return max(1, bisect.bisect_right(self.page_starts, offset))

    @property
    def page_count(self) -> int:
        return len(self.page_starts)
