-- Where each skill of a profile is written in the CV (page, character span of the parser's text),
-- so a verdict can point into the CV. Positions only: the words stay in the parser's store.
-- Not a scoring fact: rescoring never reads it.
ALTER TABLE profiles ADD COLUMN skill_locations jsonb NOT NULL DEFAULT '{}'::jsonb;
