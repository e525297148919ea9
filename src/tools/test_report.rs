//! `honor test`'s report as it runs, in three forms: text for people, JUnit XML for CI
//! systems (which show it natively), JSON for programs. Each case is written when it is
//! done; only JUnit keeps one file's results, since its header counts them.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::escape::escape_control_keep_lines;
use crate::tools::testing::{CaseReport, Event, Totals};

/// Where a run's events go, in one of the forms.
pub trait Reporter {
    fn event(&mut self, out: &mut dyn Write, event: Event) -> io::Result<()>;
    /// The closing words, once every file has run.
    fn finish(&mut self, out: &mut dyn Write, totals: &Totals) -> io::Result<()>;
}

/// `file:line` of a case, or the file alone.
fn place(case: &CaseReport) -> String {
    match case.line {
        Some(line) => format!("{}:{line}", case.file),
        None => case.file.clone(),
    }
}

/// Text: each failure with its explanation, drift summarised per offer, the counts last.
#[derive(Default)]
pub struct Text {
    pub verbose: bool,
    drifted: bool,
}

impl Text {
    pub fn new(verbose: bool) -> Text {
        Text {
            verbose,
            drifted: false,
        }
    }
}

impl Reporter for Text {
    fn event(&mut self, out: &mut dyn Write, event: Event) -> io::Result<()> {
        let mut text = String::new();
        match event {
            Event::Case(case) => {
                let place = place(&case);
                for run in &case.runs {
                    for problem in &run.problems {
                        let _ = writeln!(
                            text,
                            "{place}: {} [{}]: {}",
                            case.case,
                            run.channel,
                            problem.trim_end()
                        );
                    }
                }
                if !case.drift.is_empty() {
                    self.drifted = true;
                    let _ = writeln!(
                        text,
                        "{place}: {}: the decisions differ from the snapshot:",
                        case.case
                    );
                    for line in &case.drift {
                        let _ = writeln!(text, "    {line}");
                    }
                }
                for (channel, diff) in &case.diffs {
                    let _ = writeln!(
                        text,
                        "{place}: {} [{channel}]: the decision differs from its snapshot (- snapshot, + now):",
                        case.case
                    );
                    for line in diff.lines() {
                        let _ = writeln!(text, "    {line}");
                    }
                }
            }
            Event::FileProblem { file, message } => {
                let _ = writeln!(text, "{file}: {message}");
            }
            Event::Updated(what) => {
                let _ = writeln!(text, "snapshot updated: {what}");
            }
            Event::FileDone { .. } => {}
        }
        out.write_all(escape_control_keep_lines(&text).as_bytes())
    }

    fn finish(&mut self, out: &mut dyn Write, totals: &Totals) -> io::Result<()> {
        if self.drifted && !self.verbose {
            writeln!(
                out,
                "(`--verbose` shows each difference in full; `--update` records the new decisions)"
            )?;
        }
        writeln!(out, "{} passed, {} failed", totals.passed, totals.failed)
    }
}

/// JSON: `{"results": [ … ], "passed": N, "failed": N}`, one result per case and channel,
/// per file problem and per snapshot updated, written as they come.
#[derive(Default)]
pub struct Json {
    started: bool,
}

impl Json {
    fn item(&mut self, out: &mut dyn Write, value: serde_json::Value) -> io::Result<()> {
        let lead = if self.started {
            ",\n  "
        } else {
            "{\"results\": [\n  "
        };
        self.started = true;
        out.write_all(lead.as_bytes())?;
        out.write_all(serde_json::to_string(&value).unwrap_or_default().as_bytes())
    }
}

