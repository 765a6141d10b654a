//! The SQLite session store: durable, shared by the processes of one machine.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};

use super::session::Session;
use super::store::{SessionStore, StoreError};
use crate::AuthType;

/// Sessions in an SQLite file. WAL journal: a committed write survives the
/// process being killed at any instant (SIGKILL included), and readers do not
/// block the writer. `synchronous = NORMAL`: what is lost on a power cut is
/// at most the last transactions, never the file's integrity; UIA sessions
/// are minutes-long and cheap to restart, which is the right trade for
/// tens of thousands of writes a second.
pub struct SqliteStore {
    connection: Mutex<Connection>,
}

const SCHEMA: &str = "
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
";

/// The columns in the order `from_row` reads them; a macro so that every
/// statement is a literal and `prepare_cached` finds it without building it.
macro_rules! columns {
    () => {
        "id, request, created_ms, expires_ms, offered, completed, user_id, failures, consumed, version"
    };
}

impl SqliteStore {
    /// Open (or create) the store in the file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::with_connection(Connection::open(path).map_err(wrap)?)
    }

    /// A store in memory, for tests.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::with_connection(Connection::open_in_memory().map_err(wrap)?)
    }

    fn with_connection(connection: Connection) -> Result<Self, StoreError> {
        connection.pragma_update(None, "journal_mode", "WAL").map_err(wrap)?;
        connection.pragma_update(None, "synchronous", "NORMAL").map_err(wrap)?;
        // Another worker may hold the write lock for a moment.
        connection.busy_timeout(std::time::Duration::from_secs(5)).map_err(wrap)?;
        connection.execute_batch(SCHEMA).map_err(wrap)?;
        Ok(SqliteStore { connection: Mutex::new(connection) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // SQLite rolls back a statement that did not finish; the connection is sound.
        self.connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn wrap(error: rusqlite::Error) -> StoreError {
    StoreError(Box::new(error))
}

fn stages_to_text(stages: &[AuthType]) -> String {
    serde_json::to_string(stages).unwrap_or_else(|_| "[]".to_owned())
}

fn stages_from_text(text: &str) -> Vec<AuthType> {
    serde_json::from_str(text).unwrap_or_default()
}

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Session> {
    let request: Vec<u8> = row.get(1)?;
    Ok(Session {
        id: row.get(0)?,
        request: request.try_into().unwrap_or([0; 32]),
        created_ms: row.get::<_, i64>(2)? as u64,
        expires_ms: row.get::<_, i64>(3)? as u64,
        offered: stages_from_text(&row.get::<_, String>(4)?).into(),
        completed: stages_from_text(&row.get::<_, String>(5)?),
        user_id: row.get(6)?,
        failures: row.get(7)?,
        consumed: row.get(8)?,
        version: row.get::<_, i64>(9)? as u64,
    })
}

impl SessionStore for SqliteStore {
    fn insert(&self, s: &Session) -> Result<(), StoreError> {
        self.lock()
            .prepare_cached(concat!(
                "INSERT INTO uia_sessions (",
                columns!(),
                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ))
            .and_then(|mut statement| {
                statement.execute(params![
                    s.id,
                    &s.request[..],
                    s.created_ms as i64,
                    s.expires_ms as i64,
                    stages_to_text(&s.offered),
                    stages_to_text(&s.completed),
                    s.user_id,
                    s.failures,
                    s.consumed,
                    s.version as i64,
                ])
            })
            .map(drop)
            .map_err(wrap)
    }

    fn get(&self, id: &str) -> Result<Option<Session>, StoreError> {
        self.lock()
            .prepare_cached(concat!("SELECT ", columns!(), " FROM uia_sessions WHERE id = ?1"))
            .and_then(|mut statement| statement.query_row([id], from_row).optional())
            .map_err(wrap)
    }

    fn replace(&self, s: &Session) -> Result<bool, StoreError> {
        let previous = s.version.wrapping_sub(1) as i64;
        self.lock()
            .prepare_cached(
                "UPDATE uia_sessions SET completed = ?2, user_id = ?3, failures = ?4, consumed = ?5, \
                 version = ?6, expires_ms = ?7 WHERE id = ?1 AND version = ?8",
            )
            .and_then(|mut statement| {
                statement.execute(params![
                    s.id,
                    stages_to_text(&s.completed),
                    s.user_id,
                    s.failures,
                    s.consumed,
                    s.version as i64,
                    s.expires_ms as i64,
                    previous,
                ])
            })
            .map(|changed| changed == 1)
            .map_err(wrap)
    }

    fn remove_expired(&self, now_ms: u64) -> Result<usize, StoreError> {
        self.lock().execute("DELETE FROM uia_sessions WHERE expires_ms <= ?1", [now_ms as i64]).map_err(wrap)
    }
}
