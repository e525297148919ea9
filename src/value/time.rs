//! Time zones, local dates and times of validity windows, and evaluation instants.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::{TZ_VARIANTS, Tz};

use crate::language::diagnostic::did_you_mean;

/// An IANA zone by exact name, or why not (with a close name where there is one).
pub fn zone(name: &str) -> Result<Tz, String> {
    name.parse::<Tz>().map_err(|_| {
        let hint = did_you_mean(name, TZ_VARIANTS.iter().map(|z| z.name()));
        let name = crate::escape::excerpt(name);
        match hint {
            Some(close) => format!("unknown time zone `{name}` (did you mean `{close}`?)"),
            None => {
                format!("unknown time zone `{name}`; use an IANA name like \"America/Chicago\"")
            }
        }
    })
}

/// The instant of a local wall time in `tz` (docs/language.md, "Windows"): a time that does not exist
/// (skipped by a DST change) is read with the offset in force before the change, a time that
/// occurs twice is the first of the two.
pub fn local_instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    if let Some((year, _)) = same_calendar(local.year())
        && let Some(stand_in) = local.with_year(year)
    {
        return table_instant(tz, stand_in) + (local - stand_in);
    }
    table_instant(tz, local)
}

/// The zone's tables (chrono-tz's) run to the end of 2099 and then keep one offset for
/// ever, where the zone's rules go on changing twice a year. A date past 2099 is read in the
/// year of 2072–2099 with the same calendar (leap or not, 1 January on the same weekday),
/// where the same rules fall on the same dates: that year and the days between them.
fn same_calendar(year: i32) -> Option<(i32, i64)> {
    const LAST: i32 = 2099;
    if year <= LAST {
        return None;
    }
    let jan1 = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1);
    let leap = |y: i32| NaiveDate::from_ymd_opt(y, 2, 29).is_some();
    let target = jan1(year)?;
    (LAST - 27..=LAST)
        .find(|&y| {
            leap(y) == leap(year) && jan1(y).is_some_and(|d| d.weekday() == target.weekday())
        })
        .and_then(|y| Some((y, (target - jan1(y)?).num_days())))
}

fn table_instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, second) => first.min(second).with_timezone(&Utc),
        LocalResult::None => {
            // Walk back to the last wall time before the gap; its offset is the one in force.
            let mut probe = local;
            for _ in 0..(48 * 4) {
                probe -= Duration::minutes(15);
                if let Some(before) = tz.from_local_datetime(&probe).latest() {
                    let offset = chrono::Offset::fix(before.offset());
                    return (local - offset).and_utc();
                }
            }
            local.and_utc()
        }
    }
}

/// 00:00 local of a date.
pub fn start_of_day(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    local_instant(tz, date.and_time(NaiveTime::MIN))
}

/// The calendar date of an instant in `tz`.
pub fn local_date(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    local_datetime(tz, at).date()
}

/// The wall time of an instant in `tz`.
pub fn local_datetime(tz: Tz, at: DateTime<Utc>) -> NaiveDateTime {
    if let Some((_, days)) = same_calendar(at.year())
        && let Some(delta) = Duration::try_days(days)
    {
        let stand_in = at - delta;
        return stand_in.with_timezone(&tz).naive_local() + delta;
    }
    at.with_timezone(&tz).naive_local()
}

/// An RFC 3339 instant (`2016-05-10T10:00:00-05:00`), or `None`.
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    // chrono also takes a space for the `T`; the command line asks for RFC 3339, which allows it too.
    // An offset can carry 9999-12-31T23:59:59-14:00 into the year 10000, which RFC 3339
    // cannot write: every instant honor reads must be one it can write back and read again.
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
        .filter(|t| (0..=9999).contains(&t.year()))
}

/// An instant as decisions write it: RFC 3339 in UTC with `Z`; fractional seconds only when
/// there are some.
pub fn format_instant(at: DateTime<Utc>) -> String {
    let base = at.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = at.timestamp_subsec_nanos() % 1_000_000_000;
    if nanos == 0 {
        format!("{base}Z")
    } else {
        let frac = format!("{nanos:09}");
        format!("{base}.{}Z", frac.trim_end_matches('0'))
    }
}

