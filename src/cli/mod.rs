//! The command line (README.md, "Commands"): one file per subcommand. Each writes its report to
//! `out` and returns the exit code; bad input comes back as a [`Failure`] for stderr.

mod batch;
mod check;
mod fmt;
mod lint;
mod offers;
mod parity;
mod test;

use chrono::{DateTime, Timelike, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::engine::ruleset::{RuleSet, read_text};
use crate::input::context::Context;
use crate::input::document::{self, Format};
use crate::language::source::Sources;
use crate::value::time::parse_instant;

#[derive(Parser, Debug)]
#[command(
    name = "honor",
    version,
    about = "Keep the promises your offers make, on every channel",
    long_about = "honor decides whether a customer may have each offer of a rule set, with the same \
                  answer, price and explanation on every channel.\n\n\
                  Exit codes: 0 success; 1 checks failed (lint errors, test failures, parity \
                  differences, fmt --check differences); 2 bad input (rules, context, flags)."
)]
pub struct Cli {
    /// The rule set: a folder of `*.offer` files, or one file
    #[arg(long, global = true, default_value = "rules/", value_name = "PATH")]
    pub rules: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Decide every offer for one customer's context
    Check(check::Args),
    /// Check the rule set for errors and warnings
    Lint(lint::Args),
    /// Run the case files (`*.test.yaml`) and, with --snapshot, compare whole decisions
    Test(test::Args),
    /// List the offers live now and how each channel honors them
    Offers(offers::Args),
    /// Compare the contexts different channels hold for the same customer
    Parity(parity::Args),
    /// Decide a file of contexts, one per line, on every core
    Batch(batch::Args),
    /// Rewrite rule files in the canonical layout
    Fmt(fmt::Args),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// Bad input: the message goes to stderr and the exit code is 2.
#[derive(Debug)]
pub struct Failure(pub String);

/// A lookup refused with a message (an unknown channel or offer).
impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure(format!("error: {message}"))
    }
}

/// Writing a report failed (a closed pipe, a full disk).
impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure(format!("error: cannot write the output: {e}"))
    }
}

pub type Exit = Result<i32, Failure>;

/// Runs a parsed command line; returns the process exit code.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let result = match cli.command {
        Command::Check(args) => check::run(&cli.rules, args, out, err),
        Command::Lint(args) => lint::run(&cli.rules, args, out),
        Command::Test(args) => test::run(&cli.rules, args, out, err),
        Command::Offers(args) => offers::run(&cli.rules, args, out),
        Command::Parity(args) => parity::run(&cli.rules, args, out, err),
        Command::Batch(args) => batch::run(&cli.rules, args, out, err),
        Command::Fmt(args) => fmt::run(&cli.rules, args, out, err),
    };
    match result {
        Ok(code) => code,
        Err(Failure(message)) => {
            let message = message.trim_end();
            let _ = writeln!(err, "{message}");
            2
        }
    }
}

/// `--at`, or now.
pub fn instant(at: Option<&str>) -> Result<DateTime<Utc>, Failure> {
    match at {
        // Whole seconds: the instant is printed, and "now" needs no fraction.
        None => Ok(Utc::now().with_nanosecond(0).unwrap_or_else(Utc::now)),
        Some(text) => parse_instant(text).ok_or_else(|| {
            Failure(format!(
                "error: --at `{text}` is not an RFC 3339 instant; write it like 2016-05-10T10:00:00-05:00 or 2016-05-10T15:00:00Z"
            ))
        }),
    }
}

/// Loads the rule set, or fails with every error in it.
pub fn load_rules(path: &Path, at: DateTime<Utc>) -> Result<RuleSet, Failure> {
    RuleSet::load(path, at).map_err(|e| Failure(e.render()))
}

/// Reads a context document (`-` is standard input) and checks it against the schema; a
/// field that looks like a typo of a declared one is a warning on `err`.
pub fn load_context(path: &Path, rules: &RuleSet, err: &mut dyn Write) -> Result<Context, Failure> {
    let shown = path.display().to_string();
    let text = if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| {
            Failure(format!(
                "error: cannot read the context from standard input: {e}"
            ))
        })?;
        text
    } else {
        read_text(path, &shown).map_err(|d| Failure(d.render(&Sources::default())))?
    };
    let doc = document::parse(&text, Format::of_path(path))
        .map_err(|e| Failure(format!("{shown}:{e}")))?;
    let context = Context::from_doc(&doc, &rules.model.schema)
        .map_err(|e| Failure(format!("{shown}: {e}")))?;
    for miss in Context::near_misses(&doc, &rules.model.schema) {
        writeln!(err, "{shown}: warning: {miss}")?;
    }
    Ok(context)
}
