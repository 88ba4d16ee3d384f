-- Deliveries become an outbox of their own: the consumer writes them as 'pending' in its
-- transaction (no network I/O there); the delivery worker leases, sends, retries and
-- dead-letters them. The first design's table is kept read-only under another name.
ALTER TABLE deliveries RENAME TO deliveries_v0;

CREATE TABLE deliveries (
    delivery_id    uuid PRIMARY KEY,
    application_id uuid NOT NULL,
    posting_id     uuid NOT NULL,
    rule           text NOT NULL,
    channel        text NOT NULL,          -- email | slack | teams | webhook | acknowledgement
    kind           text NOT NULL,          -- instant | digest | acknowledgement
    destination    jsonb NOT NULL,         -- where to: recipients or an endpoint (no candidate data)
    target_key     text NOT NULL,          -- one destination, for per-endpoint concurrency
    payload        jsonb NOT NULL,         -- what to say: tier, score, evidence, link
    digest_key     text,                   -- deliveries sent together in one digest
    status         text NOT NULL DEFAULT 'pending',  -- pending | delivered | dead_lettered
    attempts       integer NOT NULL DEFAULT 0,
    due_at         timestamptz NOT NULL,
    lease_owner    text,
    lease_until    timestamptz,
    last_error     text,
    dead_reason    text,
    trace          jsonb NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL,
    delivered_at   timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (application_id, rule, channel)
);
CREATE INDEX deliveries_due ON deliveries (channel, due_at) WHERE status = 'pending';
CREATE INDEX deliveries_digest ON deliveries (digest_key) WHERE status = 'pending';
CREATE INDEX deliveries_status ON deliveries (status, created_at);

-- A posting's notification rules and candidate acknowledgement, set through the notifier's API.
CREATE TABLE posting_rules (
    slug            text PRIMARY KEY,
    rules           jsonb NOT NULL,
    acknowledgement jsonb,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
