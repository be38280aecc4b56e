//! Time as the formats use it: Unix seconds inside, RFC 3339 outside.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Now, in Unix seconds.
pub fn now() -> u64 {
    u64::try_from(OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0)
}

/// Parses RFC 3339 with any offset (`2022-10-18T08:00:00+05:00`) to Unix
/// seconds. Fractions of a second are dropped; times before 1970 are refused.
pub fn parse_rfc3339(s: &str) -> Result<u64, String> {
    let t = OffsetDateTime::parse(s.trim(), &Rfc3339).map_err(|_| {
        format!("{s:?} is not an RFC 3339 time; write it like 2026-11-27T08:00:00+01:00 or 2026-11-27T07:00:00Z")
    })?;
    u64::try_from(t.unix_timestamp()).map_err(|_| format!("{s:?} is before 1970"))
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the one form the files write.
pub fn format_utc(secs: u64) -> String {
    match to_datetime(secs) {
        Some(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        None => format!("@{secs}"),
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` for a time in Unix milliseconds.
pub fn format_utc_ms(ms: u64) -> String {
    let base = format_utc(ms / 1000);
    match base.strip_suffix('Z') {
        Some(b) => format!("{b}.{:03}Z", ms % 1000),
        None => base,
    }
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> u64 {
    u64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

/// `YYYY-MM-DD HH:MM UTC`, for people.
pub fn format_human(secs: u64) -> String {
    match to_datetime(secs) {
        Some(t) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
        None => format!("@{secs}"),
    }
}

/// Parses exactly the form [`format_utc`] writes.
pub fn parse_utc_z(s: &str) -> Option<u64> {
    if s.len() != 20 || !s.ends_with('Z') {
        return None;
    }
    let secs = parse_rfc3339(s).ok()?;
    (format_utc(secs) == s).then_some(secs)
}

fn to_datetime(secs: u64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(i64::try_from(secs).ok()?).ok()
}

/// Plain words for a span of seconds: `3 days`, `5 hours`, `12 minutes`.
pub fn format_span(secs: u64) -> String {
    let (n, unit) = if secs >= 2 * 86_400 {
        (secs / 86_400, "days")
    } else if secs >= 2 * 3600 {
        (secs / 3600, "hours")
    } else if secs >= 120 {
        (secs / 60, "minutes")
    } else {
        (secs, "seconds")
    };
    format!("{n} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_honoured() {
        assert_eq!(
            parse_rfc3339("2022-10-18T08:00:00+05:00").unwrap(),
            parse_rfc3339("2022-10-18T03:00:00Z").unwrap()
        );
        assert_eq!(
            format_utc(parse_rfc3339("2022-10-18T08:00:00+05:00").unwrap()),
            "2022-10-18T03:00:00Z"
        );
    }

    #[test]
    fn strict_form_only() {
        assert!(parse_utc_z("2022-10-18T03:00:00Z").is_some());
        assert!(parse_utc_z("2022-10-18T03:00:00+00:00").is_none());
        assert!(parse_utc_z("2022-10-18t03:00:00z").is_none());
        assert!(parse_rfc3339("yesterday").is_err());
        assert!(parse_rfc3339("1960-01-01T00:00:00Z").is_err());
    }
}
