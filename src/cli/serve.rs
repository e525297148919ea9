//! `honor serve`: the decision service (see `crate::service`).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{CliError, Exit};
use crate::service::ledger::{DEFAULT_LEDGER, LedgerUrl};
use crate::service::{self, Config, DEFAULT_LISTEN};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The address to listen on; beyond loopback only with --tokens
    #[arg(long, default_value = DEFAULT_LISTEN, value_name = "ADDR")]
    listen: String,
    /// Where redemptions are recorded: sqlite:FILE, postgres://user@host/db, or none
    #[arg(long, default_value = DEFAULT_LEDGER, value_name = "URL")]
    ledger: String,
    /// Keep every decision served and every rule set loaded in this folder
    #[arg(long, value_name = "DIR")]
    records: Option<PathBuf>,
    /// Lines `<channel|*> <token>`: every request then needs `Authorization: Bearer <token>`
    #[arg(long, value_name = "FILE")]
    tokens: Option<PathBuf>,
}

pub fn run(rules: &Path, args: Args, err: &mut dyn Write) -> Exit {
    let ledger = LedgerUrl::parse(&args.ledger).map_err(|m| CliError::Other(m.to_string()))?;
    let config = Config {
        rules: rules.to_path_buf(),
        listen: args.listen,
        ledger,
        records: args.records,
        tokens: args.tokens,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Other(format!("cannot start the service: {e}")))?;
    runtime
        .block_on(service::run(config, |line| {
            let _ = writeln!(err, "{line}");
            let _ = err.flush();
        }))
        .map_err(|m| CliError::Other(m.to_string()))?;
    Ok(0)
}
