-- Rescoring a posting writes one score per application, possibly 100,000 of them, in the
-- transaction that publishes the new requirements version. This migration makes that write
-- small: verdicts are stored once per distinct list, score rows carry numbers and references,
-- the rescored events are queued per batch instead of per application, and the facts rescoring
-- reads are arrays PostgreSQL hands over without JSON parsing.

-- 1. Verdicts, matched, missing and hint once per (posting, requirements version, verdict list):
-- 100,000 rescored profiles have a few thousand distinct lists. ``digest`` is the md5 of the
-- JSON text of [verdicts, matched, missing, hint] (what makes two sets the same).
CREATE TABLE verdict_sets (
    id                   bigserial PRIMARY KEY,
    posting_id           uuid NOT NULL,
    requirements_version int  NOT NULL,
    digest               text NOT NULL,
    verdicts             jsonb NOT NULL,
    matched              jsonb NOT NULL,
    missing              jsonb NOT NULL,
    hint                 text,
    UNIQUE (posting_id, requirements_version, digest)
);

INSERT INTO verdict_sets (posting_id, requirements_version, digest, verdicts, matched, missing, hint)
SELECT DISTINCT ON (posting_id, requirements_version, digest)
       posting_id, requirements_version, digest, verdicts, matched, missing, hint
FROM (SELECT *, md5(jsonb_build_array(verdicts, matched, missing, hint)::text) AS digest
      FROM scores) AS old
ORDER BY posting_id, requirements_version, digest, id;

-- No foreign key: the check would cost one index probe per score row on the bulk path, and
-- verdict sets are never deleted.
ALTER TABLE scores ADD COLUMN verdict_set_id bigint;
UPDATE scores s SET verdict_set_id = v.id
FROM verdict_sets v
WHERE v.posting_id = s.posting_id AND v.requirements_version = s.requirements_version
  AND v.digest = md5(jsonb_build_array(s.verdicts, s.matched, s.missing, s.hint)::text);
ALTER TABLE scores ALTER COLUMN verdict_set_id SET NOT NULL;
ALTER TABLE scores DROP COLUMN verdicts, DROP COLUMN matched, DROP COLUMN missing,
    DROP COLUMN hint;

-- 2. One index serves the ranking (DISTINCT ON application, newest first, read in index order),
-- the current score and history of an application (its posting comes from profiles) and the
-- announcer; two indexes cost a third more on every bulk write.
DROP INDEX scores_by_application;
DROP INDEX scores_by_posting;
CREATE INDEX scores_by_posting_application ON scores (posting_id, application_id, id DESC);

-- 3. Rescored events: the rescore transaction records its batch here; the announcer (a task in
-- the scorer process) turns the batch's score rows into application.scored.v1 outbox rows in
-- chunks after the commit, and marks the batch announced. Score rows name their batch.
CREATE TABLE score_batches (
    id                bigserial PRIMARY KEY,
    posting_id        uuid NOT NULL,
    trigger           text NOT NULL,
    scores            int  NOT NULL,
    headers           jsonb NOT NULL DEFAULT '{}'::jsonb, -- trace context of the rescoring call
    announced_through uuid,        -- applications up to this id are in the outbox
    announced_at      timestamptz, -- NULL while some are not
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX score_batches_pending ON score_batches (id) WHERE announced_at IS NULL;
ALTER TABLE scores ADD COLUMN batch_id bigint;

-- 4. Profile facts as arrays (skills, degrees, languages as two aligned arrays).
ALTER TABLE profiles RENAME COLUMN skills TO skills_json;
ALTER TABLE profiles RENAME COLUMN degrees TO degrees_json;
ALTER TABLE profiles RENAME COLUMN languages TO languages_json;
ALTER TABLE profiles
    ADD COLUMN skills text[] NOT NULL DEFAULT '{}',
    ADD COLUMN degrees text[] NOT NULL DEFAULT '{}',
    ADD COLUMN language_names text[] NOT NULL DEFAULT '{}',
    ADD COLUMN language_levels text[] NOT NULL DEFAULT '{}';
UPDATE profiles SET
    skills = ARRAY(SELECT e FROM jsonb_array_elements_text(skills_json) WITH ORDINALITY AS t(e, n)
                   ORDER BY n),
    degrees = ARRAY(SELECT e FROM jsonb_array_elements_text(degrees_json) WITH ORDINALITY AS t(e, n)
                    ORDER BY n),
    language_names = ARRAY(SELECT e ->> 'language'
                           FROM jsonb_array_elements(languages_json) WITH ORDINALITY AS t(e, n)
                           ORDER BY n),
    language_levels = ARRAY(SELECT e ->> 'level'
                            FROM jsonb_array_elements(languages_json) WITH ORDINALITY AS t(e, n)
                            ORDER BY n);
ALTER TABLE profiles DROP COLUMN skills_json, DROP COLUMN degrees_json,
    DROP COLUMN languages_json;

-- 5. The distinct skill strings of each posting's profiles, kept by a trigger: rescoring reads
-- them to decide which skills can be folded, without unnesting 100,000 skill lists. Strings a
-- profile no longer lists stay (a superset only means less folding, never a wrong score).
CREATE TABLE posting_skills (
    posting_id uuid NOT NULL,
    skill      text NOT NULL,
    PRIMARY KEY (posting_id, skill)
);
INSERT INTO posting_skills (posting_id, skill)
SELECT DISTINCT posting_id, unnest(skills) FROM profiles;

CREATE FUNCTION remember_posting_skills() RETURNS trigger LANGUAGE plpgsql
SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO posting_skills (posting_id, skill)
    SELECT DISTINCT posting_id, unnest(skills) FROM new_profiles
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER profiles_remember_skills_on_insert AFTER INSERT ON profiles
    REFERENCING NEW TABLE AS new_profiles
    FOR EACH STATEMENT EXECUTE FUNCTION remember_posting_skills();
CREATE TRIGGER profiles_remember_skills_on_update AFTER UPDATE ON profiles
    REFERENCING NEW TABLE AS new_profiles
    FOR EACH STATEMENT EXECUTE FUNCTION remember_posting_skills();
