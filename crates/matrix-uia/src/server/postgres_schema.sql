-- Version 1 of the PostgreSQL store's tables, created by PostgresStore::connect.
CREATE TABLE uia_sessions (
    id TEXT PRIMARY KEY,
    request BYTEA NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    offered TEXT NOT NULL,
    completed TEXT NOT NULL,
    user_id TEXT,
    failures INTEGER NOT NULL,
    consumed BOOLEAN NOT NULL,
    version BIGINT NOT NULL,
    address TEXT,
    requester TEXT
);
-- The sweep deletes by expiry; the caps count an owner's live sessions, so
-- their indexes hold the unused ones only, by expiry: a count reads no more
-- entries than the owner has live sessions.
CREATE INDEX uia_sessions_expiry ON uia_sessions (expires_ms);
CREATE INDEX uia_sessions_address ON uia_sessions (address, expires_ms) WHERE NOT consumed;
CREATE INDEX uia_sessions_requester ON uia_sessions (requester, expires_ms) WHERE NOT consumed;
CREATE TABLE uia_failures (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    window_end_ms BIGINT NOT NULL
);
CREATE INDEX uia_failures_window_end ON uia_failures (window_end_ms);
