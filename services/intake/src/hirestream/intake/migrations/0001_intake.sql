CREATE TABLE postings (
    posting_id uuid PRIMARY KEY,
    slug       text NOT NULL UNIQUE,
    title      text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Contact details live here, in intake's own store, never in events.
CREATE TABLE applications (
    application_id  uuid PRIMARY KEY,
    posting_id      uuid NOT NULL REFERENCES postings (posting_id),
    channel         text NOT NULL,
    status          text NOT NULL,
    candidate_name  text,
    candidate_email text,
    candidate_phone text,
    cv_sha256       text NOT NULL,
    raw_sha256      text NOT NULL,
    cover_letter    text,
    dedupe_key      text NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX applications_posting ON applications (posting_id, created_at);
