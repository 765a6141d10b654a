//! The PostgreSQL session store: sessions shared by the workers of a
//! homeserver, on one machine or many.

use std::time::Duration;

use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::{NoTls, Row};

use super::core::SessionCaps;
use super::limits::Limit;
use super::session::Session;
use super::sql_row::{session_columns, stages_from_text, stages_to_text};
use super::store::{Admission, SessionStore, StoreError};

/// Sessions and failure counts in PostgreSQL, through a pool of connections
/// ([`tokio-postgres`](tokio_postgres) under [`deadpool-postgres`](deadpool_postgres):
/// the maintained async driver, and a pool that is a thin layer over it).
/// It needs a tokio runtime.
///
/// Every worker of a homeserver, on any machine, opens one on the same
/// database. Each operation is one statement or one short transaction, so
/// that the store's rules hold across workers:
///
/// - a session is written by compare-and-swap on its version
///   (`UPDATE … WHERE id = $1 AND version = $2`; the row count says who won);
/// - a new session is counted against its owners' caps and inserted in one
///   transaction, under a transaction-scoped advisory lock per owner, so
///   that two workers cannot both admit the last place;
/// - an attempt is charged to its counters in one transaction, under an
///   advisory lock per counter (taken in sorted order: no deadlock);
/// - one sweep runs at a time: a worker whose sweep finds another one
///   running skips it (`pg_try_advisory_xact_lock`).
///
/// A lost connection fails the operation with a [`StoreError`] (the engine
/// answers 500 and the client retries); the pool drops the broken
/// connection and opens a new one for the next operation. Waiting for a
/// connection and opening one are bounded by the pool's timeouts.
///
/// The schema is versioned in `uia_schema_version`, created and migrated by
/// [`PostgresStore::connect`] under an advisory lock (workers starting at
/// once migrate it once). Version 1:
///
/// ```sql
#[doc = include_str!("postgres_schema.sql")]
/// ```
///
/// Across machines: give every worker the same connection string (TLS
/// through [`PostgresStore::with_pool`] and a pool whose manager has a TLS
/// connector; [`connect`](PostgresStore::connect) speaks plain TCP or a Unix
/// socket). Size the pool for the worker's concurrency: an operation holds
/// a connection for one round trip or one short transaction, never across a
/// stage check. What a network partition does to a session in flight is in
/// the crate's README ("Many workers").
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
}

/// The advisory lock under which the schema is migrated.
const MIGRATION_LOCK: i64 = 0x7569_615f_6d69_6772;

const SCHEMA: &str = include_str!("postgres_schema.sql");
const VERSION: i32 = 1;

impl PostgresStore {
    /// The advisory lock (`pg_advisory_xact_lock`) the one running sweep
    /// holds. An operator who takes it holds every worker's sweeps off.
    pub const SWEEP_LOCK: i64 = 0x7569_615f_7377_6570;

    /// A store on the database at `url` (`postgres://user@host:port/db`, or
    /// `host=/run/postgresql dbname=…`), with at most `pool_size`
    /// connections; creates or migrates the schema.
    pub async fn connect(url: &str, pool_size: usize) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url.parse().map_err(wrap)?;
        let manager =
            Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(10)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .build()
            .map_err(wrap)?;
        Self::with_pool(pool).await
    }

    /// A store on a pool of the caller's (TLS, other timeouts); creates or
    /// migrates the schema.
    pub async fn with_pool(pool: Pool) -> Result<Self, StoreError> {
        let store = PostgresStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    /// The pool, for the homeserver's own tables.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.pool.get().await.map_err(wrap)?;
        let transaction = client.transaction().await.map_err(wrap)?;
        transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(wrap)?;
        transaction
            .batch_execute("CREATE TABLE IF NOT EXISTS uia_schema_version (version INTEGER NOT NULL)")
            .await
            .map_err(wrap)?;
        let row = transaction.query_opt("SELECT version FROM uia_schema_version", &[]).await.map_err(wrap)?;
        let version: i32 = row.map_or(0, |row| row.get(0));
        if version < 1 {
            transaction.batch_execute(SCHEMA).await.map_err(wrap)?;
            transaction
                .execute("INSERT INTO uia_schema_version (version) VALUES ($1)", &[&VERSION])
                .await
                .map_err(wrap)?;
        }
        if version > VERSION {
            return Err(StoreError(
                format!("the database's UIA schema is version {version}, newer than this build's {VERSION}")
                    .into(),
            ));
        }
        transaction.commit().await.map_err(wrap)
    }
}

