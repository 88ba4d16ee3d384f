"""What the extraction worker's task function returns, called in this process: a failure inside
the analysis is its own state (``analysis_failed``, with the error), not an unreadable file, and
the analysis is timed for its span. The worker process around it is tested in integration."""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest

from hirestream.parser.adapters import worker

CV = b"Jane Doe\njane@example.com\nExperience\nRegistered Nurse, St Mary\n2019 - present"
BUDGET = 3600  # seconds of CPU: the limit must not fire here


def test_a_read_returns_the_text_the_analysis_and_its_timing() -> None:
    read_cv = partial(worker._extract_and_analyse, date(2024, 6, 1))
    result, code, message, ocr, analysed = worker._run(read_cv, CV, "text/plain", BUDGET)
    assert (code, message, ocr) == (None, None, [])
    assert result is not None and result.analysis.profile.name == "Jane Doe"
    assert result.document.text == CV.decode()
    ((started, ended),) = analysed
    assert 0 < started <= ended


def test_a_failure_inside_the_analysis_is_analysis_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a bug met on this text")

    monkeypatch.setattr(worker, "analyse", broken)
    read_cv = partial(worker._extract_and_analyse, date(2024, 6, 1))
    result, code, message, _, analysed = worker._run(read_cv, CV, "text/plain", BUDGET)
    assert result is None and code == "analysis_failed"
    assert message is not None and "a bug met on this text" in message
    assert len(analysed) == 1  # the failed analysis still gets its span


def test_extraction_failures_keep_their_own_code() -> None:
    read_cv = partial(worker._extract_and_analyse, date(2024, 6, 1))
    result, code, _, _, analysed = worker._run(read_cv, b"%PDF-1.4 truncated", "application/pdf",
                                               BUDGET)  # fmt: skip
    assert result is None and code not in {None, "analysis_failed"}
    assert analysed == []
