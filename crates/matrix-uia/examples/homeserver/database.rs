//! The homeserver's one database: an SQLite file, or PostgreSQL for workers
//! that share it (`--db postgres://…`). Users, devices and access tokens
//! live in it beside the engine's UIA sessions.
//!
//! The accounts' statements are written once, with `$1`-style parameters
//! that both SQLite and PostgreSQL read, in the order they first appear;
//! a parameter is text or bytes, and so is a column read back.

use std::error::Error;
use std::sync::{Arc, Mutex};

use matrix_uia::server::{
    Admission, Limit, PostgresStore, Session, SessionCaps, SessionStore, SqliteStore, StoreError,
};
use rusqlite::{Connection, OptionalExtension};

/// An error of either database, for the operator's log.
pub type DbError = Box<dyn Error + Send + Sync>;

/// The accounts' tables; `{bytes}` is the dialect's byte-string type.
const ACCOUNTS: &str = "
    CREATE TABLE IF NOT EXISTS users (user_id TEXT PRIMARY KEY, salt {bytes} NOT NULL, hash {bytes} NOT NULL);
    CREATE TABLE IF NOT EXISTS devices (access_token TEXT PRIMARY KEY, user_id TEXT NOT NULL,
        device_id TEXT NOT NULL);
";

/// Where the accounts live.
#[derive(Clone)]
pub enum Database {
    /// A file; its statements run on tokio's blocking threads.
    Sqlite(Arc<Mutex<Connection>>),
    /// A server, through the session store's pool.
    Postgres(deadpool_postgres::Pool),
}

/// The engine's session store on the same database.
pub enum Sessions {
    /// `SqliteStore` on the file.
    Sqlite(SqliteStore),
    /// `PostgresStore` on the server.
    Postgres(PostgresStore),
}

/// A statement's parameter.
pub enum Param {
    /// `TEXT`.
    Text(String),
    /// `BLOB` / `BYTEA`.
    Bytes(Vec<u8>),
}

/// A column read back.
pub enum Column {
    /// `TEXT`.
    Text(String),
    /// `BLOB` / `BYTEA`.
    Bytes(Vec<u8>),
}

impl Column {
    /// The text of a `TEXT` column.
    pub fn text(self) -> Option<String> {
        match self {
            Column::Text(text) => Some(text),
            Column::Bytes(_) => None,
        }
    }

    /// The bytes of a `BLOB` / `BYTEA` column.
    pub fn bytes(self) -> Option<Vec<u8>> {
        match self {
            Column::Bytes(bytes) => Some(bytes),
            Column::Text(_) => None,
        }
    }
}

/// Open `db` (a `postgres://` URL, or an SQLite file's path), create the
/// accounts' tables, and open the session store on it; `pool_size`
/// connections for PostgreSQL.
pub async fn open(db: &str, pool_size: usize) -> Result<(Database, Sessions), Box<dyn Error>> {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        let store = PostgresStore::connect(db, pool_size).await?;
        let client = store.pool().get().await?;
        client.batch_execute(&ACCOUNTS.replace("{bytes}", "BYTEA")).await?;
        return Ok((Database::Postgres(store.pool().clone()), Sessions::Postgres(store)));
    }
    let connection = Connection::open(db)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    // Several processes may share the file: wait for a writer's lock.
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    connection.execute_batch(&ACCOUNTS.replace("{bytes}", "BLOB"))?;
    Ok((Database::Sqlite(Arc::new(Mutex::new(connection))), Sessions::Sqlite(SqliteStore::open(db)?)))
}

impl Database {
    /// Run `sql`; the number of rows it changed.
    pub async fn execute(&self, sql: &'static str, params: Vec<Param>) -> Result<u64, DbError> {
        match self {
            Database::Sqlite(connection) => {
                let connection = connection.clone();
                blocking(move || {
                    let connection = connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    let changed =
                        connection.prepare_cached(sql)?.execute(rusqlite::params_from_iter(&params))?;
                    Ok(changed as u64)
                })
                .await
            }
            Database::Postgres(pool) => {
                let client = pool.get().await?;
                let statement = client.prepare_cached(sql).await?;
                Ok(client.execute(&statement, &postgres_params(&params)).await?)
            }
        }
    }

