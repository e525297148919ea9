//! `honor fmt`: rewrite rule files in the canonical layout, or with `--check` list the
//! ones that are not in it (exit 1). A file with errors is left as it is (exit 2).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{CliError, Exit};
use crate::engine::ruleset::{read_text, rule_files};
use crate::files;
use crate::language::format::format;
use crate::language::source::{SourceFile, Sources};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Rule files to format; by default every `*.offer` of the rule set
    #[arg(value_name = "FILES")]
    files: Vec<PathBuf>,
    /// Change nothing: list the files that are not formatted, and exit 1 if there are any
    #[arg(long)]
    check: bool,
}

pub fn run(rules_path: &Path, args: Args, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let files: Vec<PathBuf> = if args.files.is_empty() {
        rule_files(rules_path)
            .map_err(|d| CliError::Rendered(d.render(&Sources::default())))?
            .into_iter()
            .map(|(path, _)| path)
            .collect()
    } else {
        args.files.clone()
    };
    let (mut changed, mut broken) = (0, 0);
    for path in &files {
        let shown = path.display().to_string();
        let text = match read_text(path, &shown) {
            Ok(text) => text,
            Err(d) => {
                write!(err, "{}", d.render(&Sources::default()))?;
                broken += 1;
                continue;
            }
        };
        match format(&text) {
            Err(diagnostics) => {
                let mut sources = Sources::default();
                sources.add(SourceFile::new(shown.clone(), text));
                let whole_file = diagnostics
                    .iter()
                    .any(|d| d.kind() == "format-changes-meaning");
                for d in diagnostics.into_iter().filter(|d| d.is_error()) {
                    // a finding about the whole file is shown with the file's name
                    let d = if d.span.is_none() {
                        d.in_file(shown.clone())
                    } else {
                        d
                    };
                    write!(err, "{}", d.render(&sources))?;
                }
                let why = if whole_file {
                    "its formatted text would not read back the same"
                } else {
                    "it has errors"
                };
                writeln!(err, "{shown}: left as it is: {why}")?;
                broken += 1;
            }
            Ok(formatted) if formatted == text => {}
            Ok(formatted) => {
                changed += 1;
                if args.check {
                    writeln!(out, "{shown}: not formatted")?;
                } else {
                    files::write_atomic(path, formatted.as_bytes()).map_err(CliError::Write)?;
                    writeln!(out, "{shown}: formatted")?;
                }
            }
        }
    }
    Ok(if broken > 0 {
        2
    } else if args.check && changed > 0 {
        1
    } else {
        0
    })
}
