"""Failures the parser reports as a profile state rather than as a crash."""

from __future__ import annotations


class ExtractionError(Exception):
    """The file could not be turned into text; ``code`` says why, ``message`` says more."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
