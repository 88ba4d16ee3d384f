"""The parser's batch size: bounded so a batch of slow files is extracted within the poll
interval (or the consumer is evicted and the batch redelivered without end)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hirestream.parser.config import MAX_POLL_INTERVAL_SECONDS, ParserSettings


def test_the_default_batch_of_worst_case_files_fits_well_within_the_poll_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HIRESTREAM_CONSUMER_BATCH_MAX", raising=False)
    monkeypatch.delenv("PARSER_CONSUMER_BATCH_MAX", raising=False)
    settings = ParserSettings()
    assert 1 < settings.consumer_batch_max <= 8
    assert settings.consumer_batch_max * settings.extract_wall_seconds < (
        MAX_POLL_INTERVAL_SECONDS / 2
    )


def test_the_shared_batch_setting_applies_below_the_parsers_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HIRESTREAM_CONSUMER_BATCH_MAX", "100")  # as deploy/k8s sets it
    assert ParserSettings().consumer_batch_max == 8
    monkeypatch.setenv("HIRESTREAM_CONSUMER_BATCH_MAX", "1")  # one at a time (bench)
    assert ParserSettings().consumer_batch_max == 1
    monkeypatch.setenv("HIRESTREAM_CONSUMER_BATCH_MAX", "100")
    monkeypatch.setenv("PARSER_CONSUMER_BATCH_MAX", "3")
    assert ParserSettings().consumer_batch_max == 3


def test_a_batch_that_cannot_be_extracted_within_the_poll_interval_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PARSER_CONSUMER_BATCH_MAX", "50")
    monkeypatch.setenv("HIRESTREAM_CONSUMER_BATCH_MAX", "50")
    with pytest.raises(ValidationError, match="poll interval"):
        ParserSettings()
    monkeypatch.setenv("PARSER_EXTRACT_WALL_SECONDS", "2")
    assert ParserSettings().consumer_batch_max == 50  # 100 s: fits


def test_there_is_at_least_one_extraction_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARSER_EXTRACT_WORKERS", raising=False)
    assert ParserSettings().extract_workers == 2  # the extraction beside the loop, on 2 cores
    monkeypatch.setenv("PARSER_EXTRACT_WORKERS", "0")
    with pytest.raises(ValidationError, match="extract_workers"):
        ParserSettings()
