-- Version 1: the sessions.
CREATE TABLE IF NOT EXISTS uia_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    request BLOB NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    offered TEXT NOT NULL,
    completed TEXT NOT NULL,
    user_id TEXT,
    failures INTEGER NOT NULL,
    consumed INTEGER NOT NULL,
    version INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS uia_sessions_expiry ON uia_sessions (expires_ms);
