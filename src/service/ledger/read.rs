//! The command line's read-only look at a ledger: with `--ledger URL`, `honor check` and
//! `honor parity` count the redemptions of the offers that have a budget, so `budget` clauses
//! decide instead of being unknown. Nothing is created or written: a file or database without
//! a ledger is an error.

use std::collections::BTreeMap;
use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use super::LedgerUrl;
use crate::engine::ruleset::RuleSet;

/// The offers of the rule set that have a budget, whose counts a decision needs.
pub fn budgeted_offers(rules: &RuleSet) -> Vec<String> {
    rules
        .model
        .offers
        .iter()
        .zip(&rules.offers)
        .filter(|(_, compiled)| compiled.budget.is_some())
        .map(|(model, _)| model.id.clone())
        .collect()
}

/// Unreversed redemptions of each budgeted offer of `rules`, read from the ledger `url` names.
pub fn budget_use(url: &str, rules: &RuleSet) -> Result<BTreeMap<String, u64>, String> {
    let ledger = LedgerUrl::parse(url)?;
    let offers = budgeted_offers(rules);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot read the ledger `{ledger}`: {e}"))?;
    let counted = runtime.block_on(async {
        match &ledger {
            LedgerUrl::None => Err(String::from(
                "--ledger none attaches no ledger; leave --ledger out instead",
            )),
            LedgerUrl::Sqlite(file) => {
                let mut conn = SqliteConnectOptions::new()
                    .filename(file)
                    .read_only(true)
                    .create_if_missing(false)
                    .connect()
                    .await
                    .map_err(|e| e.to_string())?;
                let ids = serde_json::to_string(&offers).map_err(|e| e.to_string())?;
                let rows: Result<Vec<(String, i64)>, _> = sqlx::query_as(
                    "SELECT offer, count(*) FROM redemptions WHERE reversed_at IS NULL \
                     AND offer IN (SELECT value FROM json_each(?)) GROUP BY offer",
                )
                .bind(ids)
                .fetch_all(&mut conn)
                .await;
                let _ = conn.close().await;
                rows.map_err(|e| e.to_string())
            }
            LedgerUrl::Postgres(url) => {
                let mut conn = PgConnectOptions::from_str(url)
                    .map_err(|e| e.to_string())?
                    .connect()
                    .await
                    .map_err(|e| e.to_string())?;
                let rows: Result<Vec<(String, i64)>, _> = sqlx::query_as(
                    "SELECT offer, count(*) FROM redemptions WHERE reversed_at IS NULL \
                     AND offer = ANY($1) GROUP BY offer",
                )
                .bind(&offers)
                .fetch_all(&mut conn)
                .await;
                let _ = conn.close().await;
                rows.map_err(|e| e.to_string())
            }
        }
    });
    let rows = counted.map_err(|e| {
        if e.contains("no such table") || e.contains("does not exist") {
            format!("cannot read the ledger `{ledger}`: it holds no redemptions table")
        } else {
            format!("cannot read the ledger `{ledger}`: {e}")
        }
    })?;
    Ok(rows
        .into_iter()
        .map(|(offer, n)| (offer, u64::try_from(n).unwrap_or(0)))
        .collect())
}
