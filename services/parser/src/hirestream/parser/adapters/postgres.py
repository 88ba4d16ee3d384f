"""asyncpg implementation of the parser store."""

from __future__ import annotations

from hirestream.contracts import Event
from hirestream.kit.db import Connection
from hirestream.kit.outbox import add_to_outbox
from hirestream.parser.ports import ProfileRecord


class PostgresParserStore:
    def __init__(self, conn: Connection, topic_prefix: str = "") -> None:
        self._conn = conn
        self._prefix = topic_prefix

    async def save_profile(self, record: ProfileRecord) -> None:
        await self._conn.execute(
            "INSERT INTO profiles (application_id, profile_id, posting_id, cv_sha256, media_type,"
            " status, error_code, error_message, language, name, emails, phones, profile,"
            " parser_version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)"
            " ON CONFLICT (application_id) DO UPDATE SET profile_id = EXCLUDED.profile_id,"
            " status = EXCLUDED.status, error_code = EXCLUDED.error_code,"
            " error_message = EXCLUDED.error_message, language = EXCLUDED.language,"
            " name = EXCLUDED.name, emails = EXCLUDED.emails, phones = EXCLUDED.phones,"
            " profile = EXCLUDED.profile, parser_version = EXCLUDED.parser_version,"
            " parsed_at = now()",
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
        )

    async def emit(self, event: Event) -> None:
        await add_to_outbox(self._conn, event, topic_prefix=self._prefix)
