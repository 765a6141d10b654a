//! The SQLite session store: durable, shared by the processes of one machine.

use std::future::Future;
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;

use futures_channel::oneshot;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::core::SessionCaps;
use super::limits::Limit;
use super::session::Session;
use super::sql_row::{session_columns, stages_from_text, stages_to_text};
use super::store::{Admission, SessionStore, StoreError};

/// Sessions in an SQLite file.
///
/// SQLite blocks, so the store's connection lives on a thread of its own and
/// the async methods queue work to it: the caller's executor never waits on
/// the disk, whatever runtime it is.
///
/// WAL journal: a committed write survives the process being killed at any
/// instant (SIGKILL included), and readers do not block the writer.
/// `synchronous = NORMAL`: what is lost on a power cut is at most the last
/// transactions, never the file's integrity; UIA sessions are minutes-long
/// and cheap to restart, which is the right trade for tens of thousands of
/// writes a second. Dropping the store finishes the queued work and closes
/// the file.
///
/// The schema (version 2, in `PRAGMA user_version`) is created and migrated
/// by [`SqliteStore::open`]:
///
/// ```sql
#[doc = include_str!("sqlite_schema_1.sql")]
#[doc = include_str!("sqlite_schema_2.sql")]
/// ```
pub struct SqliteStore {
    jobs: Option<mpsc::Sender<Job>>,
    worker: Option<JoinHandle<()>>,
}

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// The tables of version 1, as the first release created them.
const SCHEMA_1: &str = include_str!("sqlite_schema_1.sql");

/// Version 2: who started a session (for the caps) and the failure counts.
const SCHEMA_2: &str = include_str!("sqlite_schema_2.sql");

const VERSION: i64 = 2;

impl SqliteStore {
    /// Open (or create) the store in the file at `path`, migrating its schema.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::with_connection(Connection::open(path).map_err(wrap)?)
    }

    /// A store in memory, for tests.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::with_connection(Connection::open_in_memory().map_err(wrap)?)
    }

    fn with_connection(mut connection: Connection) -> Result<Self, StoreError> {
        connection.pragma_update(None, "journal_mode", "WAL").map_err(wrap)?;
        connection.pragma_update(None, "synchronous", "NORMAL").map_err(wrap)?;
        // Another worker may hold the write lock for a moment.
        connection.busy_timeout(std::time::Duration::from_secs(5)).map_err(wrap)?;
        migrate(&mut connection).map_err(wrap)?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let worker = std::thread::Builder::new()
            .name("matrix-uia-sqlite".to_owned())
            .spawn(move || {
                for job in queue {
                    job(&mut connection);
                }
            })
            .map_err(|e| StoreError(Box::new(e)))?;
        Ok(SqliteStore { jobs: Some(jobs), worker: Some(worker) })
    }

    /// Run `job` on the store's thread.
    async fn call<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |connection| {
            // The caller may have gone (its request was cancelled): nothing to tell.
            let _ = reply.send(job(connection));
        });
        self.jobs.as_ref().ok_or_else(closed)?.send(job).map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?.map_err(wrap)
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // The thread ends when the queue closes, after the work already queued.
        drop(self.jobs.take());
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// Bring the file's schema to [`VERSION`], in one transaction: two processes
/// opening one file at once migrate it once.
fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = transaction.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version < 1 {
        transaction.execute_batch(SCHEMA_1)?;
    }
    if version < 2 {
        transaction.execute_batch(SCHEMA_2)?;
    }
    transaction.pragma_update(None, "user_version", VERSION)?;
    transaction.commit()
}

fn wrap(error: rusqlite::Error) -> StoreError {
    StoreError(Box::new(error))
}

fn closed() -> StoreError {
    StoreError("the SQLite store's thread has stopped".into())
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
        address: row.get(10)?,
        requester: row.get(11)?,
    })
}

/// How many live sessions an owner holds, and when the first of them ends.
type Held = (u32, Option<i64>);

fn held(connection: &Connection, statement: &str, owner: &str, now: i64) -> rusqlite::Result<Held> {
    connection.prepare_cached(statement)?.query_row(params![owner, now], |row| Ok((row.get(0)?, row.get(1)?)))
}

