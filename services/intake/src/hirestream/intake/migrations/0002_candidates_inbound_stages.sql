-- One person, however many postings they apply to. Contact details stay in intake.
CREATE TABLE candidates (
    candidate_id uuid PRIMARY KEY,
    email_norm   text UNIQUE,
    phone_e164   text,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX candidates_phone ON candidates (phone_e164) WHERE phone_e164 IS NOT NULL;

ALTER TABLE applications
    ADD COLUMN candidate_id        uuid REFERENCES candidates (candidate_id),
    ADD COLUMN reapplications      integer NOT NULL DEFAULT 0,
    ADD COLUMN last_reapplied_at   timestamptz,
    ADD COLUMN forwarded_by        text,
    ADD COLUMN auth_results        jsonb NOT NULL DEFAULT '{}'::jsonb,
    ADD COLUMN spam_score          double precision,
    ADD COLUMN updated_at          timestamptz NOT NULL DEFAULT now();
-- The same person applies once per posting; a re-application is linked to the first one.
CREATE UNIQUE INDEX applications_candidate_posting ON applications (candidate_id, posting_id);
CREATE INDEX applications_cv ON applications (cv_sha256);
CREATE INDEX applications_candidate_created ON applications (candidate_id, created_at);

-- Every re-submission of an application by the same person, with its own raw input kept.
CREATE TABLE resubmissions (
    id             bigserial PRIMARY KEY,
    application_id uuid NOT NULL REFERENCES applications (application_id),
    channel        text NOT NULL,
    raw_sha256     text NOT NULL,
    cv_sha256      text NOT NULL,
    dedupe_key     text NOT NULL UNIQUE,
    received_at    timestamptz NOT NULL DEFAULT now()
);

-- Every file that arrived with an application, by role, byte-identical in the blob store.
CREATE TABLE application_attachments (
    application_id uuid NOT NULL REFERENCES applications (application_id),
    position       integer NOT NULL,
    role           text NOT NULL,
    filename       text,
    media_type     text NOT NULL,
    sha256         text NOT NULL,
    size           bigint NOT NULL,
    PRIMARY KEY (application_id, position)
);

-- Stage history: received here, later stages from the events intake subscribes to.
CREATE TABLE application_stages (
    application_id uuid NOT NULL REFERENCES applications (application_id),
    stage          text NOT NULL,
    at             timestamptz NOT NULL,
    detail         jsonb NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (application_id, stage)
);

-- Webhook calls that failed verification or were refused: who, when, why. No payload kept.
CREATE TABLE inbound_audit (
    id          bigserial PRIMARY KEY,
    provider    text NOT NULL,
    outcome     text NOT NULL,
    reason      text NOT NULL,
    remote_addr text,
    at          timestamptz NOT NULL DEFAULT now()
);

-- Replay cache of provider webhook tokens (Mailgun token, SendGrid/Postmark signature ids).
CREATE TABLE inbound_tokens (
    provider text NOT NULL,
    token    text NOT NULL,
    seen_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, token)
);
CREATE INDEX inbound_tokens_seen ON inbound_tokens (seen_at);