impl Reporter for Json {
    fn event(&mut self, out: &mut dyn Write, event: Event) -> io::Result<()> {
        use serde_json::json;
        match event {
            Event::Case(case) => {
                for run in &case.runs {
                    let mut problems: Vec<String> = run
                        .problems
                        .iter()
                        .map(|p| p.trim_end().to_string())
                        .collect();
                    if run.drifted {
                        problems.extend(case.drift.iter().map(|d| format!("snapshot: {d}")));
                    }
                    self.item(
                        out,
                        json!({
                            "kind": "case",
                            "file": case.file,
                            "line": case.line,
                            "case": case.case,
                            "channel": run.channel,
                            "passed": run.passed(),
                            "problems": problems,
                        }),
                    )?;
                }
                Ok(())
            }
            Event::FileProblem { file, message } => self.item(
                out,
                json!({"kind": "file", "file": file, "passed": false, "problems": [message]}),
            ),
            Event::Updated(what) => self.item(out, json!({"kind": "updated", "snapshot": what})),
            Event::FileDone { .. } => Ok(()),
        }
    }

    fn finish(&mut self, out: &mut dyn Write, totals: &Totals) -> io::Result<()> {
        let lead = if self.started {
            "\n]"
        } else {
            "{\"results\": ["
        };
        writeln!(
            out,
            "{lead}, \"passed\": {}, \"failed\": {}}}",
            totals.passed, totals.failed
        )
    }
}

/// JUnit XML: a `testsuite` per case file, a `testcase` per case and channel.
#[derive(Default)]
pub struct Junit {
    started: bool,
    /// The current file's test cases, written when the file is done.
    cases: String,
    tests: usize,
    failures: usize,
}

impl Junit {
    fn testcase(&mut self, class: &str, name: &str, failure: Option<&str>) {
        self.tests += 1;
        let _ = write!(
            self.cases,
            "    <testcase classname=\"{}\" name=\"{}\"",
            xml(class),
            xml(name)
        );
        match failure {
            None => self.cases.push_str("/>\n"),
            Some(text) => {
                self.failures += 1;
                let first = text.lines().next().unwrap_or_default();
                let _ = write!(
                    self.cases,
                    ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                    xml(first),
                    xml(text)
                );
            }
        }
    }
}

/// Text for XML attributes and content: markup characters as entities, and characters XML
/// cannot hold at all (most control characters) as `\u{…}` escapes.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

impl Reporter for Junit {
    fn event(&mut self, out: &mut dyn Write, event: Event) -> io::Result<()> {
        if !self.started {
            self.started = true;
            out.write_all(
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"honor test\">\n",
            )?;
        }
        match event {
            Event::Case(case) => {
                let place = place(&case);
                for run in &case.runs {
                    let name = format!("{} [{}]", case.case, run.channel);
                    if run.passed() {
                        self.testcase(&case.file, &name, None);
                        continue;
                    }
                    let mut text = format!("{place}: {name}\n");
                    for problem in &run.problems {
                        let _ = writeln!(text, "{}", problem.trim_end());
                    }
                    if run.drifted {
                        let _ = writeln!(text, "the decisions differ from the snapshot:");
                        for line in &case.drift {
                            let _ = writeln!(text, "    {line}");
                        }
                    }
                    self.testcase(&case.file, &name, Some(&text));
                }
            }
            Event::FileProblem { file, message } => {
                self.testcase(&file, "(the case file)", Some(&message));
            }
            Event::Updated(_) => {}
            Event::FileDone { file } => {
                writeln!(
                    out,
                    "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">",
                    xml(&file),
                    self.tests,
                    self.failures
                )?;
                out.write_all(self.cases.as_bytes())?;
                writeln!(out, "  </testsuite>")?;
                self.cases.clear();
                self.tests = 0;
                self.failures = 0;
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _: &Totals) -> io::Result<()> {
        if !self.started {
            out.write_all(
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"honor test\">\n",
            )?;
        }
        if !self.cases.is_empty() {
            // problems of a file whose cases never ran
            writeln!(
                out,
                "  <testsuite name=\"honor\" tests=\"{}\" failures=\"{}\">",
                self.tests, self.failures
            )?;
            out.write_all(self.cases.as_bytes())?;
            writeln!(out, "  </testsuite>")?;
        }
        writeln!(out, "</testsuites>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_control_characters() {
        assert_eq!(
            xml("a<b & \"c\" 'd'>\u{1b}\u{0}\n"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\\u{1b}\\u{0}\n"
        );
    }
}
