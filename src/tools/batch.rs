//! `honor batch`: one decision per context line for a whole customer base, in input order,
//! on every core, in bounded memory. Campaign teams use it, or its per-offer summary, to see
//! who qualifies before a message goes out.

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::mpsc::{SyncSender, sync_channel};

use crate::engine::decision::Status;
use crate::engine::evaluate::Scratch;
use crate::engine::ruleset::RuleSet;
use crate::input::context::{Context, NearMiss};
use crate::input::document::Doc;
use crate::language::check::schema::PRICE;
use crate::value::Value;

/// Lines decided together: large enough to keep every core busy, small enough to bound
/// memory whatever the input's size.
const CHUNK: usize = 4096;
/// A chunk also ends once its lines hold this many bytes.
const CHUNK_BYTES: usize = 64 * 1024 * 1024;
use crate::files::{LineError, text_line};
/// Lines read ahead of the deciding.
const READ_AHEAD: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// The compact line: statuses and the final price.
    Json,
    /// The whole decision, as `honor check --format json` gives it, on one line.
    Full,
    Csv,
    /// No line per customer: counts per offer at the end.
    Summary,
}

pub struct Options {
    pub channel: usize,
    pub at: DateTime<Utc>,
    pub output: Output,
    pub only_eligible: bool,
    /// Threads to decide on; 0 for one per core.
    pub threads: usize,
    /// A ledger's unreversed redemptions per budgeted offer, when one was read (`--ledger`).
    pub budget_use: Option<BTreeMap<String, u64>>,
    /// Write out each line as soon as it is decided (another program is waiting for it),
    /// rather than when a chunk is full.
    pub flush_each: bool,
}

/// What a run did, for the closing line and the exit code.
#[derive(Debug, Default)]
pub struct Totals {
    pub lines: usize,
    pub decided: usize,
    pub failed: usize,
}

/// What every line repeats, escaped once: `"o001":` for each offer.
struct Keys {
    json: Vec<String>,
}

impl Keys {
    fn new(rules: &RuleSet) -> Keys {
        Keys {
            json: rules
                .model
                .offers
                .iter()
                .map(|o| format!("{}:", json_string(&o.id)))
                .collect(),
        }
    }
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| String::from("\"\""))
}

/// Per offer: how many customers fall in each status, and for `unknown` which fields were
/// missing how often.
#[derive(Default, Clone)]
struct Count {
    eligible: usize,
    ineligible: usize,
    unknown: usize,
    not_honored: usize,
    missing: BTreeMap<String, usize>,
}

#[derive(Serialize)]
pub struct Summary {
    pub channel: String,
    pub at: String,
    pub rules: String,
    pub customers: usize,
    pub offers: Vec<OfferSummary>,
}

#[derive(Serialize)]
pub struct OfferSummary {
    pub id: String,
    pub eligible: usize,
    pub ineligible: usize,
    pub unknown: usize,
    pub not_honored: usize,
    /// The field most often missing among the `unknown` customers.
    pub most_missing: Option<MostMissing>,
}

#[derive(Serialize, Clone)]
pub struct MostMissing {
    pub field: String,
    /// How many customers lack it.
    pub customers: usize,
}

/// The result of one line: its output, or what was wrong with it.
enum Decided {
    Line(String),
    Counts(Vec<Status>, Vec<(usize, Vec<String>)>),
    /// What is wrong with the line, and where in it when known.
    Failed {
        column: Option<usize>,
        message: String,
    },
}

/// A line as the reader hands it on: its number and text, or why it was skipped.
enum Read {
    Line(usize, String),
    Bad(usize, String),
}

/// Reads lines of at most [`MAX_LINE`] bytes, numbering them and leaving out blank ones,
/// until the input ends, an error, or nobody listens any more.
fn read_lines(input: Box<dyn io::Read + Send>, to: SyncSender<io::Result<Read>>) {
    let mut input = io::BufReader::with_capacity(1 << 20, input);
    let mut line = Vec::new();
    let mut n = 0;
    loop {
        let read = match text_line(&mut input, &mut line) {
            Ok(None) => return,
            Ok(Some(text)) => {
                n += 1;
                match text {
                    Err(LineError::TooLong) => {
                        Read::Bad(n, format!("{}; it was skipped", LineError::TooLong))
                    }
                    Err(e) => Read::Bad(n, e.to_string()),
                    Ok(text) if text.trim().is_empty() => continue,
                    Ok(text) => Read::Line(n, text.to_string()),
                }
            }
            Err(e) => {
                let _ = to.send(Err(e));
                return;
            }
        };
        if to.send(Ok(read)).is_err() {
            return;
        }
    }
}

