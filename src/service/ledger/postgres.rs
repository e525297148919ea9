//! The shared ledger: one PostgreSQL database that several service processes use at once.
//!
//! A redemption's transaction first takes transaction-scoped advisory locks — the offer's
//! when it has a budget, then the customer's for that offer — and only then reads the key,
//! the customer's redemptions and the offer's count. Every process takes the same locks in
//! the same order, so checks and inserts for one customer and offer (or one budgeted offer)
//! run one after another whichever process serves them, and the locks end with the
//! transaction, even when a process dies holding them.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use sha2::{Digest, Sha256};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::{ConnectOptions, Connection, Row};

use super::procedure::{self, Statements};
use super::sqlite::migrate_words;
use super::{
    Decide, Entry, Ledger, LedgerError, LedgerFuture, LedgerUrl, NewRedemption, Redeemed, Reversal,
    View,
};
use crate::value::time::format_instant;

const MAX_CONNECTIONS: u32 = 16;
/// How long a request waits for a connection (or for the server to answer one) before the
/// ledger counts as not answering.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// How many times a transaction that lost a race on the key (or that the server chose as a
/// deadlock victim) starts again.
const ATTEMPTS: u32 = 8;

/// The ledger in a PostgreSQL database, which several `honor serve` processes can share.
pub struct PostgresLedger {
    pool: PgPool,
}

/// The columns an [`Entry`] is read from.
macro_rules! entry_columns {
    () => {
        "redemption_key, customer, offer, channel, decided_at, rules, recorded_at, reversed_at, \
         body_hash"
    };
}

impl PostgresLedger {
    /// Connects to the database at `url` and brings its tables up to date.
    pub async fn open(url: &str) -> Result<PostgresLedger, LedgerError> {
        let options = PgConnectOptions::from_str(url).map_err(|e| LedgerError::Open {
            place: shown(url),
            reason: e.to_string(),
        })?;
        PostgresLedger::connect_as(options, shown(url)).await
    }

    /// Connects with `options` (tests use them to pick a schema) and brings the tables up to
    /// date.
    pub async fn connect(options: PgConnectOptions) -> Result<PostgresLedger, LedgerError> {
        let place = format!(
            "postgres://{}@{}:{}/{}",
            options.get_username(),
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or_default()
        );
        PostgresLedger::connect_as(options, place).await
    }

    async fn connect_as(
        options: PgConnectOptions,
        place: String,
    ) -> Result<PostgresLedger, LedgerError> {
        let failed = |reason: String| LedgerError::Open {
            place: place.clone(),
            reason,
        };
        // One connection first: the pool would retry until its timeout and hide why.
        let probe = tokio::time::timeout(ACQUIRE_TIMEOUT, options.connect())
            .await
            .map_err(|_| {
                failed(format!(
                    "the server did not answer within {} seconds",
                    ACQUIRE_TIMEOUT.as_secs()
                ))
            })?
            .map_err(|e| failed(e.to_string()))?;
        let _ = probe.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| failed(e.to_string()))?;
        sqlx::migrate!("migrations/postgres")
            .run(&pool)
            .await
            .map_err(|e| failed(migrate_words(&e)))?;
        Ok(PostgresLedger { pool })
    }
}

/// A connection URL as messages show it: without its password.
fn shown(url: &str) -> String {
    LedgerUrl::Postgres(url.to_string()).to_string()
}

