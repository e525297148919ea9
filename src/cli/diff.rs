//! `honor diff`: what a change to the rule set does, for a marketing pull request. Exit 1
//! with `--fail-on-change` when a decision changes.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use super::{CliError, Exit, instant};
use crate::engine::ruleset::RuleSet;
use crate::render;
use crate::tools::review::{self, Review, source};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The rule set before the change: a folder or file, or a git revision (`main`,
    /// `HEAD~1`, a commit) from which `--rules` is read
    #[arg(long, value_name = "PATH|REV")]
    base: String,
    /// Customers to decide with both rule sets, one JSON context per line
    #[arg(long, value_name = "FILE.jsonl")]
    contexts: Option<PathBuf>,
    /// The channel to decide on, or `all`
    #[arg(long, value_name = "NAME|all", default_value = "all")]
    channel: String,
    /// The instant to decide at (RFC 3339); default now
    #[arg(long, value_name = "INSTANT")]
    at: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Exit 1 when any decision changes (without --contexts: when any offer changes in meaning)
    #[arg(long)]
    fail_on_change: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
    Markdown,
}

pub fn run(rules_path: &Path, args: Args, out: &mut dyn Write) -> Exit {
    let at = instant(args.at.as_deref())?;
    let head_files = source::from_path(rules_path).map_err(CliError::Rendered)?;
    let base_files = source::base(rules_path, &args.base).map_err(CliError::Rendered)?;
    let load = |files: &source::Files, which: &str| {
        RuleSet::from_texts(files.clone(), at).map_err(|e| {
            CliError::Rendered(format!(
                "{}error: the {which} rule set does not load",
                e.render()
            ))
        })
    };
    let head = load(&head_files, "new")?;
    let base = load(&base_files, "base")?;
    let structure = review::structure::compare(&base_files, &head_files);
    let impact = match &args.contexts {
        None => None,
        Some(path) => {
            let channels = review::impact::channels(&base, &head, &args.channel)?;
            let mut input: Box<dyn std::io::BufRead> = if path == Path::new("-") {
                Box::new(std::io::stdin().lock())
            } else {
                let file = crate::files::open_regular(path)
                    .map_err(|e| CliError::Rendered(format!("{}: error: {e}", path.display())))?;
                Box::new(BufReader::with_capacity(1 << 20, file))
            };
            let decided = review::impact::run(&base, &head, channels, at, &mut input)
                .map_err(|e| CliError::Rendered(format!("{}: error: {e}", path.display())))?;
            match decided {
                Ok(impact) => Some(impact),
                Err(bad) => {
                    let column = bad.column.map(|c| format!(":{c}")).unwrap_or_default();
                    return Err(CliError::Rendered(format!(
                        "{}:{}{column}: error: {}",
                        path.display(),
                        bad.line,
                        bad.message
                    )));
                }
            }
        }
    };
    let review = Review {
        base: args.base.clone(),
        rules: rules_path.display().to_string(),
        structure,
        impact,
    };
    let text = match args.format {
        Format::Text => review::text::render(&review),
        Format::Json => render::json(&review),
        Format::Markdown => review::markdown::render(&review),
    };
    out.write_all(text.as_bytes())?;
    Ok(if args.fail_on_change && review.changes_decisions() {
        1
    } else {
        0
    })
}
