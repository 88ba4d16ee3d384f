"""Benchmarks and test stacks leave no data directory behind, except to show a failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from hirestream.kit.devstack import KEEP_WORKDIR, scratch_dir


def test_the_directory_is_removed_when_the_block_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEEP_WORKDIR, raising=False)
    with scratch_dir("hirestream-unit-") as path:
        (path / "pg").mkdir()
        (path / "pg" / "wal").write_bytes(b"x" * 1024)
        assert path.is_dir()
    assert not path.exists()


def test_a_failed_run_keeps_its_directory_and_says_where(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(KEEP_WORKDIR, raising=False)
    kept: Path | None = None
    with pytest.raises(RuntimeError), scratch_dir("hirestream-unit-") as path:
        kept = path
        (path / "intake.log").write_text("the service's last words")
        raise RuntimeError("the bench failed")
    assert kept is not None and (kept / "intake.log").read_text() == "the service's last words"
    assert str(kept) in capsys.readouterr().err
    (kept / "intake.log").unlink()
    kept.rmdir()


def test_the_setting_keeps_the_directory(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(KEEP_WORKDIR, "1")
    with scratch_dir("hirestream-unit-") as path:
        pass
    assert path.is_dir()
    assert str(path) in capsys.readouterr().err
    path.rmdir()


def test_a_database_url_names_the_database_on_the_same_server() -> None:
    from hirestream.kit.devstack import database_url

    assert (
        database_url("postgresql://postgres@127.0.0.1:5432/postgres", "bench_1")
        == "postgresql://postgres@127.0.0.1:5432/bench_1"
    )