/// Decides every line of `input`; writes decisions (or, in summary mode, nothing) to `out`
/// and each bad line's number and reason to `errors`; `progress` is told the lines done.
pub fn run(
    rules: &RuleSet,
    input: Box<dyn io::Read + Send>,
    out: &mut dyn Write,
    errors: &mut dyn Write,
    opts: &Options,
    progress: &mut dyn FnMut(usize),
) -> io::Result<(Totals, Option<Summary>)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(io::Error::other)?;
    let mut totals = Totals::default();
    let mut counts = vec![Count::default(); rules.offers.len()];
    if opts.output == Output::Csv {
        out.write_all(csv_header(rules, opts).as_bytes())?;
        if opts.flush_each {
            out.flush()?;
        }
    }
    let keys = Keys::new(rules);
    // The reader runs ahead on its own thread, so that a helper's next line is taken in
    // while this one is decided; if the run stops early it is left to end with the process.
    let (to, from) = sync_channel(READ_AHEAD);
    std::thread::spawn(move || read_lines(input, to));
    let mut chunk: Vec<Read> = Vec::with_capacity(CHUNK);
    loop {
        let mut warned: std::collections::HashSet<String> = std::collections::HashSet::new();
        chunk.clear();
        let mut bytes = 0;
        let mut next = from.recv().ok();
        while let Some(read) = next {
            let read = read?;
            if let Read::Line(_, text) = &read {
                bytes += text.len();
            }
            chunk.push(read);
            if chunk.len() >= CHUNK || bytes >= CHUNK_BYTES {
                break;
            }
            // A waiting program gets what has come in so far; a file fills the chunk.
            next = if opts.flush_each {
                from.try_recv().ok()
            } else {
                from.recv().ok()
            };
        }
        if chunk.is_empty() {
            break;
        }
        let results: Vec<(Decided, Vec<NearMiss>)> = pool.install(|| {
            chunk
                .par_iter()
                .map_init(
                    || (Scratch::default(), Vec::new()),
                    |(scratch, statuses), read| match read {
                        Read::Line(n, line) => {
                            decide_line(rules, &keys, *n, line, opts, scratch, statuses)
                        }
                        Read::Bad(_, message) => (
                            Decided::Failed {
                                column: None,
                                message: message.clone(),
                            },
                            Vec::new(),
                        ),
                    },
                )
                .collect()
        });
        for (read, (result, misses)) in chunk.iter().zip(results) {
            let n = match read {
                Read::Line(n, _) | Read::Bad(n, _) => *n,
            };
            totals.lines += 1;
            // each likely typo once, at the first line that has it
            for miss in misses {
                if warned.insert(miss.found.clone()) {
                    writeln!(errors, "line {n}: warning: {miss}")?;
                }
            }
            match result {
                Decided::Line(text) => {
                    totals.decided += 1;
                    out.write_all(text.as_bytes())?;
                }
                Decided::Counts(statuses, missing) => {
                    totals.decided += 1;
                    tally(&mut counts, &statuses, missing);
                }
                Decided::Failed { column, message } => {
                    totals.failed += 1;
                    let column = column.map(|c| format!(", column {c}")).unwrap_or_default();
                    writeln!(errors, "line {n}{column}: {message}")?;
                }
            }
        }
        if opts.flush_each {
            out.flush()?;
        }
        progress(totals.lines);
    }
    out.flush()?;
    let summary = (opts.output == Output::Summary).then(|| summary(rules, opts, &totals, counts));
    Ok((totals, summary))
}

fn tally(counts: &mut [Count], statuses: &[Status], missing: Vec<(usize, Vec<String>)>) {
    for (count, status) in counts.iter_mut().zip(statuses) {
        match status {
            Status::Eligible => count.eligible += 1,
            Status::Ineligible => count.ineligible += 1,
            Status::Unknown => count.unknown += 1,
            Status::NotHonored => count.not_honored += 1,
        }
    }
    for (offer, paths) in missing {
        for path in paths {
            *counts[offer].missing.entry(path).or_default() += 1;
        }
    }
}

fn summary(rules: &RuleSet, opts: &Options, totals: &Totals, counts: Vec<Count>) -> Summary {
    Summary {
        channel: rules.model.channels[opts.channel].clone(),
        at: crate::value::time::format_instant(opts.at),
        rules: rules.fingerprint.clone(),
        customers: totals.decided,
        offers: rules
            .model
            .offers
            .iter()
            .zip(counts)
            .map(|(model, c)| OfferSummary {
                id: model.id.clone(),
                eligible: c.eligible,
                ineligible: c.ineligible,
                unknown: c.unknown,
                not_honored: c.not_honored,
                // the most frequent, ties to the first in path order
                most_missing: c.missing.into_iter().fold(
                    None,
                    |best: Option<MostMissing>, (field, customers)| match best {
                        Some(b) if b.customers >= customers => Some(b),
                        _ => Some(MostMissing { field, customers }),
                    },
                ),
            })
            .collect(),
    }
}

