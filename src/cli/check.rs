//! `honor check`: decide every offer (or one) for one customer's context.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{CliError, Exit, OutputFormat, instant, load_context, load_rules};
use crate::render;
use crate::service::ledger::read::budget_use;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The customer's context, YAML or JSON (`-` reads standard input)
    #[arg(long, value_name = "FILE")]
    context: PathBuf,
    /// A channel of the rule set, or `all` for every channel and a parity check
    #[arg(long, default_value = "all", value_name = "NAME")]
    channel: String,
    /// The instant to decide at (RFC 3339); default now
    #[arg(long, value_name = "INSTANT")]
    at: Option<String>,
    /// List only this offer, with every clause explained (the quote still uses every offer)
    #[arg(long, value_name = "ID")]
    offer: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// A redemption ledger (sqlite:FILE or postgres://…), read only, for `budget` clauses
    #[arg(long, value_name = "URL")]
    ledger: Option<String>,
}

pub fn run(rules_path: &Path, args: Args, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let at = instant(args.at.as_deref())?;
    let rules = load_rules(rules_path, at)?;
    let only = args
        .offer
        .as_deref()
        .map(|id| rules.offer_index(id))
        .transpose()?;
    let channel = match args.channel.as_str() {
        "all" => None,
        name => Some(rules.channel(name)?),
    };
    let mut ctx = load_context(&args.context, &rules, err)?;
    if let Some(url) = &args.ledger {
        ctx.set_budget_use(budget_use(url, &rules).map_err(|m| CliError::Other(m.to_string()))?);
    }
    let detailed = only.is_some();
    let text = match (channel, args.format) {
        (None, OutputFormat::Json) => render::json(&rules.decide_all(&ctx, at, only)),
        (None, OutputFormat::Text) => {
            render::text::all_channels(&rules.decide_all(&ctx, at, only), detailed)
        }
        (Some(c), OutputFormat::Json) => render::json(&rules.decide(&ctx, c, at, only)),
        (Some(c), OutputFormat::Text) => {
            render::text::decision(&rules.decide(&ctx, c, at, only), detailed)
        }
    };
    out.write_all(text.as_bytes())?;
    Ok(0)
}
