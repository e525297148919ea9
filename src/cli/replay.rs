//! `honor replay`: decide recorded requests again and say whether anything changed.

use std::io::Write;
use std::path::PathBuf;

use super::{CliError, Exit};
use crate::tools::replay::{Filter, read, replay};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The records folder of `honor serve --records`
    #[arg(long, value_name = "DIR")]
    records: PathBuf,
    /// Only the record with this id
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// Only this customer's records
    #[arg(long, value_name = "ID")]
    customer: Option<String>,
}

pub fn run(args: Args, out: &mut dyn Write, err: &mut dyn Write) -> Exit {
    let filter = Filter {
        id: args.id.as_deref(),
        customer: args.customer.as_deref(),
    };
    let (records, bad) =
        read(&args.records, &filter).map_err(|m| CliError::Other(m.to_string()))?;
    for problem in &bad {
        writeln!(err, "{}: left out", crate::escape::escape_control(problem))?;
    }
    let report = replay(&args.records, records).map_err(|m| CliError::Other(m.to_string()))?;
    for (record, differences) in &report.differing {
        let customer = record
            .customer
            .as_deref()
            .map_or(String::new(), |c| format!("customer {c}, "));
        writeln!(
            out,
            "record {} ({customer}{}, at {}, rules {}):",
            record.id, record.channel, record.at, record.rules
        )?;
        for difference in differences {
            writeln!(out, "  {difference}")?;
        }
    }
    let n = report.replayed;
    let records = if n == 1 { "record" } else { "records" };
    if report.differing.is_empty() {
        writeln!(
            out,
            "{n} {records} decided again: every outcome is the same"
        )?;
    } else {
        writeln!(
            out,
            "{n} {records} decided again: {} differ",
            report.differing.len()
        )?;
    }
    if !bad.is_empty() {
        let lines = if bad.len() == 1 { "line" } else { "lines" };
        writeln!(
            out,
            "{} {lines} of the records could not be read (above)",
            bad.len()
        )?;
    }
    Ok(if report.differing.is_empty() && bad.is_empty() {
        0
    } else {
        1
    })
}
