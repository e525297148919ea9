//! The embedded ledger: one SQLite file in WAL mode with full sync, so a redemption the
//! service acknowledged survives the process being killed right after.
//!
//! Redemptions and reversals go through one writing connection and each opens its
//! transaction with `BEGIN IMMEDIATE`, which takes the file's write lock before reading: a
//! second process on the same file waits for it too, so check-then-insert never interleaves.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, migrate::MigrateError};

use super::procedure::{self, Statements};
use super::{
    Decide, Entry, Ledger, LedgerError, LedgerFuture, NewRedemption, Redeemed, Reversal, View,
};
use crate::value::time::format_instant;

/// How long a transaction waits for another process holding the file's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request waits for the writing connection before the ledger counts as not
/// answering.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);
const READERS: u32 = 4;

/// The ledger in one SQLite file: the embedded default, for one process.
pub struct SqliteLedger {
    /// The one connection that writes: redemptions queue for it in order.
    writer: SqlitePool,
    /// Connections that only read (WAL lets them read while a write is under way).
    readers: SqlitePool,
    file: PathBuf,
}

/// The columns an [`Entry`] is read from.
macro_rules! entry_columns {
    () => {
        "redemption_key, customer, offer, channel, decided_at, rules, recorded_at, reversed_at, \
         body_hash"
    };
}

impl SqliteLedger {
    /// Opens (or creates) the ledger file and brings its tables up to date.
    pub async fn open(file: &Path) -> Result<SqliteLedger, LedgerError> {
        let place = format!("sqlite:{}", file.display());
        let failed = |reason: String| LedgerError::Open {
            place: place.clone(),
            reason,
        };
        let options = SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options.clone())
            .await
            .map_err(|e| failed(e.to_string()))?;
        sqlx::migrate!("migrations/sqlite")
            .run(&writer)
            .await
            .map_err(|e| failed(migrate_words(&e)))?;
        let readers = SqlitePoolOptions::new()
            .max_connections(READERS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| failed(e.to_string()))?;
        Ok(SqliteLedger {
            writer,
            readers,
            file: file.to_path_buf(),
        })
    }

    /// The ledger's file.
    pub fn file(&self) -> &Path {
        &self.file
    }
}

pub(super) fn migrate_words(e: &MigrateError) -> String {
    match e {
        MigrateError::VersionMissing(v) => {
            format!("it was written by a newer honor (its migration {v} is unknown to this one)")
        }
        other => other.to_string(),
    }
}

fn entry(row: &SqliteRow) -> Result<Entry, sqlx::Error> {
    Ok(Entry {
        key: row.try_get("redemption_key")?,
        customer: row.try_get("customer")?,
        offer: row.try_get("offer")?,
        channel: row.try_get("channel")?,
        at: row.try_get("decided_at")?,
        rules: row.try_get("rules")?,
        recorded: row.try_get("recorded_at")?,
        reversed: row.try_get("reversed_at")?,
        body_hash: row.try_get("body_hash")?,
    })
}

async fn find(conn: &mut SqliteConnection, key: &str) -> Result<Option<Entry>, sqlx::Error> {
    sqlx::query(concat!(
        "SELECT ",
        entry_columns!(),
        " FROM redemptions WHERE redemption_key = ?"
    ))
    .bind(key)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(entry)
    .transpose()
}

impl Statements for SqliteConnection {
    async fn find(&mut self, key: &str, _for_update: bool) -> Result<Option<Entry>, sqlx::Error> {
        // `BEGIN IMMEDIATE` already serialises every writing transaction
        find(self, key).await
    }

    async fn view(&mut self, customer: &str, offer: &str) -> Result<View, sqlx::Error> {
        let redeemed: Vec<String> = sqlx::query_scalar(
            "SELECT offer FROM redemptions WHERE customer = ? AND reversed_at IS NULL \
             ORDER BY seq",
        )
        .bind(customer)
        .fetch_all(&mut *self)
        .await?;
        let used: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM redemptions WHERE offer = ? AND reversed_at IS NULL",
        )
        .bind(offer)
        .fetch_one(&mut *self)
        .await?;
        Ok(View {
            redeemed,
            used: u64::try_from(used).unwrap_or(0),
        })
    }

    async fn insert(&mut self, new: &NewRedemption) -> Result<String, sqlx::Error> {
        let recorded = format_instant(Utc::now());
        sqlx::query(
            "INSERT INTO redemptions (redemption_key, customer, offer, channel, decided_at, \
             rules, body_hash, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&new.key)
        .bind(&new.customer)
        .bind(&new.offer)
        .bind(&new.channel)
        .bind(&new.at)
        .bind(&new.rules)
        .bind(&new.body_hash)
        .bind(&recorded)
        .execute(&mut *self)
        .await?;
        Ok(recorded)
    }

    async fn mark_reversed(&mut self, key: &str) -> Result<String, sqlx::Error> {
        let now = format_instant(Utc::now());
        sqlx::query("UPDATE redemptions SET reversed_at = ? WHERE redemption_key = ?")
            .bind(&now)
            .bind(key)
            .execute(&mut *self)
            .await?;
        Ok(now)
    }
}

