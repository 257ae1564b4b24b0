//! The service's database: a sea-orm connection to PostgreSQL or SQLite, migrations at start-up,
//! and the unit of work (one transaction) that every state change and its events go through.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use tokio::sync::Notify;

/// How long a SQLite writer waits for another to finish before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a call waits for a pooled connection unless the settings say otherwise
/// (`DATABASE_ACQUIRE_TIMEOUT_SECS`).
const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// Any constant will do: it only has to be the same for every replica running migrations.
const MIGRATION_LOCK_KEY: i64 = 0x636f_6d6d_6973_7369;

/// A boxed future borrowing the transaction, as the unit-of-work closure returns.
pub type TxFuture<'t, T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send + 't>>;

/// A pooled connection, plus a signal raised after every committed unit of work so the outbox
/// relay publishes at once instead of waiting for its next poll.
#[derive(Clone)]
pub struct Database {
    conn: DatabaseConnection,
    committed: Arc<Notify>,
}

impl Database {
    /// Connects to `postgres://...` or `sqlite://...`. SQLite files are created (with their
    /// folder) and run in WAL mode with a busy timeout.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DbErr> {
        Self::connect_waiting(url, max_connections, DEFAULT_ACQUIRE_TIMEOUT).await
    }

    /// As [`Database::connect`], with calls waiting at most `acquire_timeout` for a connection
    /// (or to make one) before failing, so an unreachable database fails fast instead of hanging.
    pub async fn connect_waiting(url: &str, max_connections: u32, acquire_timeout: Duration) -> Result<Self, DbErr> {
        let folder = sqlite_file(url).and_then(|path| Path::new(path).parent());
        if let Some(folder) = folder.filter(|folder| !folder.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder)
                .map_err(|error| DbErr::Custom(format!("cannot create {}: {error}", folder.display())))?;
        }
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(max_connections)
            .acquire_timeout(acquire_timeout)
            .connect_timeout(acquire_timeout)
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|options| {
                options
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    .foreign_keys(true)
            });
        let conn = sea_orm::Database::connect(options).await?;
        Ok(Self { conn, committed: Arc::new(Notify::new()) })
    }

    /// Applies pending migrations. On PostgreSQL an advisory lock lets several replicas start at
    /// once without racing each other.
    pub async fn migrate<M: MigratorTrait>(&self) -> Result<(), DbErr> {
        let txn = self.begin().await?;
        if txn.get_database_backend() == DatabaseBackend::Postgres {
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")).await?;
        }
        M::up(&txn, None).await?;
        txn.commit().await
    }

    /// The pooled connection, for reads outside a unit of work.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Which engine this is.
    pub fn backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }

    /// Whether the database answers a ping now.
    pub async fn is_reachable(&self) -> bool {
        self.conn.ping().await.is_ok()
    }

    /// Raised after each committed unit of work.
    pub fn committed(&self) -> Arc<Notify> {
        self.committed.clone()
    }

    /// Begins a transaction. On SQLite it takes the write lock at once, so a transaction that
    /// reads before it writes cannot fail half-way when another writer got in first.
    pub async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        self.conn.begin_with_options(options).await
    }

    /// Commits `txn` and wakes the outbox relay.
    pub async fn commit(&self, txn: DatabaseTransaction) -> Result<(), DbErr> {
        txn.commit().await?;
        self.committed.notify_waiters();
        Ok(())
    }

    /// Runs `work` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    /// State changes, their outbox events, inbox marks and audit rows written through `txn`
    /// land together or not at all.
    pub async fn unit_of_work<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send,
        E: From<DbErr> + Send,
        F: for<'t> FnOnce(&'t DatabaseTransaction) -> TxFuture<'t, T, E> + Send,
    {
        let txn = self.begin().await?;
        match work(&txn).await {
            Ok(value) => {
                self.commit(txn).await?;
                Ok(value)
            }
            Err(error) => {
                // The caller's error matters more than a failed rollback, which the pool undoes anyway.
                let _ = txn.rollback().await;
                Err(error)
            }
        }
    }
}

/// The file behind a `sqlite://` URL, unless it is in memory.
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// The database's clock, which decides deadlines: PostgreSQL's `clock_timestamp()` (the real time,
/// not the transaction's start) or SQLite's current time, to the millisecond.
pub async fn database_now<C: ConnectionTrait>(db: &C) -> Result<chrono::DateTime<chrono::Utc>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS micros",
        _ => "SELECT CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER) AS micros",
    };
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(backend, sql))
        .await?
        .ok_or_else(|| DbErr::Custom("the database did not tell the time".into()))?;
    let micros: i64 = row.try_get("", "micros")?;
    chrono::DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| DbErr::Custom(format!("the database's clock reads {micros} microseconds, out of range")))
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn finds_the_file_of_a_sqlite_url() {
        assert_eq!(sqlite_file("sqlite://./data/providers.sqlite?mode=rwc"), Some("./data/providers.sqlite"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/db"), None);
    }
}
