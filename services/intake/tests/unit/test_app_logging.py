"""Wiring intake keeps aiosmtpd's per-command log lines (with candidates' addresses) out."""

from __future__ import annotations

import logging
from typing import Any, cast

from hirestream.intake.app import build
from hirestream.intake.config import IntakeSettings


def test_aiosmtpd_command_lines_are_not_logged() -> None:
    logging.getLogger("mail.log").setLevel(logging.NOTSET)
    build(IntakeSettings(), cast(Any, object()))
    assert logging.getLogger("mail.log").level >= logging.WARNING
