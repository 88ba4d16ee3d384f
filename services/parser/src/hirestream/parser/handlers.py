"""Parser use case: a received application's CV becomes a stored profile and a
``profile.parsed`` event carrying skills and ids only (contact details stay here).

A file that cannot be read, or that is plainly not a CV, is stored and announced as ``failed``
with the reason; nothing is guessed to fill the gap.
"""

from __future__ import annotations

import dataclasses
import uuid

from hirestream.contracts import (
    ApplicationReceivedV1,
    LanguageLevel,
    ParseStatus,
    ProfileParsedV1,
    SkillLocation,
)
from hirestream.parser.domain.analysis import ReadCv
from hirestream.parser.domain.errors import ExtractionError
from hirestream.parser.domain.locations import skill_spans
from hirestream.parser.domain.profile import PARSER_VERSION
from hirestream.parser.ports import CvReader, ParserStore, ProfileRecord


class MissingBlob(Exception):
    pass


async def parse_application(
    store: ParserStore,
    event: ApplicationReceivedV1,
    read_cv: CvReader,
) -> ProfileRecord:
    """``read_cv`` extracts and analyses the CV (in the worker processes); this decides and
    stores the outcome in the caller's transaction."""
    read: ReadCv | ExtractionError | None
    try:
        read = await read_cv(event.cv)
    except ExtractionError as error:
        read = error
    if read is None:
        raise MissingBlob(f"CV blob {event.cv.sha256} is not in the blob store")
    profile_id = uuid.uuid5(event.application_id, PARSER_VERSION)
    failed = ProfileRecord(
        application_id=event.application_id,
        profile_id=profile_id,
        posting_id=event.posting_id,
        cv_sha256=event.cv.sha256,
        media_type=event.cv.media_type,
        status=ParseStatus.FAILED.value,
        error_code=None,
        error_message=None,
        language=None,
        name=None,
        emails=[],
        phones=[],
        profile={},
        parser_version=PARSER_VERSION,
    )
    skills: list[str] = []
    months: int | None = None
    leadership: int | None = None
    languages: list[LanguageLevel] = []
    degrees: list[str] = []
    locations: list[SkillLocation] = []
    if isinstance(read, ExtractionError):
        record = dataclasses.replace(failed, error_code=read.code, error_message=read.message)
    else:
        analysis = read.analysis
        profile = analysis.profile
        if analysis.rejection is not None:
            code, message = analysis.rejection
            record = dataclasses.replace(
                failed,
                error_code=code,
                error_message=message,
                language=profile.language,
                profile={"quality": {"usable": False, "reasons": analysis.quality.reasons}},
            )
        else:
            skills = [s.name for s in profile.skills]
            months = profile.total_experience_months
            leadership = analysis.leadership_months
            languages = [
                LanguageLevel(language=x.language, level=x.level) for x in profile.languages
            ]
            degrees = [e.degree for e in profile.education if e.degree]
            locations = [
                SkillLocation(skill=s.skill, page=s.page, start=s.start, end=s.end)
                for s in skill_spans(analysis)
            ]
            record = dataclasses.replace(
                failed,
                status=ParseStatus.PARSED.value,
                language=profile.language,
                name=profile.name,
                emails=list(profile.emails),
                phones=list(profile.phones),
                profile=analysis.stored(read.document),
            )
    await store.save_profile(
        record,
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
            leadership_months=leadership,
            degrees=degrees,
            skill_locations=locations,
        ),
    )
    return record
