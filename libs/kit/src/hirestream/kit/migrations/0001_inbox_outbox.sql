-- Shared plumbing tables, created in every service's own schema.

-- Idempotent inbox: a consumer claims an event id in the same transaction as its effects.
CREATE TABLE inbox (
    consumer     text        NOT NULL,
    event_id     uuid        NOT NULL,
    topic        text        NOT NULL,
    outcome      text        NOT NULL DEFAULT 'processed', -- processed | dead_lettered
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- Transactional outbox: written with the state change, published by the relay afterwards.
CREATE TABLE outbox (
    id         bigserial   PRIMARY KEY,
    event_id   uuid        NOT NULL UNIQUE,
    topic      text        NOT NULL,
    key        text        NOT NULL,
    payload    jsonb       NOT NULL,
    headers    jsonb       NOT NULL DEFAULT '{}'::jsonb, -- W3C trace context of the writer
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

-- Failed attempts per event, kept outside the failing transaction so the count survives it.
CREATE TABLE consumer_failures (
    consumer   text        NOT NULL,
    event_id   uuid        NOT NULL,
    attempts   int         NOT NULL DEFAULT 0,
    last_error text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