fn wrap(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError(Box::new(error))
}

fn from_row(row: &Row) -> Session {
    let request: Vec<u8> = row.get(1);
    Session {
        id: row.get(0),
        request: request.try_into().unwrap_or([0; 32]),
        created_ms: row.get::<_, i64>(2) as u64,
        expires_ms: row.get::<_, i64>(3) as u64,
        offered: stages_from_text(row.get(4)).into(),
        completed: stages_from_text(row.get(5)),
        user_id: row.get(6),
        failures: row.get::<_, i32>(7) as u32,
        consumed: row.get(8),
        version: row.get::<_, i64>(9) as u64,
        address: row.get(10),
        requester: row.get(11),
    }
}

/// Milliseconds as PostgreSQL's `BIGINT`: the far future stays the far future.
fn ms(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Takes the advisory lock of a key (an owner, a counter) until the
/// transaction ends.
const LOCK_KEY: &str = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";

async fn lock_key(client: &impl GenericClient, key: &str) -> Result<(), StoreError> {
    let statement = client.prepare_cached(LOCK_KEY).await.map_err(wrap)?;
    client.execute(&statement, &[&key]).await.map_err(wrap)?;
    Ok(())
}

/// How many live sessions `owner` holds, and when the first of them ends,
/// after taking the owner's lock for the rest of the transaction.
async fn held(
    client: &impl GenericClient,
    statement: &str,
    owner: &str,
    now: i64,
) -> Result<(i64, Option<i64>), StoreError> {
    lock_key(client, owner).await?;
    let statement = client.prepare_cached(statement).await.map_err(wrap)?;
    let row = client.query_one(&statement, &[&owner, &now]).await.map_err(wrap)?;
    Ok((row.get(0), row.get(1)))
}

impl SessionStore for PostgresStore {
    async fn insert(&self, s: &Session, caps: SessionCaps) -> Result<Admission, StoreError> {
        let mut client = self.pool.get().await.map_err(wrap)?;
        let transaction = client.transaction().await.map_err(wrap)?;
        let now = ms(s.created_ms);
        // Address first, then requester: every worker locks in this order.
        let owners = [
            (
                "SELECT COUNT(*), MIN(expires_ms) FROM uia_sessions \
                 WHERE address = $1 AND NOT consumed AND expires_ms > $2",
                s.address.as_deref().zip(caps.per_address),
            ),
            (
                "SELECT COUNT(*), MIN(expires_ms) FROM uia_sessions \
                 WHERE requester = $1 AND NOT consumed AND expires_ms > $2",
                s.requester.as_deref().zip(caps.per_requester),
            ),
        ];
        for (statement, owner) in owners {
            let Some((owner, cap)) = owner else { continue };
            let (count, first_end) = held(&transaction, statement, owner, now).await?;
            if count >= i64::from(cap) {
                let retry_after_ms = first_end.unwrap_or(now).saturating_sub(now).max(0) as u64;
                return Ok(Admission::Limited { retry_after_ms });
            }
        }
        let statement = transaction
            .prepare_cached(concat!(
                "INSERT INTO uia_sessions (",
                session_columns!(),
                ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
            ))
            .await
            .map_err(wrap)?;
        let failures = s.failures as i32;
        transaction
            .execute(
                &statement,
                &[
                    &s.id,
                    &&s.request[..],
                    &now,
                    &ms(s.expires_ms),
                    &stages_to_text(&s.offered),
                    &stages_to_text(&s.completed),
                    &s.user_id,
                    &failures,
                    &s.consumed,
                    &ms(s.version),
                    &s.address,
                    &s.requester,
                ],
            )
            .await
            .map_err(wrap)?;
        transaction.commit().await.map_err(wrap)?;
        Ok(Admission::Admitted)
    }

    async fn get(&self, id: &str) -> Result<Option<Session>, StoreError> {
        let client = self.pool.get().await.map_err(wrap)?;
        let statement = client
            .prepare_cached(concat!("SELECT ", session_columns!(), " FROM uia_sessions WHERE id = $1"))
            .await
            .map_err(wrap)?;
        let row = client.query_opt(&statement, &[&id]).await.map_err(wrap)?;
        Ok(row.as_ref().map(from_row))
    }

    async fn replace(&self, s: &Session) -> Result<bool, StoreError> {
        let client = self.pool.get().await.map_err(wrap)?;
        let statement = client
            .prepare_cached(
                "UPDATE uia_sessions SET completed = $2, user_id = $3, failures = $4, consumed = $5, \
                 version = $6, expires_ms = $7 WHERE id = $1 AND version = $8",
            )
            .await
            .map_err(wrap)?;
        let failures = s.failures as i32;
        let previous = ms(s.version.wrapping_sub(1));
        let changed = client
            .execute(
                &statement,
                &[
                    &s.id,
                    &stages_to_text(&s.completed),
                    &s.user_id,
                    &failures,
                    &s.consumed,
                    &ms(s.version),
                    &ms(s.expires_ms),
                    &previous,
                ],
            )
            .await
            .map_err(wrap)?;
        Ok(changed == 1)
    }

    async fn charge(&self, keys: &[(String, Limit)], now_ms: u64) -> Result<Admission, StoreError> {
        let now = ms(now_ms);
        let mut client = self.pool.get().await.map_err(wrap)?;
        let transaction = client.transaction().await.map_err(wrap)?;
        let mut sorted: Vec<&(String, Limit)> = keys.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let mut full: Option<i64> = None;
        let read = transaction
            .prepare_cached("SELECT count, window_end_ms FROM uia_failures WHERE key = $1")
            .await
            .map_err(wrap)?;
        for (key, limit) in &sorted {
            lock_key(&transaction, key).await?;
            let row = transaction.query_opt(&read, &[key]).await.map_err(wrap)?;
            let current = row.map(|row| (row.get::<_, i32>(0), row.get::<_, i64>(1)));
            if let Some((_, end)) =
                current.filter(|(count, end)| *end > now && i64::from(*count) >= i64::from(limit.max))
            {
                full = full.max(Some(end));
            }
        }
        if let Some(end) = full {
            return Ok(Admission::Limited { retry_after_ms: (end - now) as u64 });
        }
        let statement = transaction
            .prepare_cached(
                "INSERT INTO uia_failures (key, count, window_end_ms) VALUES ($1, 1, $2) \
                 ON CONFLICT (key) DO UPDATE SET \
                 count = CASE WHEN uia_failures.window_end_ms > $3 THEN uia_failures.count + 1 ELSE 1 END, \
                 window_end_ms = CASE WHEN uia_failures.window_end_ms > $3 \
                     THEN uia_failures.window_end_ms ELSE $2 END",
            )
            .await
            .map_err(wrap)?;
        for (key, limit) in sorted {
            let end = now.saturating_add(ms(limit.window_ms()));
            transaction.execute(&statement, &[key, &end, &now]).await.map_err(wrap)?;
        }
        transaction.commit().await.map_err(wrap)?;
        Ok(Admission::Admitted)
    }

    async fn refund(&self, keys: &[String], now_ms: u64) -> Result<(), StoreError> {
        let client = self.pool.get().await.map_err(wrap)?;
        let statement = client
            .prepare_cached(
                "UPDATE uia_failures SET count = count - 1 \
                 WHERE key = ANY($1) AND count > 0 AND window_end_ms > $2",
            )
            .await
            .map_err(wrap)?;
        client.execute(&statement, &[&keys, &ms(now_ms)]).await.map_err(wrap)?;
        Ok(())
    }

    async fn remove_expired(&self, now_ms: u64) -> Result<usize, StoreError> {
        let now = ms(now_ms);
        let mut client = self.pool.get().await.map_err(wrap)?;
        let transaction = client.transaction().await.map_err(wrap)?;
        let sweeping: bool = transaction
            .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&Self::SWEEP_LOCK])
            .await
            .map_err(wrap)?
            .get(0);
        if !sweeping {
            // Another worker is sweeping: what expired is its to remove.
            return Ok(0);
        }
        let removed = transaction
            .execute("DELETE FROM uia_sessions WHERE expires_ms <= $1", &[&now])
            .await
            .map_err(wrap)?;
        transaction
            .execute("DELETE FROM uia_failures WHERE window_end_ms <= $1", &[&now])
            .await
            .map_err(wrap)?;
        transaction.commit().await.map_err(wrap)?;
        Ok(removed as usize)
    }
}
