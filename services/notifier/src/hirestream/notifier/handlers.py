"""Notifier use cases: remember where each posting's alerts go; alert the hiring team once."""

from __future__ import annotations

from hirestream.contracts import ApplicationScoredV1, NotificationSentV1, PostingPublishedV1
from hirestream.notifier.domain.alert import compose_alert
from hirestream.notifier.ports import Email, EmailSender, NotifierStore, PostingTarget


class PostingNotKnownYet(Exception):
    """The posting's own event has not reached the notifier yet: retry later."""


async def record_posting(store: NotifierStore, event: PostingPublishedV1) -> None:
    await store.save_posting(
        PostingTarget(event.posting_id, event.slug, event.title, event.notify_email)
    )


async def notify_hiring_team(
    store: NotifierStore,
    event: ApplicationScoredV1,
    sender: EmailSender,
    *,
    from_address: str,
    default_recipient: str,
    public_url: str,
) -> None:
    posting = await store.posting(event.posting_id)
    if posting is None:
        raise PostingNotKnownYet(str(event.posting_id))
    alert = compose_alert(
        event, posting.title, f"{public_url}/v1/applications/{event.application_id}"
    )
    if await store.delivery_exists(alert.delivery_id):
        return  # a rescore or replay of an application already announced
    recipient = posting.notify_email or default_recipient
    # The record and the send share the consumer's transaction: if sending fails, nothing is
    # recorded and the event is retried; the deterministic Message-ID lets mail systems drop
    # the rare resend after a crash between send and commit.
    await store.record_delivery(
        alert.delivery_id, event.application_id, event.posting_id, "email", recipient, alert.subject
    )
    await sender.send(
        Email(
            message_id=f"<{alert.delivery_id}@hirestream>",
            sender=from_address,
            recipient=recipient,
            subject=alert.subject,
            text=alert.text,
        )
    )
    await store.emit(
        NotificationSentV1(
            application_id=event.application_id,
            posting_id=event.posting_id,
            delivery_id=alert.delivery_id,
            channel="email",
            status="sent",
        )
    )
