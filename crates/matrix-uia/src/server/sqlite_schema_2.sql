-- Version 2: who started a session (for the caps), and the failure counts.
ALTER TABLE uia_sessions ADD COLUMN address TEXT;
ALTER TABLE uia_sessions ADD COLUMN requester TEXT;
CREATE INDEX uia_sessions_address ON uia_sessions (address) WHERE address IS NOT NULL;
CREATE INDEX uia_sessions_requester ON uia_sessions (requester) WHERE requester IS NOT NULL;
CREATE TABLE uia_failures (
    key TEXT PRIMARY KEY NOT NULL,
    count INTEGER NOT NULL,
    window_end_ms INTEGER NOT NULL
) WITHOUT ROWID;
