//! `honor test`: run the case files, report each failure with its explanation, and with
//! `--snapshot` compare every decision with the snapshot stored beside its case file.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{CliError, Exit, load_rules};
use crate::engine::ruleset::files_below;
use crate::escape::excerpt;
use crate::language::diagnostic::did_you_mean;
use crate::tools::cases;
use crate::tools::test_report::{self, Reporter};
use crate::tools::testing::{self, Options, RunError, Totals};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Case files to run; by default every `*.test.yaml` below the rule set
    #[arg(value_name = "FILES")]
    files: Vec<PathBuf>,
    /// Also compare each case's full decision with its stored snapshot
    #[arg(long)]
    snapshot: bool,
    /// Rewrite the snapshots (implies --snapshot) and say which changed
    #[arg(long)]
    update: bool,
    /// Run only the cases whose name contains this
    #[arg(long, value_name = "NAME")]
    case: Option<String>,
    /// Run only on this channel
    #[arg(long, value_name = "NAME")]
    channel: Option<String>,
    /// Show each snapshot difference in full, not only what changed per offer
    #[arg(long)]
    verbose: bool,
    /// `junit` writes JUnit XML, which CI systems show natively; `json` is for programs
    #[arg(long, value_enum, default_value = "text")]
    format: ReportFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    Text,
    Junit,
    Json,
}

pub fn run(rules_path: &Path, args: Args, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let rules = load_rules(rules_path, chrono::Utc::now())?;
    let channel = args
        .channel
        .as_deref()
        .map(|name| rules.channel(name))
        .transpose()?;
    let root = if rules_path.is_dir() {
        rules_path
    } else {
        match rules_path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    };
    let files = if args.files.is_empty() {
        let found = files_below(root, ".test.yaml").map_err(|d| CliError::Folder(d.message))?;
        if found.is_empty() {
            return Err(CliError::NoCaseFiles(root.display().to_string()));
        }
        found
    } else {
        args.files.clone()
    };
    let mut loaded = Vec::new();
    let mut invalid = String::new();
    for path in &files {
        let shown = path.display().to_string();
        match cases::load(path, &shown, &rules, root) {
            Ok(file) => {
                for w in &file.warnings {
                    let place = w
                        .line
                        .map(|l| format!("{shown}:{l}"))
                        .unwrap_or(shown.clone());
                    writeln!(err, "{place}: warning: {}", w.message)?;
                }
                loaded.push(file);
            }
            Err(errors) => {
                for e in errors {
                    let place = e
                        .line
                        .map(|l| format!("{shown}:{l}"))
                        .unwrap_or(shown.clone());
                    invalid.push_str(&format!("{place}: error: {}\n", e.message));
                }
            }
        }
    }
    if !invalid.is_empty() {
        return Err(CliError::Rendered(invalid));
    }
    let opts = Options {
        case: args.case.clone(),
        channel,
        snapshot: args.snapshot || args.update,
        update: args.update,
        verbose: args.verbose,
    };
    let mut reporter: Box<dyn Reporter> = match args.format {
        ReportFormat::Text => Box::new(test_report::Text::new(args.verbose)),
        ReportFormat::Junit => Box::new(test_report::Junit::default()),
        ReportFormat::Json => Box::new(test_report::Json::default()),
    };
    let mut totals = Totals::default();
    for file in &loaded {
        let mut report = |event| reporter.event(out, event);
        testing::run_file(&rules, file, &opts, &mut totals, &mut report).map_err(|e| match e {
            RunError::Snapshot(error) => CliError::Snapshot {
                file: file.shown.clone(),
                error,
            },
            RunError::Output(e) => CliError::Output(e),
        })?;
    }
    if totals.selected == 0 {
        return Err(CliError::NothingSelected(nothing_selected(&args, &loaded)));
    }
    reporter.finish(out, &totals)?;
    Ok(if totals.failed > 0 { 1 } else { 0 })
}

/// Why no case ran: a filter that matches nothing is a mistake, not a pass.
fn nothing_selected(args: &Args, loaded: &[cases::CaseFile]) -> String {
    let names = loaded
        .iter()
        .flat_map(|f| f.cases.iter().map(|c| c.name.as_str()));
    match (&args.case, &args.channel) {
        (Some(wanted), _) => {
            let hint = did_you_mean(wanted, names)
                .map(|c| format!(" (did you mean `{}`?)", excerpt(c)))
                .unwrap_or_default();
            format!(
                "no case name contains `{}`{hint}, so no case ran",
                excerpt(wanted)
            )
        }
        (None, Some(channel)) => format!(
            "no case runs on channel `{}`, so no case ran",
            excerpt(channel)
        ),
        (None, None) => String::from("the case files hold no case, so no case ran"),
    }
}