/// Commits what wrote; rolls back what only read.
async fn finish(tx: sqlx::Transaction<'_, sqlx::Sqlite>, wrote: bool) -> Result<(), sqlx::Error> {
    if wrote {
        tx.commit().await
    } else {
        tx.rollback().await
    }
}

async fn redeem(
    ledger: &SqliteLedger,
    new: &NewRedemption,
    decide: &mut Decide<'_>,
) -> Result<Redeemed, sqlx::Error> {
    let mut tx = ledger.writer.begin_with("BEGIN IMMEDIATE").await?;
    let (redeemed, wrote) = procedure::redeem(&mut *tx, new, decide).await?;
    finish(tx, wrote).await?;
    Ok(redeemed)
}

async fn reverse(ledger: &SqliteLedger, key: &str) -> Result<Option<Reversal>, sqlx::Error> {
    let mut tx = ledger.writer.begin_with("BEGIN IMMEDIATE").await?;
    let (reversal, wrote) = procedure::reverse(&mut *tx, key).await?;
    finish(tx, wrote).await?;
    Ok(reversal)
}

impl Ledger for SqliteLedger {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn redeemed<'a>(&'a self, customer: &'a str) -> LedgerFuture<'a, Vec<String>> {
        Box::pin(async move {
            sqlx::query_scalar(
                "SELECT offer FROM redemptions WHERE customer = ? AND reversed_at IS NULL \
                 ORDER BY seq",
            )
            .bind(customer)
            .fetch_all(&self.readers)
            .await
            .map_err(LedgerError::unavailable)
        })
    }

    fn budget_use<'a>(&'a self, offers: &'a [String]) -> LedgerFuture<'a, BTreeMap<String, u64>> {
        Box::pin(async move {
            if offers.is_empty() {
                return Ok(BTreeMap::new());
            }
            // The ids travel as one JSON array, read back by SQLite's json_each.
            let ids = serde_json::to_string(offers)
                .map_err(|e| LedgerError::Unavailable(e.to_string()))?;
            let rows: Vec<(String, i64)> = sqlx::query_as(
                "SELECT offer, count(*) FROM redemptions WHERE reversed_at IS NULL \
                 AND offer IN (SELECT value FROM json_each(?)) GROUP BY offer",
            )
            .bind(ids)
            .fetch_all(&self.readers)
            .await
            .map_err(LedgerError::unavailable)?;
            Ok(rows
                .into_iter()
                .map(|(offer, n)| (offer, u64::try_from(n).unwrap_or(0)))
                .collect())
        })
    }

    fn find<'a>(&'a self, key: &'a str) -> LedgerFuture<'a, Option<Entry>> {
        Box::pin(async move {
            let mut conn = self
                .readers
                .acquire()
                .await
                .map_err(LedgerError::unavailable)?;
            find(&mut conn, key).await.map_err(LedgerError::unavailable)
        })
    }

    fn redeem<'a>(
        &'a self,
        new: &'a NewRedemption,
        decide: &'a mut Decide<'_>,
    ) -> LedgerFuture<'a, Redeemed> {
        Box::pin(async move {
            redeem(self, new, decide)
                .await
                .map_err(LedgerError::unavailable)
        })
    }

    fn reverse<'a>(&'a self, key: &'a str) -> LedgerFuture<'a, Option<Reversal>> {
        Box::pin(async move { reverse(self, key).await.map_err(LedgerError::unavailable) })
    }

    fn entries<'a>(&'a self, customer: &'a str, newest: u32) -> LedgerFuture<'a, Vec<Entry>> {
        Box::pin(async move {
            let rows = sqlx::query(concat!(
                "SELECT ",
                entry_columns!(),
                " FROM (SELECT * FROM redemptions WHERE customer = ? ORDER BY seq DESC LIMIT ?) \
                 AS newest ORDER BY seq"
            ))
            .bind(customer)
            .bind(i64::from(newest))
            .fetch_all(&self.readers)
            .await
            .map_err(LedgerError::unavailable)?;
            rows.iter()
                .map(entry)
                .collect::<Result<_, _>>()
                .map_err(LedgerError::unavailable)
        })
    }

    fn close(&self) -> LedgerFuture<'_, ()> {
        Box::pin(async move {
            self.readers.close().await;
            self.writer.close().await;
            Ok(())
        })
    }
}