/// The advisory lock that serialises what `parts` names: 64 bits of a SHA-256 of the parts,
/// each followed by a zero byte so that no two lists of parts run together.
fn lock_id(parts: &[&str]) -> i64 {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

fn entry(row: &PgRow) -> Result<Entry, sqlx::Error> {
    let recorded: DateTime<Utc> = row.try_get("recorded_at")?;
    let reversed: Option<DateTime<Utc>> = row.try_get("reversed_at")?;
    Ok(Entry {
        key: row.try_get("redemption_key")?,
        customer: row.try_get("customer")?,
        offer: row.try_get("offer")?,
        channel: row.try_get("channel")?,
        at: row.try_get("decided_at")?,
        rules: row.try_get("rules")?,
        recorded: format_instant(recorded),
        reversed: reversed.map(format_instant),
        body_hash: row.try_get("body_hash")?,
    })
}

async fn find(conn: &mut PgConnection, key: &str) -> Result<Option<Entry>, sqlx::Error> {
    find_row(conn, key, false).await
}

async fn find_row(
    conn: &mut PgConnection,
    key: &str,
    for_update: bool,
) -> Result<Option<Entry>, sqlx::Error> {
    // The row lock keeps two reversals of one key from both saying they were first.
    let sql = if for_update {
        concat!(
            "SELECT ",
            entry_columns!(),
            " FROM redemptions WHERE redemption_key = $1 FOR UPDATE"
        )
    } else {
        concat!(
            "SELECT ",
            entry_columns!(),
            " FROM redemptions WHERE redemption_key = $1"
        )
    };
    sqlx::query(sql)
        .bind(key)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(entry)
        .transpose()
}

async fn lock(conn: &mut PgConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Now, as PostgreSQL keeps it (to the microsecond).
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

impl Statements for PgConnection {
    async fn find(&mut self, key: &str, for_update: bool) -> Result<Option<Entry>, sqlx::Error> {
        find_row(self, key, for_update).await
    }

    async fn view(&mut self, customer: &str, offer: &str) -> Result<View, sqlx::Error> {
        // Read committed: each statement sees every transaction committed before the
        // transaction's locks were granted.
        let redeemed: Vec<String> = sqlx::query_scalar(
            "SELECT offer FROM redemptions WHERE customer = $1 AND reversed_at IS NULL \
             ORDER BY seq",
        )
        .bind(customer)
        .fetch_all(&mut *self)
        .await?;
        let used: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM redemptions WHERE offer = $1 AND reversed_at IS NULL",
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
        let recorded = now();
        sqlx::query(
            "INSERT INTO redemptions (redemption_key, customer, offer, channel, decided_at, \
             rules, body_hash, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&new.key)
        .bind(&new.customer)
        .bind(&new.offer)
        .bind(&new.channel)
        .bind(&new.at)
        .bind(&new.rules)
        .bind(&new.body_hash)
        .bind(recorded)
        .execute(&mut *self)
        .await?;
        Ok(format_instant(recorded))
    }

    async fn mark_reversed(&mut self, key: &str) -> Result<String, sqlx::Error> {
        let at = now();
        sqlx::query("UPDATE redemptions SET reversed_at = $1 WHERE redemption_key = $2")
            .bind(at)
            .bind(key)
            .execute(&mut *self)
            .await?;
        Ok(format_instant(at))
    }
}

async fn try_redeem(
    pool: &PgPool,
    new: &NewRedemption,
    decide: &mut Decide<'_>,
) -> Result<Redeemed, sqlx::Error> {
    let mut tx = pool.begin().await?;
    if new.budgeted {
        lock(&mut tx, lock_id(&["budget", &new.offer])).await?;
    }
    lock(&mut tx, lock_id(&["limit", &new.offer, &new.customer])).await?;
    let (redeemed, wrote) = procedure::redeem(&mut *tx, new, decide).await?;
    finish(tx, wrote).await?;
    Ok(redeemed)
}

/// Commits what wrote; rolls back what only read.
async fn finish(tx: sqlx::Transaction<'_, sqlx::Postgres>, wrote: bool) -> Result<(), sqlx::Error> {
    if wrote {
        tx.commit().await
    } else {
        tx.rollback().await
    }
}

/// Whether starting the transaction again can succeed: the key was inserted by a concurrent
/// request (unique violation), or the server broke a deadlock or a serialisation conflict.
fn retryable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            matches!(db.code().as_deref(), Some("23505" | "40001" | "40P01"))
        }
        _ => false,
    }
}

async fn reverse(pool: &PgPool, key: &str) -> Result<Option<Reversal>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let (reversal, wrote) = procedure::reverse(&mut *tx, key).await?;
    finish(tx, wrote).await?;
    Ok(reversal)
}

impl Ledger for PostgresLedger {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn redeemed<'a>(&'a self, customer: &'a str) -> LedgerFuture<'a, Vec<String>> {
        Box::pin(async move {
            sqlx::query_scalar(
                "SELECT offer FROM redemptions WHERE customer = $1 AND reversed_at IS NULL \
                 ORDER BY seq",
            )
            .bind(customer)
            .fetch_all(&self.pool)
            .await
            .map_err(LedgerError::unavailable)
        })
    }

    fn budget_use<'a>(&'a self, offers: &'a [String]) -> LedgerFuture<'a, BTreeMap<String, u64>> {
        Box::pin(async move {
            if offers.is_empty() {
                return Ok(BTreeMap::new());
            }
            let rows: Vec<(String, i64)> = sqlx::query_as(
                "SELECT offer, count(*) FROM redemptions WHERE reversed_at IS NULL \
                 AND offer = ANY($1) GROUP BY offer",
            )
            .bind(offers)
            .fetch_all(&self.pool)
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
                .pool
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
            let mut attempt = 1;
            loop {
                match try_redeem(&self.pool, new, decide).await {
                    Err(e) if attempt < ATTEMPTS && retryable(&e) => {
                        attempt += 1;
                        tokio::time::sleep(Duration::from_millis(u64::from(attempt) * 2)).await;
                    }
                    other => return other.map_err(LedgerError::unavailable),
                }
            }
        })
    }

    fn reverse<'a>(&'a self, key: &'a str) -> LedgerFuture<'a, Option<Reversal>> {
        Box::pin(async move {
            reverse(&self.pool, key)
                .await
                .map_err(LedgerError::unavailable)
        })
    }

    fn entries<'a>(&'a self, customer: &'a str, newest: u32) -> LedgerFuture<'a, Vec<Entry>> {
        Box::pin(async move {
            let rows = sqlx::query(concat!(
                "SELECT ",
                entry_columns!(),
                " FROM (SELECT * FROM redemptions WHERE customer = $1 ORDER BY seq DESC LIMIT $2) \
                 AS newest ORDER BY seq"
            ))
            .bind(customer)
            .bind(i64::from(newest))
            .fetch_all(&self.pool)
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
            self.pool.close().await;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            shown("postgres://me:hunter2@db/ledger"),
            "postgres://me:***@db/ledger"
        );
        assert_eq!(shown("postgres://me@db/ledger"), "postgres://me@db/ledger");
    }

    #[test]
    fn lock_ids_keep_their_parts_apart() {
        assert_ne!(
            lock_id(&["limit", "ab", "c"]),
            lock_id(&["limit", "a", "bc"])
        );
        assert_eq!(lock_id(&["budget", "x"]), lock_id(&["budget", "x"]));
    }
}
