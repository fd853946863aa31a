//! Calendar days: parsing the dates reports carry and converting them for the index.
//!
//! Reports write dates in many ways (`2025-07-03`, `2025-07-03T14:10:00Z`, `3 July 2025`,
//! `July 3, 2025`, `2025/07/03`). attache keeps only the day, as ISO `YYYY-MM-DD`; a
//! date it cannot read is dropped rather than guessed. No time-zone arithmetic is done:
//! the day written is the day kept.

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Normalises a written date to `YYYY-MM-DD`, or `None` when it is not a valid day.
///
/// ```
/// use attache::date::parse_day;
/// assert_eq!(parse_day("2025-07-03T10:00:00Z").as_deref(), Some("2025-07-03"));
/// assert_eq!(parse_day("July 3, 2025").as_deref(), Some("2025-07-03"));
/// assert_eq!(parse_day("3 Jul 2025").as_deref(), Some("2025-07-03"));
/// assert_eq!(parse_day("2025-02-30"), None);
/// ```
pub fn parse_day(text: &str) -> Option<String> {
    let text = text.trim().trim_matches('"');
    let (y, m, d) = parse_numeric(text).or_else(|| parse_words(text))?;
    is_valid(y, m, d).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Whether `text` is a valid day written exactly `YYYY-MM-DD` (what [`parse_day`] writes):
/// a check for the thousands of dates in the lexicons, which allocates nothing.
pub(crate) fn is_iso_day(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !(digits(0..4) && digits(5..7) && digits(8..10)) {
        return false;
    }
    let number = |r: std::ops::Range<usize>| text.get(r).and_then(|n| n.parse::<u32>().ok()).unwrap_or(0);
    is_valid(number(0..4) as i32, number(5..7), number(8..10))
}

/// `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD`, optionally followed by a time.
fn parse_numeric(text: &str) -> Option<(i32, u32, u32)> {
    let head: String = text.chars().take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '/' | '.')).collect();
    let mut parts = head.split(['-', '/', '.']);
    let y = parts.next()?;
    if y.len() != 4 {
        return None;
    }
    let y = y.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let d = parts.next()?.parse().ok()?;
    Some((y, m, d))
}

/// `3 July 2025`, `July 3, 2025`, `Thursday, July 3, 2025`, with full or 3-letter months.
fn parse_words(text: &str) -> Option<(i32, u32, u32)> {
    let words: Vec<&str> = text.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
    let month_at = words.iter().position(|w| month_number(w).is_some())?;
    let m = month_number(words[month_at])?;
    let number = |i: usize| -> Option<u32> {
        words.get(i).and_then(|w| w.trim_end_matches(['.', 's', 't', 'h', 'n', 'd', 'r']).parse().ok())
    };
    if let (Some(d), Some(y)) = (month_at.checked_sub(1).and_then(number), number(month_at + 1))
        && y > 999
    {
        return Some((y as i32, m, d));
    }
    let d = number(month_at + 1)?;
    let y = number(month_at + 2)?;
    (y > 999).then_some((y as i32, m, d))
}

fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS.iter().position(|m| m.starts_with(&w) && (w.len() == 3 || *m == w)).map(|i| i as u32 + 1)
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

fn is_valid(y: i32, m: u32, d: u32) -> bool {
    (1000..=9999).contains(&y) && (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)
}

/// The widest span of days the index can store: tantivy keeps dates as nanoseconds in an
/// `i64`, about 1677-09-22 to 2262-04-11. Later or earlier days are clamped to it.
const INDEXABLE_DAYS: std::ops::RangeInclusive<i64> = -106_650..=106_650;

/// Seconds since the epoch of a day count, clamped to what the index can store.
pub(crate) fn indexable_secs(days: i64) -> i64 {
    days.clamp(*INDEXABLE_DAYS.start(), *INDEXABLE_DAYS.end()) * 86_400
}

/// Whether a day count can be stored in the index as it is.
pub(crate) fn is_indexable(days: i64) -> bool {
    INDEXABLE_DAYS.contains(&days)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` day (proleptic Gregorian calendar).
///
/// ```
/// assert_eq!(attache::date::days_from_iso("1970-01-02"), Some(1));
/// ```
pub fn days_from_iso(day: &str) -> Option<i64> {
    let (y, m, d) = parse_numeric(day)?;
    if !is_valid(y, m, d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y } as i64;
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The `YYYY-MM-DD` day of a count of days since 1970-01-01.
///
/// ```
/// assert_eq!(attache::date::iso_from_days(20_272), "2025-07-03");
/// ```
pub fn iso_from_days(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_iso_day_is_what_parse_day_writes_unchanged() {
        let days = [
            "2015-01-01",
            "2024-02-29",
            "2023-02-29",
            "2015-1-01",
            "2015-13-01",
            "2015-00-10",
            " 2015-01-01",
            "2015/01/01",
            "20150101xx",
            "99999-01-0",
            "2015-01-0a",
            "0999-01-01",
            "2015-01-32",
            "",
        ];
        for day in days {
            assert_eq!(is_iso_day(day), parse_day(day).as_deref() == Some(day), "{day:?}");
        }
    }

    #[test]
    fn days_round_trip() {
        for day in ["1970-01-01", "1963-02-15", "2000-02-29", "2025-07-03", "2026-12-31"] {
            let n = days_from_iso(day).unwrap();
            assert_eq!(iso_from_days(n), day);
        }
        assert_eq!(days_from_iso("1970-01-02"), Some(1));
    }

    #[test]
    fn far_days_are_clamped_to_what_the_index_stores() {
        // Regression: the fuzzer's `date:[8502-06-01 TO *]` overflowed tantivy's nanoseconds.
        let far = days_from_iso("8502-06-01").unwrap();
        assert!(!is_indexable(far));
        assert_eq!(indexable_secs(far), 106_650 * 86_400);
        assert!(is_indexable(days_from_iso("2026-11-22").unwrap()));
        assert!(is_indexable(days_from_iso("1963-01-04").unwrap()));
        // The clamped bound still converts without overflow.
        let _ = tantivy::DateTime::from_timestamp_secs(indexable_secs(i64::MAX / 86_400));
    }

    #[test]
    fn written_forms() {
        assert_eq!(parse_day("Thursday, July 3, 2025").as_deref(), Some("2025-07-03"));
        assert_eq!(parse_day("3rd July 2025").as_deref(), Some("2025-07-03"));
        assert_eq!(parse_day("2025/7/3").as_deref(), Some("2025-07-03"));
        assert_eq!(parse_day("may 2025"), None);
        assert_eq!(parse_day("yesterday"), None);
        assert_eq!(parse_day(""), None);
    }
}
