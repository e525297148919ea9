//! The redemption ledger every channel shares, for a program that records redemptions itself
//! rather than through `honor serve`: SQLite (one file, the embedded default) or PostgreSQL
//! (shared by several processes). A redemption is checked and recorded in one serialised
//! transaction, so no interleaving of requests records more than a `limit` or a `budget`
//! allows.

pub use crate::service::ledger::postgres::PostgresLedger;
pub use crate::service::ledger::sqlite::SqliteLedger;
pub use crate::service::ledger::{
    Decide, Entry, Ledger, LedgerError, LedgerFuture, NewRedemption, Redeemed, Reversal, View,
};
