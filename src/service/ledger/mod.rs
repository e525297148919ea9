//! The redemption ledger every channel shares. One trait, two backends: SQLite (the embedded
//! default, one file) and PostgreSQL (the database several service processes share).
//!
//! A redemption is checked and recorded in one transaction: the ledger reads the customer's
//! redemptions and the offer's count, asks the caller's decision function whether the offer
//! is eligible with them, and inserts only then. Each backend serialises those transactions
//! per customer and offer (and per offer for budgets), so no interleaving of requests — on
//! one process or several — records more than a `limit` or a `budget` allows.

pub mod postgres;
mod procedure;
pub mod read;
pub mod sqlite;
pub mod url;

pub use url::{DEFAULT_LEDGER, LedgerUrl};

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The longest idempotency key, in characters.
pub const MAX_KEY_CHARS: usize = 200;

/// What a ledger operation returns, boxed so the trait can be used as `dyn Ledger`.
pub type LedgerFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, LedgerError>> + Send + 'a>>;

/// The ledger could not do what was asked: it could not be opened, or it did not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// The ledger named by `place` could not be opened or created, for `reason`.
    #[error("cannot open the ledger `{place}`: {reason}")]
    Open {
        /// The ledger as `--ledger` names it, without a password.
        place: String,
        /// What the database said.
        reason: String,
    },
    /// The database failed or did not answer in time.
    #[error("the ledger did not answer: {0}")]
    Unavailable(String),
}

impl LedgerError {
    fn unavailable(e: sqlx::Error) -> LedgerError {
        LedgerError::Unavailable(e.to_string())
    }
}

/// A redemption to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRedemption {
    /// The caller's idempotency key (1–200 characters).
    pub key: String,
    /// The customer's id, as the channel knows it.
    pub customer: String,
    /// The offer's id.
    pub offer: String,
    /// The channel that redeemed it.
    pub channel: String,
    /// The instant the offer was decided at, RFC 3339 in UTC.
    pub at: String,
    /// The fingerprint of the rule set that decided it.
    pub rules: String,
    /// A hash of the request, so a repeat of the key can be told from a reuse.
    pub body_hash: String,
    /// Whether the offer has a budget: its redemptions, all customers together, are then
    /// serialised too.
    pub budgeted: bool,
}

/// One entry of the ledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = Redemption)]
pub struct Entry {
    /// The idempotency key it was recorded with.
    pub key: String,
    /// The customer's id.
    pub customer: String,
    /// The offer's id.
    pub offer: String,
    /// The channel that redeemed it.
    pub channel: String,
    /// The instant the offer was decided at, RFC 3339 in UTC.
    pub at: String,
    /// The fingerprint of the rule set that decided it.
    pub rules: String,
    /// When the ledger recorded it (UTC).
    pub recorded: String,
    /// When it was reversed, or `None` while it counts.
    pub reversed: Option<String>,
    /// The request's hash, which tells a repeat of the key from a reuse.
    #[serde(skip)]
    #[schema(ignore)]
    pub body_hash: String,
}

/// What the ledger holds when a redemption is decided, inside its transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    /// The customer's unreversed redemptions: offer ids, one per redemption.
    pub redeemed: Vec<String>,
    /// The offer's unreversed redemptions, all customers together.
    pub used: u64,
}

/// Decides, from the ledger's view, whether the redemption may be recorded (the offer is
/// eligible). Called inside the transaction; it may be called again if the transaction is
/// retried, so it must only decide.
pub type Decide<'a> = dyn FnMut(&View) -> bool + Send + 'a;

/// What a redemption did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redeemed {
    /// Recorded now.
    Recorded(Entry),
    /// The key was recorded before with the same request: nothing new recorded.
    Replayed(Entry),
    /// The key was recorded before with another request: nothing recorded.
    KeyReused(Entry),
    /// The decision said no: nothing recorded.
    Refused,
}

impl Redeemed {
    /// What a key found already in the ledger comes to: the same request answered again, or
    /// the key reused for another.
    pub(crate) fn existing(found: Entry, new: &NewRedemption) -> Redeemed {
        if found.body_hash == new.body_hash {
            Redeemed::Replayed(found)
        } else {
            Redeemed::KeyReused(found)
        }
    }
}

/// A reversal: the entry as it is now, and whether it had been reversed already.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reversal {
    /// The entry, now reversed.
    pub entry: Entry,
    /// It had been reversed before: nothing changed.
    pub repeated: bool,
}

/// A redemption ledger.
pub trait Ledger: Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// The customer's unreversed redemptions: offer ids, one per redemption, in the order
    /// recorded.
    fn redeemed<'a>(&'a self, customer: &'a str) -> LedgerFuture<'a, Vec<String>>;

    /// Unreversed redemptions of each of `offers`, all customers together (offers with none
    /// are absent).
    fn budget_use<'a>(&'a self, offers: &'a [String]) -> LedgerFuture<'a, BTreeMap<String, u64>>;

    /// The entry with this key, reversed or not.
    fn find<'a>(&'a self, key: &'a str) -> LedgerFuture<'a, Option<Entry>>;

    /// Looks the key up, and when it is new decides with the ledger's view and records the
    /// redemption if `decide` says so, all in one serialised transaction.
    fn redeem<'a>(
        &'a self,
        new: &'a NewRedemption,
        decide: &'a mut Decide<'_>,
    ) -> LedgerFuture<'a, Redeemed>;

    /// Marks the redemption with this key reversed (kept, no longer counted); `None` when the
    /// key is unknown.
    fn reverse<'a>(&'a self, key: &'a str) -> LedgerFuture<'a, Option<Reversal>>;

    /// The customer's `newest` most recent entries, reversed ones too, in the order
    /// recorded.
    fn entries<'a>(&'a self, customer: &'a str, newest: u32) -> LedgerFuture<'a, Vec<Entry>>;

    /// Waits for the connections to finish and closes them.
    fn close(&self) -> LedgerFuture<'_, ()>;
}

/// Opens the ledger `--ledger` names, creating its tables when absent; `None` for `none`.
pub async fn open(url: &LedgerUrl) -> Result<Option<Arc<dyn Ledger>>, LedgerError> {
    Ok(match url {
        LedgerUrl::None => None,
        LedgerUrl::Sqlite(file) => Some(Arc::new(sqlite::SqliteLedger::open(file.as_ref()).await?)),
        LedgerUrl::Postgres(url) => Some(Arc::new(postgres::PostgresLedger::open(url).await?)),
    })
}

/// The hash of a request body that tells a repeat from a reuse of a key: SHA-256 of the JSON
/// with object keys sorted, so spacing and key order do not matter.
pub fn body_hash(body: &serde_json::Value) -> String {
    let mut canonical = String::new();
    write_canonical(body, &mut canonical);
    let digest = Sha256::digest(canonical.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

fn write_canonical(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_hash_ignores_spacing_and_key_order() {
        let a: serde_json::Value =
            serde_json::from_str(r#"{"key":"k1","context":{"a":1,"b":[1,2]}}"#).unwrap();
        let b: serde_json::Value =
            serde_json::from_str(r#"{ "context": {"b": [1, 2], "a": 1}, "key": "k1" }"#).unwrap();
        let c: serde_json::Value =
            serde_json::from_str(r#"{"key":"k1","context":{"a":2,"b":[1,2]}}"#).unwrap();
        assert_eq!(body_hash(&a), body_hash(&b));
        assert_ne!(body_hash(&a), body_hash(&c));
    }
}
