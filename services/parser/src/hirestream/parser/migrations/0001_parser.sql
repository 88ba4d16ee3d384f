-- The parsed profile, with the candidate's contact details: they stay in this store.
CREATE TABLE profiles (
    application_id          uuid PRIMARY KEY,
    profile_id              uuid NOT NULL UNIQUE,
    posting_id              uuid NOT NULL,
    cv_sha256               text NOT NULL,
    media_type              text NOT NULL,
    status                  text NOT NULL,
    error_code              text,
    error_message           text,
    language                text,
    name                    text,
    emails                  jsonb NOT NULL DEFAULT '[]'::jsonb,
    phones                  jsonb NOT NULL DEFAULT '[]'::jsonb,
    profile                 jsonb NOT NULL DEFAULT '{}'::jsonb,
    parser_version          text NOT NULL,
    parsed_at               timestamptz NOT NULL DEFAULT now()
);
