//! Whether a start time a state file recorded is that of a given process: the check that
//! keeps a record from naming whichever process holds its PID now.

use super::snapshot::RecordedStart;

/// The largest distance of a local time zone from UTC (UTC+14).
const MAX_OFFSET_SECS: i64 = 14 * 3600;

impl RecordedStart {
    /// Whether a process that started `start_ticks` after a boot at `boot_time_secs`
    /// (epoch seconds) is the one recorded.
    pub fn matches(&self, start_ticks: u64, boot_time_secs: u64, ticks_per_second: u64) -> bool {
        match self {
            RecordedStart::Ticks(t) => *t == start_ticks,
            RecordedStart::LocalTime(text) => {
                let Some(local) = parse_lstart(text) else { return false };
                let started = (boot_time_secs + start_ticks / ticks_per_second.max(1)) as i64;
                // `ps` printed local time in a zone this sampler does not know: the
                // difference must be a whole quarter of an hour (every zone's offset is),
                // within a second or two of rounding.
                let offset = local - started;
                let quarter = 900;
                let off_grid = (offset - (offset as f64 / quarter as f64).round() as i64 * quarter).abs();
                offset.abs() <= MAX_OFFSET_SECS + 2 && off_grid <= 2
            }
        }
    }
}

/// `ps -o lstart=` (`Wed Dec  2 10:23:42 2026`) as seconds since the epoch, reading the
/// clock time as if it were UTC.
pub fn parse_lstart(text: &str) -> Option<i64> {
    let mut parts = text.split_whitespace();
    let (_weekday, month, day, clock, year) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| *m == month)? as i64 + 1;
    let day: i64 = day.parse().ok()?;
    let year: i64 = year.parse().ok()?;
    let mut hms = clock.split(':').map(|v| v.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next().is_some() || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lstart_text_is_read_as_a_clock() {
        assert_eq!(parse_lstart("Thu Jan  1 00:00:00 1970"), Some(0));
        assert_eq!(parse_lstart("Wed Dec  2 10:23:42 2026"), Some(1_796_207_022));
        assert_eq!(parse_lstart("Wed Foo  2 10:23:42 2026"), None);
        assert_eq!(parse_lstart("Wed Dec  2 25:23:42 2026"), None);
        assert_eq!(parse_lstart(""), None);
    }

    #[test]
    fn a_local_time_matches_in_any_whole_zone_and_nothing_else() {
        // Started 1_796_207_022 (10:23:42 UTC): 100 s after a boot at ..6_922, 100 ticks/s.
        let (boot, ticks, tps) = (1_796_206_922, 10_000, 100);
        let at = |s: &str| RecordedStart::LocalTime(s.into()).matches(ticks, boot, tps);
        assert!(at("Wed Dec  2 10:23:42 2026"), "UTC");
        assert!(at("Wed Dec  2 11:23:43 2026"), "UTC+1, a second of rounding");
        assert!(at("Wed Dec  2 15:53:42 2026"), "UTC+5:30");
        assert!(at("Wed Dec  2 05:23:42 2026"), "UTC-5");
        assert!(!at("Wed Dec  2 10:23:49 2026"), "seven seconds off is another process");
        assert!(!at("Wed Dec  2 10:31:42 2026"), "eight minutes off");
        assert!(!at("Fri Dec  4 10:23:42 2026"), "two days off");
        assert!(RecordedStart::Ticks(10_000).matches(ticks, boot, tps));
        assert!(!RecordedStart::Ticks(10_001).matches(ticks, boot, tps));
    }
}