/// One line's decision, and the fields that look like typos of schema fields.
fn decide_line(
    rules: &RuleSet,
    keys: &Keys,
    n: usize,
    line: &str,
    opts: &Options,
    scratch: &mut Scratch,
    statuses: &mut Vec<Status>,
) -> (Decided, Vec<NearMiss>) {
    let doc = match crate::input::json::parse(line.trim_end()) {
        Ok(doc) => doc,
        Err(e) => {
            let failed = Decided::Failed {
                column: e.column,
                message: e.message,
            };
            return (failed, Vec::new());
        }
    };
    let mut ctx = match rules.context(&doc) {
        Ok(ctx) => ctx,
        Err(e) => {
            let failed = Decided::Failed {
                column: None,
                message: e.to_string(),
            };
            return (failed, Vec::new());
        }
    };
    let misses = rules.near_misses(&doc);
    (
        decide_customer(rules, keys, n, &doc, &mut ctx, opts, scratch, statuses),
        misses,
    )
}

/// A customer's line as `--format` asks for it.
#[allow(clippy::too_many_arguments)]
fn decide_customer(
    rules: &RuleSet,
    keys: &Keys,
    n: usize,
    doc: &Doc,
    ctx: &mut Context,
    opts: &Options,
    scratch: &mut Scratch,
    statuses: &mut Vec<Status>,
) -> Decided {
    if let Some(used) = &opts.budget_use {
        ctx.set_budget_use(used.clone());
    }
    rules.statuses(ctx, opts.channel, opts.at, scratch, statuses);
    if opts.output == Output::Summary {
        let missing = statuses
            .iter()
            .enumerate()
            .filter(|(_, s)| **s == Status::Unknown)
            .map(|(i, _)| (i, rules.missing(i, ctx, opts.at)))
            .collect();
        return Decided::Counts(statuses.clone(), missing);
    }
    if opts.output == Output::Full {
        let decision = rules.decide(ctx, opts.channel, opts.at, None);
        let mut text = serde_json::to_string(&decision).unwrap_or_else(|_| String::from("null"));
        text.push('\n');
        return Decided::Line(text);
    }
    let quote = match ctx.get(PRICE) {
        Some(Value::Money(list)) => Some(rules.quote(statuses, opts.channel, *list)),
        _ => None,
    };
    let shown = rules
        .model
        .offers
        .iter()
        .zip(statuses.iter())
        .filter(|(_, s)| !opts.only_eligible || **s == Status::Eligible)
        .map(|(o, s)| (o.id.as_str(), *s));
    match opts.output {
        Output::Csv => {
            let mut row = format!("{n},{}", csv_field(&customer_id(doc).unwrap_or_default()));
            if opts.only_eligible {
                let ids: Vec<&str> = shown.map(|(id, _)| id).collect();
                row.push(',');
                row.push_str(&csv_field(&ids.join(" ")));
            } else {
                for (_, status) in shown {
                    row.push(',');
                    row.push_str(status.word());
                }
            }
            row.push(',');
            row.push_str(&csv_field(
                quote.as_ref().map_or("", |q| q.final_price.as_str()),
            ));
            row.push('\n');
            Decided::Line(row)
        }
        _ => {
            // Written by hand: the same keys on every line, escaped once.
            let mut text = String::with_capacity(32 + 24 * statuses.len());
            text.push_str(&format!("{{\"line\":{n},"));
            if let Some(id) = customer_id(doc) {
                text.push_str(&format!("\"id\":{},", json_string(&id)));
            }
            text.push_str("\"offers\":{");
            let mut first = true;
            for (i, status) in statuses.iter().enumerate() {
                if opts.only_eligible && *status != Status::Eligible {
                    continue;
                }
                if !first {
                    text.push(',');
                }
                first = false;
                text.push_str(&keys.json[i]);
                text.push('"');
                text.push_str(status.word());
                text.push('"');
            }
            text.push_str("},\"quote\":");
            match &quote {
                Some(q) => text.push_str(&json_string(&q.final_price)),
                None => text.push_str("null"),
            }
            text.push_str("}\n");
            Decided::Line(text)
        }
    }
}

/// The customer's id: `id`, or `customer.id`, when it is text or a number.
pub fn customer_id(doc: &Doc) -> Option<String> {
    let id = doc
        .get("id")
        .or_else(|| doc.get("customer").and_then(|c| c.get("id")))?;
    match id {
        Doc::Text(t) => Some(t.clone()),
        Doc::Number(n) => Some(n.clone()),
        _ => None,
    }
}

fn csv_header(rules: &RuleSet, opts: &Options) -> String {
    let mut header = String::from("line,id");
    if opts.only_eligible {
        header.push_str(",eligible");
    } else {
        for offer in &rules.model.offers {
            header.push(',');
            header.push_str(&csv_field(&offer.id));
        }
    }
    header.push_str(",quote\n");
    header
}

/// A CSV field, quoted when it holds a comma, a quote or a line break. A cell that starts
/// like a formula (`=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, so a
/// customer record opened in a spreadsheet is shown, never run.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}
