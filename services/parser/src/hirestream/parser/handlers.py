"""Parser use case: a received application's CV becomes a stored profile and a
``profile.parsed`` event carrying skills and ids only (contact details stay here)."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from hirestream.contracts import ApplicationReceivedV1, LanguageLevel, ParseStatus, ProfileParsedV1
from hirestream.parser.domain.errors import ExtractionError
from hirestream.parser.domain.profile import PARSER_VERSION, build_profile
from hirestream.parser.ports import ParserStore, ProfileRecord, TextExtractor
from hirestream.skills import Taxonomy


class MissingBlob(Exception):
    pass


async def parse_application(
    store: ParserStore, event: ApplicationReceivedV1, extract: TextExtractor, taxonomy: Taxonomy
) -> ProfileRecord:
    data = await store.get_blob(event.cv.sha256)
    if data is None:
        raise MissingBlob(f"CV blob {event.cv.sha256} is not in the blob store")
    profile_id = uuid.uuid5(event.application_id, PARSER_VERSION)
    try:
        text = await extract(data, event.cv.media_type)
    except ExtractionError as error:
        record = ProfileRecord(
            application_id=event.application_id,
            profile_id=profile_id,
            posting_id=event.posting_id,
            cv_sha256=event.cv.sha256,
            media_type=event.cv.media_type,
            status=ParseStatus.FAILED.value,
            error_code=error.code,
            error_message=error.message,
            language=None,
            name=None,
            emails=[],
            phones=[],
            profile={},
            parser_version=PARSER_VERSION,
        )
        skills: list[str] = []
        months: int | None = None
        languages: list[LanguageLevel] = []
        degrees: list[str] = []
    else:
        profile = build_profile(text, taxonomy)
        skills = [s.name for s in profile.skills]
        months = profile.total_experience_months
        languages = [LanguageLevel(language=x.language, level=x.level) for x in profile.languages]
        degrees = [e.degree for e in profile.education if e.degree]
        record = ProfileRecord(
            application_id=event.application_id,
            profile_id=profile_id,
            posting_id=event.posting_id,
            cv_sha256=event.cv.sha256,
            media_type=event.cv.media_type,
            status=ParseStatus.PARSED.value,
            error_code=None,
            error_message=None,
            language=profile.language,
            name=profile.name,
            emails=list(profile.emails),
            phones=list(profile.phones),
            profile=asdict(profile),
            parser_version=PARSER_VERSION,
        )
    await store.save_profile(record)
    await store.emit(
        ProfileParsedV1(
            application_id=event.application_id,
            posting_id=event.posting_id,
            profile_id=profile_id,
            parser_version=PARSER_VERSION,
            status=ParseStatus(record.status),
            error_code=record.error_code,
            language=record.language,
            skills=skills,
            total_experience_months=months,
            languages=languages,
            degrees=degrees,
        )
    )
    return record
