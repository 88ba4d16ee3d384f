from __future__ import annotations

import hashlib
import uuid

import pytest
from hirestream.contracts import ApplicationReceivedV1, BlobRef, Channel, Event
from hirestream.intake.domain.submission import Attachment, Refusal, Submission
from hirestream.intake.handlers import receive_application
from hirestream.intake.ports import ApplicationRecord, PostingRecord


class FakeIntakeStore:
    def __init__(self) -> None:
        self.postings: dict[str, PostingRecord] = {}
        self.applications: dict[str, ApplicationRecord] = {}
        self.blobs: dict[str, bytes] = {}
        self.events: list[Event] = []

    async def posting_by_slug(self, slug: str) -> PostingRecord | None:
        return self.postings.get(slug)

    async def save_posting(self, posting: PostingRecord) -> None:
        self.postings[posting.slug] = posting

    async def application_by_dedupe_key(self, key: str) -> ApplicationRecord | None:
        return self.applications.get(key)

    async def application(self, application_id: uuid.UUID) -> ApplicationRecord | None:
        return next(
            (a for a in self.applications.values() if a.application_id == application_id), None
        )

    async def add_application(
        self, record: ApplicationRecord, *, dedupe_key: str, raw: BlobRef, cover_letter: str | None
    ) -> None:
        self.applications[dedupe_key] = record

    async def put_blob(self, data: bytes, media_type: str) -> BlobRef:
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


async def test_a_different_cv_is_a_new_application(store: FakeIntakeStore) -> None:
    first = await receive_application(store, submission())
    other = await receive_application(
        store, submission(cv=Attachment("cv2.pdf", "application/pdf", b"%PDF-2"))
    )
    assert other.application_id != first.application_id
    assert len(store.events) == 2


async def test_unknown_posting_is_refused(store: FakeIntakeStore) -> None:
    with pytest.raises(Refusal) as refusal:
        await receive_application(store, submission(posting_slug="nope"))
    assert refusal.value.code == "unknown_posting"
    assert store.events == []
