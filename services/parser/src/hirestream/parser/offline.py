"""The parser on local files, no stack: what ``hirestream parse FILE... --json`` prints.

Extraction runs in this process (no worker limits): it is for files the operator chose.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from hirestream.parser.adapters.extractors import extract_document, sniff_media_type
from hirestream.parser.domain.analysis import analyse
from hirestream.parser.domain.errors import ExtractionError
from hirestream.parser.domain.locations import skill_spans
from hirestream.parser.domain.profile import PARSER_VERSION, Profile
from hirestream.skills import Taxonomy, load_taxonomy


def parse_path(
    path: Path, taxonomy: Taxonomy | None = None, today: date | None = None
) -> tuple[dict[str, Any], Profile | None]:
    """One JSON-ready object for the file (``status`` parsed/failed, ``error``, the profile's
    fields, ``leadership_months``, ``evidence``, ``skill_locations`` (what the service's
    ``profile.parsed`` event carries), ``quality``, ``document``) and the profile."""
    taxonomy = taxonomy or load_taxonomy()
    head: dict[str, Any] = {"source": str(path), "parser_version": PARSER_VERSION}
    try:
        data = path.read_bytes()
        document = extract_document(data, sniff_media_type(data, path.name))
    except ExtractionError as error:
        return _failed(head, error.code, error.message), None
    except OSError as error:
        return _failed(head, "unreadable_file", str(error)), None
    analysis = analyse(document, taxonomy, today)
    if analysis.rejection is not None:
        code, message = analysis.rejection
        failed = _failed(head, code, message)
        failed["quality"] = asdict(analysis.quality)
        return failed, None
    located = [asdict(span) for span in skill_spans(analysis)]
    parsed = {**head, "status": "parsed", "error": None, **analysis.stored(document)}
    return {**parsed, "skill_locations": located}, analysis.profile


def profile_json(path: Path, taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    return parse_path(path, taxonomy)[0]


def _failed(head: dict[str, Any], code: str, message: str) -> dict[str, Any]:
    empty: dict[str, Any] = asdict(Profile())
    error = {"code": code, "message": message}
    return {**head, "status": "failed", "error": error, **empty, "skill_locations": []}
