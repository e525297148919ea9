//! Warnings about the ends of validity windows: local times that a DST change skips or
//! repeats in the rule set's zone, and ends written `HH:59` that leave their last minute out.

use chrono::{Duration, LocalResult, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

use super::{Model, OfferModel, WindowModel};
use crate::language::ast::Moment;
use crate::language::diagnostic::Diagnostic;
use crate::value::time::local_instant;

pub fn boundaries(model: &Model, offer: &OfferModel, w: &WindowModel) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let ends = [(&w.start, false), (&w.end, true)];
    for (moment, is_end) in ends {
        let Some((moment, _)) = moment else { continue };
        if let Some(d) = dst(model, &offer.id, moment, is_end) {
            found.push(d);
        }
    }
    if let Some((end, _)) = &w.end
        && let Some((h, 59)) = end.time
    {
        let next = local(end, true) + Duration::minutes(1);
        let mut help = format!("to include the minute {h:02}:59, write `{}`", minute(next));
        if h == 23 {
            help.push_str(&format!(
                ", or the date alone, `{}`, which lasts to the end of the day",
                end.date
            ));
        }
        found.push(
            Diagnostic::warning(
                "end-59",
                format!(
                    "the window of offer `{}` closes at {h:02}:59:00: an end is not part of the window, so the minute from {h:02}:59 is left out",
                    offer.id
                ),
            )
            .at(end.span)
            .with_help(help),
        );
    }
    found
}

/// The local wall time a window end stands for: its time, or 00:00 of its date (of the
/// next day for a date end).
fn local(m: &Moment, is_end: bool) -> NaiveDateTime {
    match m.time {
        Some((h, mi)) => m
            .date
            .and_time(NaiveTime::from_hms_opt(h, mi, 0).unwrap_or(NaiveTime::MIN)),
        None if is_end => m.date.succ_opt().unwrap_or(m.date).and_time(NaiveTime::MIN),
        None => m.date.and_time(NaiveTime::MIN),
    }
}

fn minute(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

fn utc_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A window end that a DST change skips or repeats: which instant it is read as (the offset
/// before a skipped time; the first of a repeated one), and how to write the other.
fn dst(model: &Model, id: &str, m: &Moment, is_end: bool) -> Option<Diagnostic> {
    let tz: Tz = model.zone;
    let wall = local(m, is_end);
    let zone = &model.zone_name;
    let written = match (m.time, is_end) {
        (Some(_), _) => format!("`{m}`"),
        (None, false) => format!("the start of `{m}` (00:00)"),
        (None, true) => format!("the end of `{m}` (00:00 on {})", wall.date()),
    };
    match tz.from_local_datetime(&wall) {
        LocalResult::Single(_) => None,
        LocalResult::None => {
            let meant = local_instant(tz, wall);
            let meant_wall = meant.with_timezone(&tz).naive_local();
            let after = tz.offset_from_utc_datetime(&meant.naive_utc());
            let other = (wall - chrono::Offset::fix(&after)).and_utc();
            let other_wall = other.with_timezone(&tz).naive_local();
            Some(
                Diagnostic::warning(
                    "dst-gap",
                    format!(
                        "in offer `{id}`, {written} does not exist in {zone}: the clocks skip it; it is read with the offset before the change, as {} ({})",
                        minute(meant_wall),
                        utc_time(meant)
                    ),
                )
                .at(m.span)
                .with_help(format!(
                    "write `{}` to say so; for the instant with the offset after the change ({}), write `{}`",
                    minute(meant_wall),
                    utc_time(other),
                    minute(other_wall)
                )),
            )
        }
        LocalResult::Ambiguous(a, b) => {
            let (first, second) = (a.min(b), a.max(b));
            // the first wall time after the repeat that names one instant
            let mut next = wall;
            let mut later = None;
            for _ in 0..(24 * 60) {
                next += Duration::minutes(1);
                if let LocalResult::Single(t) = tz.from_local_datetime(&next)
                    && t > second
                {
                    later = Some(next);
                    break;
                }
            }
            let help = match later {
                Some(later) => format!(
                    "the second {} ({}) cannot be written in {zone} time; the first minute after it that can is `{}`",
                    wall.format("%H:%M"),
                    utc_time(second.with_timezone(&chrono::Utc)),
                    minute(later)
                ),
                None => String::from("the second one cannot be written in this zone's time"),
            };
            Some(
                Diagnostic::warning(
                    "dst-overlap",
                    format!(
                        "in offer `{id}`, {written} happens twice in {zone}, as the clocks go back; it is read as the first ({})",
                        utc_time(first.with_timezone(&chrono::Utc))
                    ),
                )
                .at(m.span)
                .with_help(help),
            )
        }
    }
}
