-- Version 2: who started a session (for the caps), and the failure counts.
ALTER TABLE uia_sessions ADD COLUMN address TEXT;
ALTER TABLE uia_sessions ADD COLUMN requester TEXT;
-- The caps count an owner's live sessions: the indexes hold the unused
-- ones only, by expiry.
CREATE INDEX uia_sessions_address ON uia_sessions (address, expires_ms) WHERE consumed = 0;
CREATE INDEX uia_sessions_requester ON uia_sessions (requester, expires_ms) WHERE consumed = 0;
CREATE TABLE uia_failures (
    key TEXT PRIMARY KEY NOT NULL,
    count INTEGER NOT NULL,
    window_end_ms INTEGER NOT NULL
) WITHOUT ROWID;
