//! `honor test`: run the case files, report each failure with its explanation, and with
//! `--snapshot` compare every decision with the snapshot stored beside its case file.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Exit, Failure, load_rules};
use crate::engine::ruleset::files_below;
use crate::tools::cases;
use crate::tools::testing::{self, Options, Report};

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
}

pub fn run(rules_path: &Path, args: Args, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let rules = load_rules(rules_path, chrono::Utc::now())?;
    let channel = args
        .channel
        .as_deref()
        .map(|name| rules.channel(name))
        .transpose()?;
    let files = if args.files.is_empty() {
        let root = if rules_path.is_dir() {
            rules_path
        } else {
            rules_path.parent().unwrap_or(Path::new("."))
        };
        let found = files_below(root, ".test.yaml")
            .map_err(|d| Failure(format!("error: {}", d.message)))?;
        if found.is_empty() {
            return Err(Failure(format!(
                "error: there are no case files (`*.test.yaml`) in `{}`",
                root.display()
            )));
        }
        found
    } else {
        args.files.clone()
    };
    let mut loaded = Vec::new();
    let mut invalid = String::new();
    for path in &files {
        let shown = path.display().to_string();
        match cases::load(path, &shown, &rules) {
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
        return Err(Failure(invalid));
    }
    let opts = Options {
        case: args.case.clone(),
        channel,
        snapshot: args.snapshot || args.update,
        update: args.update,
    };
    let mut report = Report::default();
    for file in &loaded {
        testing::run_file(&rules, file, &opts, &mut report).map_err(|e| {
            Failure(format!(
                "error: cannot write the snapshot of {}: {e}",
                file.shown
            ))
        })?;
    }
    for failure in &report.failures {
        write!(out, "{failure}")?;
    }
    for line in &report.updated {
        writeln!(out, "snapshot updated: {line}")?;
    }
    writeln!(out, "{} passed, {} failed", report.passed, report.failed)?;
    Ok(if report.failed > 0 { 1 } else { 0 })
}
