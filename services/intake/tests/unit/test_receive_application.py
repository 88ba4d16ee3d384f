from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from hirestream.contracts import (
    ApplicationReceivedV1,
    ApplicationScoredV1,
    BlobRef,
    Channel,
    Event,
    ParseStatus,
    ProfileParsedV1,
    Tier,
)
from hirestream.intake.domain.submission import Attachment, Refusal, Submission
from hirestream.intake.handlers import RateLimit, receive_application, record_stage
from hirestream.intake.ports import (
    ApplicationRecord,
    IncomingFile,
    NewCandidate,
    PostingRecord,
    Prior,
    PriorQuery,
    Stage,
    StageEntry,
    StoredAttachment,
)


class FakeIntakeStore:
    def __init__(self) -> None:
        self.postings: dict[str, PostingRecord] = {}
        self.applications: dict[str, ApplicationRecord] = {}
        self.candidates: dict[uuid.UUID, tuple[str | None, str | None]] = {}
        self.resubmissions: dict[str, uuid.UUID] = {}
        self.attachments: dict[uuid.UUID, list[StoredAttachment]] = {}
        self.stage_rows: dict[uuid.UUID, list[Stage]] = {}
        self.blobs: dict[str, bytes] = {}
        self.events: list[Event] = []

    async def posting_by_slug(self, slug: str) -> PostingRecord | None:
        return self.postings.get(slug)

    async def save_posting(self, posting: PostingRecord) -> None:
        self.postings[posting.slug] = posting

    async def prior(self, query: PriorQuery) -> Prior:
        posting = self.postings.get(query.posting_slug)
        if posting is None:
            return Prior(posting=None)
        existing = await self._by_dedupe_key(query.dedupe_key) if query.dedupe_key else None
        candidate_id = await self._find_candidate(
            query.email_norm, query.phone_e164, query.cv_sha256
        )
        earlier = None
        recent = 0
        if candidate_id is not None:
            found = await self._application_for(candidate_id, posting.posting_id)
            earlier = found.application_id if found else None
            recent = sum(1 for a in self.applications.values() if a.candidate_id == candidate_id)
        return Prior(
            posting=posting,
            existing=existing.application_id if existing else None,
            candidate_id=candidate_id,
            earlier=earlier,
            recent=recent,
        )

    async def store_files(
        self, raw: bytes, raw_media_type: str, files: list[IncomingFile]
    ) -> tuple[BlobRef, list[StoredAttachment]]:
        stored = [
            StoredAttachment(f.role, f.filename, self._put_blob(f.data, f.media_type))
            for f in files
        ]
        return self._put_blob(raw, raw_media_type), stored

    async def _by_dedupe_key(self, key: str) -> ApplicationRecord | None:
        if key in self.resubmissions:
            return await self.application(self.resubmissions[key])
        return self.applications.get(key)

    async def application(self, application_id: uuid.UUID) -> ApplicationRecord | None:
        return next(
            (a for a in self.applications.values() if a.application_id == application_id), None
        )

    async def _find_candidate(
        self, email_norm: str | None, phone_e164: str | None, cv_sha256: str
    ) -> uuid.UUID | None:
        for candidate_id, (email, phone) in self.candidates.items():
            if (email_norm and email == email_norm) or (phone_e164 and phone == phone_e164):
                return candidate_id
        return next(
            (a.candidate_id for a in self.applications.values() if a.cv_sha256 == cv_sha256),
            None,
        )

    async def _application_for(
        self, candidate_id: uuid.UUID, posting_id: uuid.UUID
    ) -> ApplicationRecord | None:
        return next(
            (
                a
                for a in self.applications.values()
                if a.candidate_id == candidate_id and a.posting_id == posting_id
            ),
            None,
        )

    async def add_application(
        self,
        record: ApplicationRecord,
        *,
        dedupe_key: str,
        raw: BlobRef,
        cover_letter: str | None,
        attachments: list[StoredAttachment],
        new_candidate: NewCandidate | None,
    ) -> None:
        if new_candidate is not None:
            self.candidates[new_candidate.candidate_id] = (
                new_candidate.email_norm,
                new_candidate.phone_e164,
            )
        self.applications[dedupe_key] = record
        self.attachments[record.application_id] = attachments

    async def add_resubmission(
        self,
        application_id: uuid.UUID,
        *,
        channel: str,
        raw: BlobRef,
        cv_sha256: str,
        dedupe_key: str,
    ) -> None:
        self.resubmissions[dedupe_key] = application_id
        for key, record in self.applications.items():
            if record.application_id == application_id:
                self.applications[key] = replace(record, reapplications=record.reapplications + 1)

    async def record_stage(
        self, application_id: uuid.UUID, stage: str, at: datetime, detail: dict[str, Any]
    ) -> bool:
        rows = self.stage_rows.setdefault(application_id, [])
        if any(r.stage == stage for r in rows):
            return False
        rows.append(Stage(stage, at, detail))
        return True

    async def record_stages(self, entries: Sequence[StageEntry]) -> int:
        added = 0
        for e in entries:
            added += await self.record_stage(e.application_id, e.stage, e.at, e.detail)
        return added

    async def stages(self, application_id: uuid.UUID) -> list[Stage]:
        return self.stage_rows.get(application_id, [])

    def _put_blob(self, data: bytes, media_type: str) -> BlobRef:
        digest = hashlib.sha256(data).hexdigest()
        self.blobs[digest] = data
        return BlobRef(sha256=digest, media_type=media_type, size=len(data))

    async def emit(self, event: Event) -> None:
        self.events.append(event)


