//! `honor lint`: every error and warning of the rule set. Exit 1 when it has errors (or
//! warnings, with `--deny-warnings`).

use serde::Serialize;
use std::io::Write;
use std::path::Path;

use super::{Exit, OutputFormat, instant};
use crate::engine::ruleset::RuleSet;
use crate::language::diagnostic::{Diagnostic, DiagnosticJson};
use crate::language::source::Sources;
use crate::render;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The instant that decides which offers have already ended; default now
    #[arg(long, value_name = "INSTANT")]
    at: Option<String>,
    /// Fail (exit 1) on warnings too
    #[arg(long)]
    deny_warnings: bool,
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
}

#[derive(Serialize)]
struct Report {
    rules: Option<String>,
    offers: usize,
    errors: usize,
    warnings: usize,
    diagnostics: Vec<DiagnosticJson>,
}

pub fn run(rules_path: &Path, args: Args, out: &mut dyn Write) -> Exit {
    let at = instant(args.at.as_deref())?;
    let (diagnostics, sources, offers, fingerprint): (
        Vec<Diagnostic>,
        Sources,
        usize,
        Option<String>,
    ) = match RuleSet::load(rules_path, at) {
        Ok(rules) => (
            rules.warnings,
            rules.sources,
            rules.offers.len(),
            Some(rules.fingerprint),
        ),
        Err(e) => (e.diagnostics, e.sources, 0, None),
    };
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    match args.format {
        OutputFormat::Json => {
            let report = Report {
                rules: fingerprint,
                offers,
                errors,
                warnings,
                diagnostics: diagnostics.iter().map(|d| d.to_json(&sources)).collect(),
            };
            out.write_all(render::json(&report).as_bytes())?;
        }
        OutputFormat::Text => {
            for d in &diagnostics {
                writeln!(out, "{}", d.render(&sources))?;
            }
            let summary = match (errors, warnings) {
                (0, 0) => format!(
                    "{}: {offers} offer{}, no problems",
                    rules_path.display(),
                    plural(offers)
                ),
                (0, w) => format!(
                    "{}: {offers} offer{}, {w} warning{}",
                    rules_path.display(),
                    plural(offers),
                    plural(w)
                ),
                (e, w) => format!(
                    "{}: {e} error{}, {w} warning{}; the rule set does not load",
                    rules_path.display(),
                    plural(e),
                    plural(w)
                ),
            };
            writeln!(out, "{summary}")?;
        }
    }
    Ok(if errors > 0 || (args.deny_warnings && warnings > 0) {
        1
    } else {
        0
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
