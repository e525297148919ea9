//! `honor batch`: a decision per line of a JSON Lines file of contexts, in input order, on
//! all cores; or, with `--summary`, counts per offer for a campaign team.

use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{CliError, Exit, instant, load_rules};
use crate::files;
use crate::render;
use crate::service::ledger::read::budget_use;
use crate::tools::batch::{self, Options, Output};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// One context per line, JSON (`-` reads standard input)
    #[arg(long, value_name = "FILE.jsonl")]
    contexts: PathBuf,
    /// The channel to decide on
    #[arg(long, value_name = "NAME")]
    channel: String,
    /// The instant to decide at (RFC 3339); default now
    #[arg(long, value_name = "INSTANT")]
    at: Option<String>,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// List only the offers each customer is eligible for
    #[arg(long)]
    only_eligible: bool,
    /// Instead of a line per customer, count per offer who is eligible, ineligible and unknown
    #[arg(long)]
    summary: bool,
    /// Threads to decide on; default every core, at most four per core
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// A redemption ledger (sqlite:FILE or postgres://…), read only, for `budget` clauses
    #[arg(long, value_name = "URL")]
    ledger: Option<String>,
    /// Print each customer's whole decision (as `check --format json` gives it) on its line
    #[arg(long, conflicts_with_all = ["summary", "only_eligible", "format"])]
    full: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Json,
    Csv,
}

pub fn run(rules_path: &Path, args: Args, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let at = instant(args.at.as_deref())?;
    let rules = load_rules(rules_path, at)?;
    let channel = rules.channel(&args.channel)?;
    let most = std::thread::available_parallelism().map_or(1, |n| n.get()) * 4;
    let threads = match args.jobs {
        None => 0,
        Some(0) => return Err(CliError::NoJobs),
        Some(n) if n > most => return Err(CliError::TooManyJobs { given: n, most }),
        Some(n) => n,
    };
    let from_stdin = args.contexts == Path::new("-");
    let input: Box<dyn Read + Send> = if from_stdin {
        Box::new(std::io::stdin())
    } else {
        let file = files::open_regular(&args.contexts).map_err(|error| CliError::File {
            file: args.contexts.display().to_string(),
            error,
        })?;
        Box::new(file)
    };
    // Standard input that is not a file is another program (or a person) waiting for
    // each answer.
    let flush_each = from_stdin && !stdin_is_a_file();
    let opts = Options {
        channel,
        at,
        output: match (args.summary, args.full, args.format) {
            (true, _, _) => Output::Summary,
            (false, true, _) => Output::Full,
            (false, false, Format::Json) => Output::Json,
            (false, false, Format::Csv) => Output::Csv,
        },
        only_eligible: args.only_eligible,
        budget_use: args
            .ledger
            .as_deref()
            .map(|url| budget_use(url, &rules))
            .transpose()
            .map_err(CliError::Lookup)?,
        threads,
        flush_each,
    };
    let started = Instant::now();
    let show_progress = std::io::stderr().is_terminal();
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let mut progress = |done: usize| {
        if show_progress {
            let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
            eprint!("\r{done} customers decided ({rate:.0}/s)");
        }
    };
    let (totals, summary) =
        batch::run(&rules, input, &mut out, err, &opts, &mut progress).map_err(CliError::Batch)?;
    if let Some(summary) = summary {
        match args.format {
            Format::Json => out.write_all(render::json(&summary).as_bytes())?,
            Format::Csv => {
                writeln!(
                    out,
                    "offer,eligible,ineligible,unknown,not_honored,most_missing,missing_count"
                )?;
                for o in &summary.offers {
                    let (field, n) = o
                        .most_missing
                        .as_ref()
                        .map_or((String::new(), 0), |m| (m.field.clone(), m.customers));
                    writeln!(
                        out,
                        "{},{},{},{},{},{field},{n}",
                        o.id, o.eligible, o.ineligible, o.unknown, o.not_honored
                    )?;
                }
            }
        }
    }
    out.flush()?;
    let seconds = started.elapsed().as_secs_f64();
    if show_progress {
        eprintln!();
    }
    writeln!(
        err,
        "{} lines: {} decided, {} failed, in {seconds:.2} s ({:.0} customers/s)",
        totals.lines,
        totals.decided,
        totals.failed,
        totals.decided as f64 / seconds.max(1e-9)
    )?;
    Ok(if totals.failed > 0 { 1 } else { 0 })
}

/// Whether standard input is a file (redirected with `<`) rather than a pipe or a terminal.
fn stdin_is_a_file() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        std::io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .map(std::fs::File::from)
            .and_then(|f| f.metadata())
            .is_ok_and(|m| m.is_file())
    }
    #[cfg(not(unix))]
    {
        false
    }
}