def submission(**overrides: object) -> Submission:
    values: dict[str, object] = {
        "posting_slug": "backend-engineer",
        "channel": Channel.API,
        "candidate_name": "Ana Pérez",
        "candidate_email": "Ana@Example.org",
        "candidate_phone": "+34 612 345 678",
        "cv": Attachment("cv.pdf", "application/pdf", b"%PDF-1.4 cv"),
        "raw": b"raw request",
        "raw_media_type": "application/json",
    }
    values.update(overrides)
    return Submission(**values)  # type: ignore[arg-type]


@pytest.fixture
def store() -> FakeIntakeStore:
    fake = FakeIntakeStore()
    fake.postings["backend-engineer"] = PostingRecord(uuid.uuid4(), "backend-engineer", "Backend")
    fake.postings["data-engineer"] = PostingRecord(uuid.uuid4(), "data-engineer", "Data")
    return fake


async def test_application_is_stored_with_raw_input_and_announced_without_personal_data(
    store: FakeIntakeStore,
) -> None:
    receipt = await receive_application(store, submission())
    assert not receipt.duplicate
    (event,) = store.events
    assert isinstance(event, ApplicationReceivedV1)
    assert event.application_id == receipt.application_id
    assert store.blobs[event.cv.sha256] == b"%PDF-1.4 cv"
    assert b"raw request" in store.blobs.values()
    payload = event.model_dump_json()
    for personal in ("Ana Pérez", "example.org", "612 345 678", "+34612345678"):
        assert personal not in payload
    (record,) = store.applications.values()
    assert record.candidate_phone == "+34612345678"  # stored in E.164


async def test_same_delivery_retried_returns_the_existing_application(
    store: FakeIntakeStore,
) -> None:
    first = await receive_application(store, submission(delivery_id="idem-1"))
    again = await receive_application(store, submission(delivery_id="idem-1", raw=b"retry"))
    assert again == type(first)(first.application_id, duplicate=True)
    assert len(store.events) == 1


async def test_same_person_same_cv_same_posting_is_not_duplicated(store: FakeIntakeStore) -> None:
    first = await receive_application(store, submission(channel=Channel.FORM))
    again = await receive_application(
        store, submission(channel=Channel.FORM, candidate_email="ana@example.org ")
    )
    assert again.application_id == first.application_id and again.duplicate


