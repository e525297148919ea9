//! `honor offers`: what is live now and how each channel honors it — the knowledge base for
//! every agent. With `--code`, the offer behind a code a customer reads out.

use std::io::Write;
use std::path::Path;

use super::{CliError, Exit, OutputFormat, instant, load_rules};
use crate::render;
use crate::service::ledger::read::budget_use;
use crate::tools::offers::{Query, listing};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Show the offers as this channel sees them (offers it does not honor stay, marked)
    #[arg(long, value_name = "NAME")]
    channel: Option<String>,
    /// The instant to list at (RFC 3339); default now
    #[arg(long, value_name = "INSTANT")]
    at: Option<String>,
    /// Find the offer behind a code read out loud (any case; spaces and dashes do not count;
    /// O is 0 and I is 1); exit 1 if none has it, suggesting the closest live codes
    #[arg(long, value_name = "CODE")]
    code: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// A redemption ledger (sqlite:FILE or postgres://…), read only, to say how much of each
    /// `budget` is left
    #[arg(long, value_name = "URL")]
    ledger: Option<String>,
}

pub fn run(rules_path: &Path, args: Args, out: &mut dyn Write) -> Exit {
    let at = instant(args.at.as_deref())?;
    let rules = load_rules(rules_path, at)?;
    let channel = args
        .channel
        .as_deref()
        .map(|name| rules.channel(name))
        .transpose()?;
    let used = match &args.ledger {
        Some(url) => Some(budget_use(url, &rules).map_err(|m| CliError::Other(m.to_string()))?),
        None => None,
    };
    let found = listing(
        &rules,
        &Query {
            at,
            channel,
            code: args.code.as_deref(),
            used: used.as_ref(),
        },
    );
    let text = match args.format {
        OutputFormat::Json => render::json(&found),
        OutputFormat::Text => crate::tools::offers::text::render(&found),
    };
    out.write_all(text.as_bytes())?;
    let nothing = found.live.is_empty() && found.coming.is_empty() && found.other.is_empty();
    Ok(if args.code.is_some() && nothing { 1 } else { 0 })
}