    /// The first row `sql` selects, if any.
    pub async fn query_row(
        &self,
        sql: &'static str,
        params: Vec<Param>,
    ) -> Result<Option<Vec<Column>>, DbError> {
        match self {
            Database::Sqlite(connection) => {
                let connection = connection.clone();
                blocking(move || {
                    let connection = connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    let mut statement = connection.prepare_cached(sql)?;
                    let width = statement.column_count();
                    let row = statement
                        .query_row(rusqlite::params_from_iter(&params), |row| {
                            (0..width)
                                .map(|i| sqlite_column(row.get_ref(i)?))
                                .collect::<rusqlite::Result<Vec<_>>>()
                        })
                        .optional()?;
                    Ok(row)
                })
                .await
            }
            Database::Postgres(pool) => {
                let client = pool.get().await?;
                let statement = client.prepare_cached(sql).await?;
                let Some(row) = client.query_opt(&statement, &postgres_params(&params)).await? else {
                    return Ok(None);
                };
                let columns = statement.columns().iter().enumerate().map(|(i, column)| {
                    if *column.type_() == tokio_postgres::types::Type::BYTEA {
                        Ok(Column::Bytes(row.try_get(i)?))
                    } else {
                        Ok(Column::Text(row.try_get(i)?))
                    }
                });
                Ok(Some(columns.collect::<Result<Vec<_>, tokio_postgres::Error>>()?))
            }
        }
    }
}

/// `work` on a blocking thread: SQLite must not hold up the executor.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> rusqlite::Result<T> + Send + 'static,
) -> Result<T, DbError> {
    let task = tokio::task::spawn_blocking(work);
    Ok(task.await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?)
}

impl rusqlite::ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Param::Text(text) => text.to_sql(),
            Param::Bytes(bytes) => bytes.to_sql(),
        }
    }
}

fn sqlite_column(value: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<Column> {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Text(text) => Ok(Column::Text(String::from_utf8_lossy(text).into_owned())),
        ValueRef::Blob(bytes) => Ok(Column::Bytes(bytes.to_vec())),
        other => Err(rusqlite::Error::InvalidColumnType(0, format!("{other:?}"), other.data_type())),
    }
}

fn postgres_params(params: &[Param]) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|param| match param {
            Param::Text(text) => text as &(dyn tokio_postgres::types::ToSql + Sync),
            Param::Bytes(bytes) => bytes,
        })
        .collect()
}

impl SessionStore for Sessions {
    async fn insert(&self, session: &Session, caps: SessionCaps) -> Result<Admission, StoreError> {
        match self {
            Sessions::Sqlite(store) => store.insert(session, caps).await,
            Sessions::Postgres(store) => store.insert(session, caps).await,
        }
    }

    async fn get(&self, id: &str) -> Result<Option<Session>, StoreError> {
        match self {
            Sessions::Sqlite(store) => store.get(id).await,
            Sessions::Postgres(store) => store.get(id).await,
        }
    }

    async fn replace(&self, session: &Session) -> Result<bool, StoreError> {
        match self {
            Sessions::Sqlite(store) => store.replace(session).await,
            Sessions::Postgres(store) => store.replace(session).await,
        }
    }

    async fn charge(&self, keys: &[(String, Limit)], now_ms: u64) -> Result<Admission, StoreError> {
        match self {
            Sessions::Sqlite(store) => store.charge(keys, now_ms).await,
            Sessions::Postgres(store) => store.charge(keys, now_ms).await,
        }
    }

    async fn refund(&self, keys: &[String], now_ms: u64) -> Result<(), StoreError> {
        match self {
            Sessions::Sqlite(store) => store.refund(keys, now_ms).await,
            Sessions::Postgres(store) => store.refund(keys, now_ms).await,
        }
    }

    async fn remove_expired(&self, now_ms: u64) -> Result<usize, StoreError> {
        match self {
            Sessions::Sqlite(store) => store.remove_expired(now_ms).await,
            Sessions::Postgres(store) => store.remove_expired(now_ms).await,
        }
    }
}