@pytest.mark.parametrize(
    "same_person",
    [
        {"candidate_email": " ANA@example.org", "candidate_phone": None},  # normalised email
        {"candidate_email": "ana.work@example.com", "candidate_phone": "+34612345678"},  # E.164
        {"candidate_email": None, "candidate_phone": None},  # same CV content
    ],
)
async def test_same_person_reapplying_to_the_same_posting_is_linked_and_flagged(
    store: FakeIntakeStore, same_person: dict[str, object]
) -> None:
    first = await receive_application(store, submission())
    cv = Attachment("cv-v2.pdf", "application/pdf", b"%PDF-1.4 cv")
    if same_person["candidate_email"] is not None:
        cv = Attachment("cv-v2.pdf", "application/pdf", b"%PDF-1.4 updated cv")
    again = await receive_application(store, submission(cv=cv, raw=b"second", **same_person))
    assert again.application_id == first.application_id
    assert again.duplicate and again.reapplication
    assert len(store.applications) == 1 and len(store.events) == 1
    (record,) = store.applications.values()
    assert record.reapplications == 1


async def test_same_person_on_another_posting_is_a_new_application_of_one_candidate(
    store: FakeIntakeStore,
) -> None:
    first = await receive_application(store, submission())
    other = await receive_application(store, submission(posting_slug="data-engineer"))
    assert other.application_id != first.application_id and not other.duplicate
    assert len(store.candidates) == 1
    assert {a.candidate_id for a in store.applications.values()} == set(store.candidates)


async def test_a_different_person_is_a_new_candidate(store: FakeIntakeStore) -> None:
    await receive_application(store, submission())
    await receive_application(
        store,
        submission(
            candidate_email="bo@example.org",
            candidate_phone="+44 7911 123456",
            cv=Attachment("cv.pdf", "application/pdf", b"%PDF-1.4 another cv"),
        ),
    )
    assert len(store.candidates) == 2 and len(store.events) == 2


async def test_rate_limit_refuses_new_applications_but_never_a_reapplication(
    store: FakeIntakeStore,
) -> None:
    limit = RateLimit(max_applications=1, window_seconds=60)
    first = await receive_application(store, submission(), limit)
    with pytest.raises(Refusal) as refused:
        await receive_application(store, submission(posting_slug="data-engineer"), limit)
    assert refused.value.code == "rate_limited" and "try again later" in refused.value.message
    again = await receive_application(store, submission(raw=b"re-sent"), limit)
    assert again.application_id == first.application_id and again.reapplication


async def test_other_files_are_kept_with_their_roles(store: FakeIntakeStore) -> None:
    letter = Attachment("cover.txt", "text/plain", b"Dear team", "cover_letter")
    receipt = await receive_application(store, submission(attachments=(letter,)))
    roles = [(a.role, a.filename) for a in store.attachments[receipt.application_id]]
    assert roles == [("cv", "cv.pdf"), ("cover_letter", "cover.txt")]
    assert store.blobs[store.attachments[receipt.application_id][1].blob.sha256] == b"Dear team"


async def test_unknown_posting_is_refused(store: FakeIntakeStore) -> None:
    with pytest.raises(Refusal) as refusal:
        await receive_application(store, submission(posting_slug="nope"))
    assert refusal.value.code == "unknown_posting"
    assert store.events == []


async def test_later_stages_are_recorded_once_each(store: FakeIntakeStore) -> None:
    receipt = await receive_application(store, submission())
    posting_id = store.postings["backend-engineer"].posting_id
    parsed = ProfileParsedV1(
        application_id=receipt.application_id,
        posting_id=posting_id,
        profile_id=uuid.uuid4(),
        parser_version="1",
        status=next(iter(ParseStatus)),
    )
    scored = ApplicationScoredV1(
        application_id=receipt.application_id,
        posting_id=posting_id,
        score=80,
        tier=next(iter(Tier)),
        requirements_version=1,
        rubric_version="r1",
        parser_version="1",
        occurred_at=datetime(2030, 1, 1, tzinfo=UTC),
    )
    for event in (parsed, scored, scored):
        await record_stage(store, event)
    stages = await store.stages(receipt.application_id)
    assert [s.stage for s in stages] == ["parsed", "scored"]
    assert stages[1].at == datetime(2030, 1, 1, tzinfo=UTC)
