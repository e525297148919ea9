//! The command line (README.md, "Commands"): one file per subcommand. Each writes its report
//! to `out` and returns the exit code; bad input comes back as a [`CliError`] for stderr.

mod batch;
mod check;
mod diff;
mod error;
mod format;
mod lint;
mod offers;
mod parity;
mod replay;
mod serve;
mod test;

use chrono::{DateTime, Timelike, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::engine::ruleset::RuleSet;
use crate::files;
use crate::input::context::Context;
use crate::input::document::{Doc, Format};
use crate::value::time::parse_instant;

/// Every command's exit codes, for scripts and CI.
const EXIT_CODES: &str =
    "Exit codes (2 is always bad input: unreadable or invalid rules, context or case \
files, or bad flags; the message is on stderr):
  check   0 decided; 2 bad input
  lint    0 no errors (and, with --deny-warnings, no warnings); 1 errors, or warnings with \
--deny-warnings; 2 bad flags
  test    0 every case passed; 1 a case failed or a snapshot differs; 2 bad input, or a filter \
or case file that selects no case
  offers  0 listed; 1 --code matched no offer; 2 bad input
  parity  0 the channels that honor each offer agree; 1 they differ; 2 bad input
  batch   0 every line decided; 1 some lines could not be decided (each reported on stderr); \
2 bad input
  fmt     0 formatted, or with --check nothing to format; 1 --check found files to format; \
2 a file has errors or cannot be read or written
  diff    0 reviewed (or, with --fail-on-change, no decision changes); 1 --fail-on-change \
found a changed decision; 2 bad input
  serve   0 stopped cleanly; 2 bad input, or the service cannot start
  replay  0 every record decides as it did; 1 some outcomes changed (each listed); 2 bad input";

#[derive(Parser, Debug)]
#[command(
    name = "honor",
    version,
    about = "Keep the promises your offers make, on every channel",
    long_about = "honor decides whether a customer may have each offer of a rule set, with the same \
                  answer, price and explanation on every channel.",
    after_help = EXIT_CODES
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
    Fmt(format::Args),
    /// What a change to the rule set does: offers changed, and decisions over a sample
    Diff(diff::Args),
    /// Serve decisions over HTTP to every channel
    Serve(serve::Args),
    /// Decide the records of `serve --records` again; exit 1 when an outcome changed
    Replay(replay::Args),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

pub use error::CliError;

pub type Exit = Result<i32, CliError>;

/// Runs a parsed command line; returns the process exit code.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let result = match cli.command {
        Command::Check(args) => check::run(&cli.rules, args, out, err),
        Command::Lint(args) => lint::run(&cli.rules, args, out),
        Command::Test(args) => test::run(&cli.rules, args, out, err),
        Command::Offers(args) => offers::run(&cli.rules, args, out),
        Command::Parity(args) => parity::run(&cli.rules, args, out, err),
        Command::Batch(args) => batch::run(&cli.rules, args, out, err),
        Command::Fmt(args) => format::run(&cli.rules, args, out, err),
        Command::Diff(args) => diff::run(&cli.rules, args, out),
        Command::Serve(args) => serve::run(&cli.rules, args, err),
        Command::Replay(args) => replay::run(args, out, err),
    };
    match result {
        Ok(code) => code,
        // The reader stopped reading: what it wanted, it has.
        Err(e) if e.is_broken_pipe() => 0,
        Err(e) => {
            let _ = writeln!(err, "{}", e.render());
            2
        }
    }
}

/// `--at`, or now.
pub fn instant(at: Option<&str>) -> Result<DateTime<Utc>, CliError> {
    match at {
        // Whole seconds: the instant is printed, and "now" needs no fraction.
        None => Ok(Utc::now().with_nanosecond(0).unwrap_or_else(Utc::now)),
        Some(text) => parse_instant(text).ok_or_else(|| CliError::Instant(text.to_string())),
    }
}

/// Loads the rule set, or fails with every error in it.
pub fn load_rules(path: &Path, at: DateTime<Utc>) -> Result<RuleSet, CliError> {
    RuleSet::load(path, at).map_err(|e| CliError::Rendered(e.render()))
}

/// Reads a context document (`-` is standard input) and checks it against the schema; a
/// field that looks like a typo of a declared one is a warning on `err`.
pub fn load_context(
    path: &Path,
    rules: &RuleSet,
    err: &mut dyn Write,
) -> Result<Context, CliError> {
    let file = path.display().to_string();
    let text = if path == Path::new("-") {
        files::read_stdin_text(files::MAX_CONTEXT).map_err(CliError::Stdin)?
    } else {
        files::read_text(path, files::MAX_CONTEXT).map_err(|error| CliError::File {
            file: file.clone(),
            error,
        })?
    };
    let doc = Doc::parse(&text, Format::of_path(path)).map_err(|error| CliError::Document {
        file: file.clone(),
        error,
    })?;
    for miss in rules.near_misses(&doc) {
        writeln!(err, "{file}: warning: {miss}")?;
    }
    Context::from_doc(&doc, &rules.model.schema).map_err(|error| CliError::Context { file, error })
}