/// A date `YYYY-MM-DD` that exists on the calendar.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Whole years from `born` to `today`: a 29 February birthday counts on 1 March in common
/// years; negative before birth.
pub fn age_years(born: NaiveDate, today: NaiveDate) -> i64 {
    use chrono::Datelike;
    let mut years = today.year() as i64 - born.year() as i64;
    if (today.month(), today.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years
}

/// Days from `day` to `today`; negative for a day in the future.
pub fn days_since(day: NaiveDate, today: NaiveDate) -> i64 {
    (today - day).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        parse_instant(s).unwrap()
    }

    #[test]
    fn local_midnight_follows_daylight_saving() {
        let chicago = zone("America/Chicago").unwrap();
        for (day, midnight) in [
            // 6 November 2016: the clocks go back at 02:00; midnight is still CDT (-05:00)
            ("2016-11-06", "2016-11-06T05:00:00Z"),
            // the day after is CST (-06:00)
            ("2016-11-07", "2016-11-07T06:00:00Z"),
            ("2016-03-13", "2016-03-13T06:00:00Z"),
            ("2016-03-14", "2016-03-14T05:00:00Z"),
        ] {
            assert_eq!(start_of_day(chicago, date(day)), at(midnight), "{day}");
        }
    }

    #[test]
    fn skipped_and_repeated_wall_times() {
        let chicago = zone("America/Chicago").unwrap();
        let t = |d: &str, h, m| date(d).and_hms_opt(h, m, 0).unwrap();
        // 02:30 on a spring-forward night does not exist: read at -06:00, i.e. 03:30 CDT
        assert_eq!(
            local_instant(chicago, t("2016-03-13", 2, 30)),
            at("2016-03-13T08:30:00Z")
        );
        // 01:30 on a fall-back night happens twice: the first (CDT, -05:00)
        assert_eq!(
            local_instant(chicago, t("2016-11-06", 1, 30)),
            at("2016-11-06T06:30:00Z")
        );
    }

    #[test]
    fn zones_keep_changing_after_their_tables_end() {
        let sydney = zone("Australia/Sydney").unwrap();
        let chicago = zone("America/Chicago").unwrap();
        for (tz, day, midnight) in [
            // July is winter in Sydney (+10:00), January summer (+11:00), in 2176 as in 2026
            (sydney, "2176-07-08", "2176-07-07T14:00:00Z"),
            (sydney, "2176-01-08", "2176-01-07T13:00:00Z"),
            (chicago, "2150-07-04", "2150-07-04T05:00:00Z"),
        ] {
            assert_eq!(start_of_day(tz, date(day)), at(midnight), "{day}");
        }
        for (instant, day) in [
            ("2150-07-04T04:59:00Z", "2150-07-03"),
            ("2150-12-25T05:59:00Z", "2150-12-24"),
        ] {
            assert_eq!(local_date(chicago, at(instant)), date(day), "{instant}");
        }
    }

    #[test]
    fn unknown_zone_suggests_a_close_name() {
        assert!(
            zone("America/Chicgo")
                .unwrap_err()
                .contains("`America/Chicago`")
        );
        assert!(zone("Mars/Olympus").is_err());
        assert!(zone("UTC").is_ok());
    }

    #[test]
    fn age_counts_whole_years_on_birthdays() {
        assert_eq!(age_years(date("2000-05-10"), date("2018-05-09")), 17);
        assert_eq!(age_years(date("2000-05-10"), date("2018-05-10")), 18);
        // born on 29 February: a year older on 1 March in common years
        assert_eq!(age_years(date("2000-02-29"), date("2018-02-28")), 17);
        assert_eq!(age_years(date("2000-02-29"), date("2018-03-01")), 18);
        assert_eq!(age_years(date("2000-02-29"), date("2020-02-29")), 20);
        assert_eq!(age_years(date("2030-01-01"), date("2026-01-01")), -4);
        assert_eq!(days_since(date("2026-01-01"), date("2026-01-31")), 30);
        assert_eq!(days_since(date("2026-02-01"), date("2026-01-31")), -1);
    }

    #[test]
    fn instants_print_in_utc() {
        assert_eq!(
            format_instant(at("2016-05-10T10:00:00-05:00")),
            "2016-05-10T15:00:00Z"
        );
        assert_eq!(
            format_instant(at("2016-05-10T10:00:00.250Z")),
            "2016-05-10T10:00:00.25Z"
        );
        assert!(parse_instant("2016-05-10").is_none());
        assert!(parse_instant("yesterday").is_none());
        // instants whose UTC year RFC 3339 cannot write are refused, not carried to +10000
        assert!(parse_instant("9999-12-31T23:59:59-14:00").is_none());
        assert!(parse_instant("0000-01-01T00:00:00+01:00").is_none());
        assert!(parse_instant("9999-12-31T23:59:59+14:00").is_some());
        assert!(parse_date("2016-02-30").is_none());
        assert!(parse_date("2016-2-3").is_none());
    }
}