impl SessionStore for SqliteStore {
    fn insert(
        &self,
        session: &Session,
        caps: SessionCaps,
    ) -> impl Future<Output = Result<Admission, StoreError>> + Send {
        let s = session.clone();
        self.call(move |connection| {
            let now = s.created_ms as i64;
            // The counts and the insert under one write lock: no other
            // process can slip a session in between.
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let owners = [
                (
                    "SELECT COUNT(*), MIN(expires_ms) FROM uia_sessions \
                     WHERE address = ?1 AND consumed = 0 AND expires_ms > ?2",
                    s.address.as_deref().zip(caps.per_address),
                ),
                (
                    "SELECT COUNT(*), MIN(expires_ms) FROM uia_sessions \
                     WHERE requester = ?1 AND consumed = 0 AND expires_ms > ?2",
                    s.requester.as_deref().zip(caps.per_requester),
                ),
            ];
            for (statement, owner) in owners {
                let Some((owner, cap)) = owner else { continue };
                let (count, first_end) = held(&transaction, statement, owner, now)?;
                if count >= cap {
                    let retry_after_ms = first_end.unwrap_or(now).saturating_sub(now).max(0) as u64;
                    return Ok(Admission::Limited { retry_after_ms });
                }
            }
            transaction
                .prepare_cached(concat!(
                    "INSERT INTO uia_sessions (",
                    session_columns!(),
                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                ))?
                .execute(params![
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
                    s.address,
                    s.requester,
                ])?;
            transaction.commit()?;
            Ok(Admission::Admitted)
        })
    }

    fn get(&self, id: &str) -> impl Future<Output = Result<Option<Session>, StoreError>> + Send {
        let id = id.to_owned();
        self.call(move |connection| {
            connection
                .prepare_cached(concat!("SELECT ", session_columns!(), " FROM uia_sessions WHERE id = ?1"))?
                .query_row([id], from_row)
                .optional()
        })
    }

    fn replace(&self, session: &Session) -> impl Future<Output = Result<bool, StoreError>> + Send {
        let s = session.clone();
        self.call(move |connection| {
            let previous = s.version.wrapping_sub(1) as i64;
            let changed = connection
                .prepare_cached(
                    "UPDATE uia_sessions SET completed = ?2, user_id = ?3, failures = ?4, consumed = ?5, \
                     version = ?6, expires_ms = ?7 WHERE id = ?1 AND version = ?8",
                )?
                .execute(params![
                    s.id,
                    stages_to_text(&s.completed),
                    s.user_id,
                    s.failures,
                    s.consumed,
                    s.version as i64,
                    s.expires_ms as i64,
                    previous,
                ])?;
            Ok(changed == 1)
        })
    }

    fn charge(
        &self,
        keys: &[(String, Limit)],
        now_ms: u64,
    ) -> impl Future<Output = Result<Admission, StoreError>> + Send {
        let keys = keys.to_vec();
        self.call(move |connection| {
            let now = now_ms as i64;
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut full: Option<i64> = None;
            for (key, limit) in &keys {
                let current: Option<(u32, i64)> = transaction
                    .prepare_cached("SELECT count, window_end_ms FROM uia_failures WHERE key = ?1")?
                    .query_row([key], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()?;
                if let Some((count, end)) = current.filter(|(count, end)| *end > now && *count >= limit.max) {
                    let _ = count;
                    full = full.max(Some(end));
                }
            }
            if let Some(end) = full {
                return Ok(Admission::Limited { retry_after_ms: (end - now) as u64 });
            }
            for (key, limit) in &keys {
                let end = now.saturating_add(i64::try_from(limit.window_ms()).unwrap_or(i64::MAX));
                transaction
                    .prepare_cached(
                        "INSERT INTO uia_failures (key, count, window_end_ms) VALUES (?1, 1, ?2) \
                         ON CONFLICT (key) DO UPDATE SET \
                         count = CASE WHEN window_end_ms > ?3 THEN count + 1 ELSE 1 END, \
                         window_end_ms = CASE WHEN window_end_ms > ?3 THEN window_end_ms ELSE ?2 END",
                    )?
                    .execute(params![key, end, now])?;
            }
            transaction.commit()?;
            Ok(Admission::Admitted)
        })
    }

    fn refund(&self, keys: &[String], now_ms: u64) -> impl Future<Output = Result<(), StoreError>> + Send {
        let keys = keys.to_vec();
        self.call(move |connection| {
            let transaction = connection.transaction()?;
            for key in &keys {
                transaction
                    .prepare_cached(
                        "UPDATE uia_failures SET count = count - 1 \
                         WHERE key = ?1 AND count > 0 AND window_end_ms > ?2",
                    )?
                    .execute(params![key, now_ms as i64])?;
            }
            transaction.commit()
        })
    }

    fn remove_expired(&self, now_ms: u64) -> impl Future<Output = Result<usize, StoreError>> + Send {
        self.call(move |connection| {
            let now = now_ms as i64;
            let transaction = connection.transaction()?;
            let removed = transaction.execute("DELETE FROM uia_sessions WHERE expires_ms <= ?1", [now])?;
            transaction.execute("DELETE FROM uia_failures WHERE window_end_ms <= ?1", [now])?;
            transaction.commit()?;
            Ok(removed)
        })
    }
}
