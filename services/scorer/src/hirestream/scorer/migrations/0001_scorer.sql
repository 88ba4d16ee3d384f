CREATE TABLE postings (
    posting_id           uuid PRIMARY KEY,
    slug                 text NOT NULL UNIQUE,
    title                text NOT NULL,
    body                 text NOT NULL,
    metadata             jsonb NOT NULL DEFAULT '{}'::jsonb,
    notify_email         text,
    requirements_version int NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Every version of a posting's requirements is kept; scores name the version they used.
CREATE TABLE requirement_versions (
    posting_id   uuid NOT NULL REFERENCES postings (posting_id),
    version      int  NOT NULL,
    model_version text NOT NULL,
    requirements jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (posting_id, version)
);

-- The facts scoring needs, as received in profile.parsed: replayable for rescoring.
CREATE TABLE profiles (
    application_id          uuid PRIMARY KEY,
    posting_id              uuid NOT NULL,
    profile_id              uuid NOT NULL,
    parser_version          text NOT NULL,
    status                  text NOT NULL,
    skills                  jsonb NOT NULL,
    total_experience_months int,
    received_at             timestamptz NOT NULL DEFAULT now()
);

-- Score history: the newest row per application is the current one.
CREATE TABLE scores (
    id                   bigserial PRIMARY KEY,
    application_id       uuid NOT NULL,
    posting_id           uuid NOT NULL,
    score                int  NOT NULL,
    tier                 text NOT NULL,
    verdicts             jsonb NOT NULL,
    matched              jsonb NOT NULL,
    missing              jsonb NOT NULL,
    hint                 text,
    requirements_version int  NOT NULL,
    rubric_version       text NOT NULL,
    parser_version       text NOT NULL,
    scored_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scores_by_application ON scores (application_id, id DESC);
CREATE INDEX scores_by_posting ON scores (posting_id, id DESC);
