-- Reconciliation: an outbox row is acknowledged when the next stage's event for the same key
-- is seen; rows sent long ago and never acknowledged are re-driven (published again).
ALTER TABLE outbox ADD COLUMN acked_at timestamptz;
ALTER TABLE outbox ADD COLUMN redrives int NOT NULL DEFAULT 0;
CREATE INDEX outbox_unacked ON outbox (topic, key) WHERE acked_at IS NULL;

-- Dead letters, inspectable and replayable (`hirestream dlq`), beside the deadletter topic.
CREATE TABLE dead_letters (
    id             bigserial   PRIMARY KEY,
    consumer       text        NOT NULL,
    topic          text        NOT NULL,
    event_id       uuid        NOT NULL,
    key            text,
    headers        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    body           text        NOT NULL,
    error          text        NOT NULL,
    attempts       int         NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    replayed_at    timestamptz
);
CREATE INDEX dead_letters_open ON dead_letters (created_at) WHERE replayed_at IS NULL;
