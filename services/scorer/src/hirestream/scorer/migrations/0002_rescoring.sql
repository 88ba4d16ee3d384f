-- Every fact scoring reads is stored with the profile, so rescoring replays exactly what the
-- parser sent (profile.parsed.v1 grew languages, leadership months and degrees).
ALTER TABLE profiles ADD COLUMN languages jsonb NOT NULL DEFAULT '[]'::jsonb;
ALTER TABLE profiles ADD COLUMN leadership_months int;
ALTER TABLE profiles ADD COLUMN degrees jsonb NOT NULL DEFAULT '[]'::jsonb;
CREATE INDEX profiles_by_posting ON profiles (posting_id, application_id);

-- Who made a requirements version: the extractor (from the ad's text) or the hiring team.
ALTER TABLE requirement_versions ADD COLUMN source text NOT NULL DEFAULT 'extracted';

-- Why a score row exists: a new profile, changed requirements, or a reprocess run.
ALTER TABLE scores ADD COLUMN trigger text NOT NULL DEFAULT 'profile';
