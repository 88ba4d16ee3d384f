"""asyncpg implementation of the parser store."""

from __future__ import annotations

from hirestream.contracts import Event
from hirestream.kit.db import Connection
from hirestream.kit.outbox import outbox_write
from hirestream.kit.statements import Write, execute
from hirestream.parser.ports import ProfileRecord

_SAVE_PROFILE = (
    "INSERT INTO profiles (application_id, profile_id, posting_id, cv_sha256, media_type,"
    " status, error_code, error_message, language, name, emails, phones, profile,"
    " parser_version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)"
    " ON CONFLICT (application_id) DO UPDATE SET profile_id = EXCLUDED.profile_id,"
    " status = EXCLUDED.status, error_code = EXCLUDED.error_code,"
    " error_message = EXCLUDED.error_message, language = EXCLUDED.language,"
    " name = EXCLUDED.name, emails = EXCLUDED.emails, phones = EXCLUDED.phones,"
    " profile = EXCLUDED.profile, parser_version = EXCLUDED.parser_version,"
    " parsed_at = now()"
)


class PostgresParserStore:
    def __init__(self, conn: Connection, topic_prefix: str = "") -> None:
        self._conn = conn
        self._prefix = topic_prefix

    async def save_profile(self, record: ProfileRecord, event: Event) -> None:
        """The row and its outbox event as one statement (``kit.statements``): one round trip
        per CV instead of two, inside the consumer's transaction as before."""
        profile = Write((_SAVE_PROFILE,), (
            record.application_id,
            record.profile_id,
            record.posting_id,
            record.cv_sha256,
            record.media_type,
            record.status,
            record.error_code,
            record.error_message,
            record.language,
            record.name,
            record.emails,
            record.phones,
            record.profile,
            record.parser_version,
        ))  # fmt: skip
        await execute(self._conn, profile, outbox_write(event, topic_prefix=self._prefix))
