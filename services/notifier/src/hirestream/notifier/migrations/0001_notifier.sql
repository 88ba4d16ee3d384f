CREATE TABLE postings (
    posting_id   uuid PRIMARY KEY,
    slug         text NOT NULL,
    title        text NOT NULL,
    notify_email text,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- One durable record per (application, channel): the guard against sending twice.
CREATE TABLE deliveries (
    delivery_id    uuid PRIMARY KEY,
    application_id uuid NOT NULL,
    posting_id     uuid NOT NULL,
    channel        text NOT NULL,
    recipient      text NOT NULL,
    subject        text NOT NULL,
    status         text NOT NULL,
    sent_at        timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (application_id, channel)
);
