//! `honor parity`: each channel's own context for the same customer, decided and compared,
//! to find the data one channel lacks. Exit 1 when honoring channels disagree.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{CliError, Exit, OutputFormat, instant, load_context, load_rules};
use crate::render;
use crate::service::ledger::read::budget_use;
use crate::tools::parity::{Side, compare};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A channel and the context its systems hold, like `store=store.yaml`; at least two
    #[arg(long = "context", value_name = "CHANNEL=FILE", required = true)]
    contexts: Vec<String>,
    /// The instant to decide at (RFC 3339); default now
    #[arg(long, value_name = "INSTANT")]
    at: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// A redemption ledger (sqlite:FILE or postgres://…), read only, for `budget` clauses
    #[arg(long, value_name = "URL")]
    ledger: Option<String>,
}

pub fn run(rules_path: &Path, args: Args, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let at = instant(args.at.as_deref())?;
    let rules = load_rules(rules_path, at)?;
    let mut given: Vec<(usize, PathBuf)> = Vec::new();
    for item in &args.contexts {
        let Some((name, file)) = item.split_once('=') else {
            return Err(CliError::ParityPair(item.clone()));
        };
        if file.is_empty() {
            return Err(CliError::ParityNoFile(item.clone()));
        }
        let channel = rules.channel(name)?;
        if given.iter().any(|(c, _)| *c == channel) {
            return Err(CliError::ParityTwice(name.to_string()));
        }
        given.push((channel, PathBuf::from(file)));
    }
    if given.len() < 2 {
        return Err(CliError::ParityOne);
    }
    let mut contexts = given
        .iter()
        .map(|(_, file)| load_context(file, &rules, &mut *err))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(url) = &args.ledger {
        let used = budget_use(url, &rules).map_err(|m| CliError::Other(m.to_string()))?;
        for ctx in &mut contexts {
            ctx.set_budget_use(used.clone());
        }
    }
    let sides: Vec<Side> = given
        .iter()
        .zip(&contexts)
        .map(|((channel, file), context)| Side {
            channel: *channel,
            source: file.display().to_string(),
            context,
        })
        .collect();
    let report = compare(&rules, &sides, at);
    let text = match args.format {
        OutputFormat::Json => render::json(&report),
        OutputFormat::Text => crate::tools::parity::text::render(&report),
    };
    out.write_all(text.as_bytes())?;
    Ok(if report.same { 0 } else { 1 })
}
