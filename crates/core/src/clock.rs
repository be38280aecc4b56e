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

/// Parses a UTC offset such as `+01:00`, `-05:30` or `Z`, into seconds.
pub fn parse_offset(s: &str) -> Option<i32> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("z") || s == "+00:00" || s == "-00:00" {
        return Some(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// A time as a guard says it, in local time (`offset` seconds from UTC)
/// relative to `now`: `today 20:00`, `yesterday 20:00`, `tomorrow 08:00`,
/// otherwise `Mon 30 Nov 08:00` (with the year when it differs).
pub fn format_relative(t: u64, now: u64, offset: i32) -> String {
    let local = |s: u64| {
        to_datetime(s).and_then(|d| {
            time::UtcOffset::from_whole_seconds(offset)
                .ok()
                .map(|o| d.to_offset(o))
        })
    };
    let (Some(lt), Some(ln)) = (local(t), local(now)) else {
        return format_human(t);
    };
    let hm = format!("{:02}:{:02}", lt.hour(), lt.minute());
    let days = (lt.date().to_julian_day() as i64) - (ln.date().to_julian_day() as i64);
    match days {
        0 => format!("today {hm}"),
        -1 => format!("yesterday {hm}"),
        1 => format!("tomorrow {hm}"),
        _ => {
            let month = &format!("{:?}", lt.month())[..3];
            let weekday = &format!("{:?}", lt.weekday())[..3];
            if lt.year() == ln.year() {
                format!("{weekday} {} {month} {hm}", lt.day())
            } else {
                format!("{weekday} {} {month} {} {hm}", lt.day(), lt.year())
            }
        }
    }
}

/// A local clock face, `HH:MM`, at `offset` seconds from UTC.
pub fn format_clock(ms: u64, offset: i32) -> String {
    let secs = (ms / 1000) as i64 + i64::from(offset);
    let day = secs.rem_euclid(86_400);
    format!("{:02}:{:02}", day / 3600, day / 60 % 60)
}

/// Unix ms at which the local day holding `ms` began.
pub fn local_day_start_ms(ms: u64, offset: i32) -> u64 {
    let local = (ms / 1000) as i64 + i64::from(offset);
    let start = local - local.rem_euclid(86_400) - i64::from(offset);
    u64::try_from(start).unwrap_or(0) * 1000
}

/// Parses exactly the form [`format_utc`] writes.
pub fn parse_utc_z(s: &str) -> Option<u64> {
    if s.len() != 20 || !s.ends_with('Z') {
        return None;
    }
    let secs = parse_rfc3339(s).ok()?;
    (format_utc(secs) == s).then_some(secs)
}

/// `text` with every UTC moment in the machine form
/// (`2026-12-06T04:06:50.326Z`) replaced by `say(unix_ms)`.
pub fn restamp_with(text: &str, say: impl Fn(u64) -> String) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some((at, len, ms)) = find_utc_stamp(rest) {
        out.push_str(&rest[..at]);
        out.push_str(&say(ms));
        rest = &rest[at + len..];
    }
    out.push_str(rest);
    out
}

/// The first `YYYY-MM-DDTHH:MM:SS[.fff]Z` in `s`: where it starts, its
/// length and its moment in Unix milliseconds.
fn find_utc_stamp(s: &str) -> Option<(usize, usize, u64)> {
    let b = s.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let shape = |i: usize| {
        (0..4).all(|k| digit(i + k))
            && b.get(i + 4) == Some(&b'-')
            && digit(i + 5)
            && digit(i + 6)
            && b.get(i + 7) == Some(&b'-')
            && digit(i + 8)
            && digit(i + 9)
            && b.get(i + 10) == Some(&b'T')
            && digit(i + 11)
            && digit(i + 12)
            && b.get(i + 13) == Some(&b':')
            && digit(i + 14)
            && digit(i + 15)
            && b.get(i + 16) == Some(&b':')
            && digit(i + 17)
            && digit(i + 18)
    };
    let mut from = 0;
    while let Some(i) = s[from..].find('T').map(|t| from + t) {
        from = i + 1;
        let Some(start) = i.checked_sub(10) else {
            continue;
        };
        if !shape(start) || (start > 0 && digit(start - 1)) {
            continue;
        }
        let mut end = start + 19;
        let mut ms = 0u64;
        if b.get(end) == Some(&b'.') && digit(end + 1) {
            let mut k = end + 1;
            let mut scale = 100;
            while digit(k) {
                ms += u64::from(b[k] - b'0') * scale;
                scale /= 10;
                k += 1;
            }
            end = k;
        }
        if b.get(end) != Some(&b'Z') {
            continue;
        }
        let Ok(secs) = parse_rfc3339(&format!("{}Z", &s[start..start + 19])) else {
            continue;
        };
        return Some((start, end + 1 - start, secs * 1000 + ms));
    }
    None
}

fn to_datetime(secs: u64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(i64::try_from(secs).ok()?).ok()
}

/// How a kiosk's `policy_accepted` record names the venue's time zone:
/// `… time zone Asia/Tashkent) …`. The kiosk writes it; the audit and the
/// office read the venue's zone back from it
/// ([`VenueTime::named_in_policy_record`]).
pub const POLICY_ZONE: &str = "time zone ";

/// How people at the venue read and write times: in the venue's time zone
/// (from its policy), or in UTC when there is none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VenueTime {
    zone: Option<String>,
    /// A fixed offset east of UTC in seconds (`--utc-offset`), when there
    /// is no time zone.
    fixed: Option<i32>,
}

impl VenueTime {
    /// Times in UTC.
    pub fn utc() -> VenueTime {
        VenueTime::default()
    }

    /// Times in an IANA time zone (`Europe/Zurich`); an unknown name reads
    /// as UTC (a policy naming one is refused before it gets here).
    pub fn zone(name: &str) -> VenueTime {
        VenueTime {
            zone: jiff::tz::TimeZone::get(name).ok().map(|_| name.to_owned()),
            fixed: None,
        }
    }

    /// Times at a fixed offset from UTC (seconds east), for a venue with no
    /// policy naming its time zone.
    pub fn fixed(offset_secs: i32) -> VenueTime {
        VenueTime {
            zone: None,
            fixed: (offset_secs != 0).then_some(offset_secs),
        }
    }

    fn tz(&self) -> Option<jiff::tz::TimeZone> {
        if let Some(z) = self.zone.as_deref() {
            return jiff::tz::TimeZone::get(z).ok();
        }
        let offset = jiff::tz::Offset::from_seconds(self.fixed?).ok()?;
        Some(jiff::tz::TimeZone::fixed(offset))
    }

    /// The zone's name, `UTC+05:00` for a fixed offset, or `UTC`.
    pub fn name(&self) -> String {
        match (&self.zone, self.fixed) {
            (Some(z), _) => z.clone(),
            (None, Some(o)) => format!(
                "UTC{}{:02}:{:02}",
                if o < 0 { '-' } else { '+' },
                o.unsigned_abs() / 3600,
                o.unsigned_abs() % 3600 / 60
            ),
            (None, None) => "UTC".into(),
        }
    }

    /// Seconds east of UTC at Unix time `secs`.
    pub fn offset_at(&self, secs: u64) -> i32 {
        let (Some(tz), Ok(ts)) = (
            self.tz(),
            jiff::Timestamp::from_second(secs.min(i64::MAX as u64) as i64),
        ) else {
            return 0;
        };
        tz.to_offset(ts).seconds()
    }

    /// `YYYY-MM-DD HH:MM CET` in the venue's time (`… UTC` without a zone).
    pub fn format(&self, secs: u64) -> String {
        let (Some(tz), Ok(ts)) = (
            self.tz(),
            jiff::Timestamp::from_second(secs.min(i64::MAX as u64) as i64),
        ) else {
            return format_human(secs);
        };
        let info = tz.to_offset_info(ts);
        let local = (secs as i64).saturating_add(i64::from(info.offset().seconds()));
        let base = format_human(u64::try_from(local).unwrap_or(0));
        if self.zone.is_none() {
            return format!("{} {}", base.trim_end_matches(" UTC"), self.name());
        }
        let abbreviation = info.abbreviation();
        // Zones without a letter abbreviation print their offset (+04).
        format!("{} {abbreviation}", base.trim_end_matches(" UTC"))
    }

    /// `2026-12-06 09:06:50 +05`: a moment for people, to the second, in
    /// the venue's time with its zone's abbreviation (its offset where the
    /// zone has no letters), or `… UTC`. Every log line, muster list and
    /// table a person reads at the venue uses this.
    pub fn at_ms(&self, ms: u64) -> String {
        let Ok(ts) = jiff::Timestamp::from_millisecond(ms.min(i64::MAX as u64) as i64) else {
            return format!("@{ms}");
        };
        let tz = self.tz().unwrap_or(jiff::tz::TimeZone::UTC);
        let info = tz.to_offset_info(ts);
        let local = ts.to_zoned_datetime(tz.clone());
        let label = if self.zone.is_none() {
            self.name()
        } else {
            info.abbreviation().to_string()
        };
        format!("{} {label}", local.strftime("%Y-%m-%d %H:%M:%S"))
    }

    /// The venue's zone as a kiosk recorded taking up its signed policy:
    /// the detail of a `policy_accepted` record (see [`POLICY_ZONE`]).
    /// `None` when the detail names no zone this machine knows.
    pub fn named_in_policy_record(detail: &str) -> Option<VenueTime> {
        let rest = &detail[detail.rfind(POLICY_ZONE)? + POLICY_ZONE.len()..];
        let name = rest.split([')', ' ', ',']).next()?;
        jiff::tz::TimeZone::get(name).ok()?;
        Some(VenueTime::zone(name))
    }

    /// The zone people asked for (`--time-zone`), else the one the venue's
    /// policy named, else UTC. An unknown name is refused in words.
    pub fn chosen(asked: Option<&str>, recorded: Option<VenueTime>) -> Result<VenueTime, String> {
        match asked {
            Some(z) if z.eq_ignore_ascii_case("utc") => Ok(VenueTime::utc()),
            Some(z) => match jiff::tz::TimeZone::get(z) {
                Ok(_) => Ok(VenueTime::zone(z)),
                Err(_) => Err(format!(
                    "time zone {z:?} is not known; give an IANA name like Asia/Tashkent or Europe/Geneva"
                )),
            },
            None => Ok(recorded.unwrap_or_default()),
        }
    }

    /// `text` with every UTC moment it holds in the machine form
    /// (`2026-12-06T04:06:50Z`, `2026-12-06T04:06:50.326Z`) rewritten as
    /// [`VenueTime::at_ms`] says it. Alarm details are stored with UTC
    /// moments, exact for anyone reading the database; every screen and
    /// table shows them in the venue's time through this.
    pub fn restamp(&self, text: &str) -> String {
        restamp_with(text, |ms| self.at_ms(ms))
    }

    /// Parses a time the desk typed: RFC 3339 with an offset, or — with a
    /// venue time zone — a local `YYYY-MM-DD HH:MM[:SS]` (a `T` also
    /// works) meaning the venue's wall clock.
    pub fn parse(&self, s: &str) -> Result<u64, String> {
        let s = s.trim();
        if let Ok(t) = parse_rfc3339(s) {
            return Ok(t);
        }
        let Some(tz) = self.tz() else {
            return parse_rfc3339(s);
        };
        let civil: jiff::civil::DateTime = s.parse().map_err(|_| {
            format!(
                "{s:?} is not a time; write it like 2026-12-01 08:00 (venue time, {}) or 2026-12-01T07:00:00Z",
                self.name()
            )
        })?;
        let zoned = tz
            .to_ambiguous_zoned_datetime(civil)
            .compatible()
            .map_err(|e| format!("{s:?}: {e}"))?;
        u64::try_from(zoned.timestamp().as_second()).map_err(|_| format!("{s:?} is before 1970"))
    }
}

/// Plain words for a span of seconds: `3 days`, `5 hours`, `12 minutes`.
pub fn format_span(secs: u64) -> String {
    let (n, unit) = span_unit(secs);
    let units = ["seconds", "minutes", "hours", "days"];
    if n == 1 {
        return "1 second".into();
    }
    format!("{n} {}", units[unit])
}

/// A span of seconds as a count of its largest fitting unit (two or more
/// of it, else the next smaller): the count and the unit (0 seconds, 1
/// minutes, 2 hours, 3 days).
pub fn span_unit(secs: u64) -> (u64, usize) {
    if secs >= 2 * 86_400 {
        (secs / 86_400, 3)
    } else if secs >= 2 * 3600 {
        (secs / 3600, 2)
    } else if secs >= 120 {
        (secs / 60, 1)
    } else {
        (secs, 0)
    }
}

/// Which of a word's three forms follows the number `n` in the language
/// `code` (`en`, `ru`, `tg`): one, a few (Russian 2–4), many.
pub fn plural_form(code: &str, n: u64) -> usize {
    match code {
        "ru" if n % 10 == 1 && n % 100 != 11 => 0,
        "ru" if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) => 1,
        "ru" => 2,
        _ if n == 1 => 0,
        _ => 2,
    }
}

/// A span of seconds in a language's words for the units (seconds,
/// minutes, hours, days; each in its three forms).
pub fn span_in(code: &str, secs: u64, units: [&[&str; 3]; 4]) -> String {
    let (n, unit) = span_unit(secs);
    format!("{n} {}", units[unit][plural_form(code, n)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venue_time_is_read_back_from_a_kiosks_policy_record() {
        let detail = "venue policy key ab12 sequence 3 issued 2026-12-01 08:00 UTC (Summit: 2 zone(s), 3 categories, 4 gate(s), time zone Asia/Tashkent) from the office";
        let v = VenueTime::named_in_policy_record(detail).unwrap();
        assert_eq!(v.name(), "Asia/Tashkent");
        let with_language = detail.replace("Asia/Tashkent)", "Asia/Tashkent, guards' language tg)");
        let v = VenueTime::named_in_policy_record(&with_language).unwrap();
        assert_eq!(v.name(), "Asia/Tashkent");
        assert_eq!(
            crate::rules::language_named_in_policy_record(&with_language).as_deref(),
            Some("tg")
        );
        assert_eq!(crate::rules::language_named_in_policy_record(detail), None);
        // 2026-12-06T04:06:50.326Z is 09:06:50 at +05.
        assert_eq!(v.at_ms(1_796_530_010_326), "2026-12-06 09:06:50 +05");
        assert_eq!(
            VenueTime::utc().at_ms(1_796_530_010_326),
            "2026-12-06 04:06:50 UTC"
        );
        assert!(VenueTime::named_in_policy_record("time zone Mars/Olympus)").is_none());
        assert!(VenueTime::named_in_policy_record("no zone here").is_none());
        let chosen = VenueTime::chosen(Some("Europe/Zurich"), Some(v.clone())).unwrap();
        assert_eq!(chosen.name(), "Europe/Zurich");
        assert_eq!(
            VenueTime::chosen(None, Some(v)).unwrap().name(),
            "Asia/Tashkent"
        );
        assert_eq!(VenueTime::chosen(None, None).unwrap().name(), "UTC");
        assert!(VenueTime::chosen(Some("Mars/Olympus"), None)
            .unwrap_err()
            .contains("not known"));
    }

    #[test]
    fn stored_utc_moments_are_shown_in_venue_time_and_nothing_else_moves() {
        let v = VenueTime::zone("Asia/Tashkent");
        let stored = "badge HD-0001 admitted at gate north (kiosk time 2026-12-06T04:06:50.326Z) while inside by gate east (kiosk time 2026-12-06T03:00:00Z); not 12026-12-06T04:06:50Z nor 2026-12-06T04:06:50+05:00 nor 2026-13-06T04:06:50Z";
        assert_eq!(
            v.restamp(stored),
            "badge HD-0001 admitted at gate north (kiosk time 2026-12-06 09:06:50 +05) while inside by gate east (kiosk time 2026-12-06 08:00:00 +05); not 12026-12-06T04:06:50Z nor 2026-12-06T04:06:50+05:00 nor 2026-13-06T04:06:50Z"
        );
        assert_eq!(
            VenueTime::utc().restamp("T at 1970-01-01T00:00:00Z."),
            "T at 1970-01-01 00:00:00 UTC."
        );
        for odd in [
            "",
            "T",
            "TTTT",
            "2026-12-06T",
            "2026-12-06T04:06:50.Z",
            "ü2026-12-06T04:06:50Zü",
        ] {
            let _ = v.restamp(odd);
        }
        assert_eq!(
            v.restamp("ü2026-12-06T04:06:50Zü"),
            "ü2026-12-06 09:06:50 +05ü"
        );
    }

    #[test]
    fn venue_time_reads_and_writes_the_venues_wall_clock() {
        let zurich = VenueTime::zone("Europe/Zurich");
        // 2026-12-01 08:00 in Zurich is 07:00 UTC.
        let t = zurich.parse("2026-12-01 08:00").unwrap();
        assert_eq!(format_utc(t), "2026-12-01T07:00:00Z");
        assert_eq!(zurich.parse("2026-12-01T08:00").unwrap(), t);
        assert_eq!(zurich.parse("2026-12-01T07:00:00Z").unwrap(), t);
        assert_eq!(zurich.format(t), "2026-12-01 08:00 CET");
        assert_eq!(zurich.offset_at(t), 3600);
        let utc = VenueTime::utc();
        assert!(
            utc.parse("2026-12-01 08:00").is_err(),
            "no zone: an offset is needed"
        );
        assert_eq!(utc.format(t), "2026-12-01 07:00 UTC");
    }

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
    fn relative_times_read_as_a_guard_says_them() {
        let now = parse_rfc3339("2026-11-27T10:00:00Z").unwrap();
        let at = |s: &str| parse_rfc3339(s).unwrap();
        assert_eq!(
            format_relative(at("2026-11-26T20:00:00Z"), now, 0),
            "yesterday 20:00"
        );
        assert_eq!(
            format_relative(at("2026-11-27T18:30:00Z"), now, 0),
            "today 18:30"
        );
        assert_eq!(
            format_relative(at("2026-11-28T08:00:00Z"), now, 0),
            "tomorrow 08:00"
        );
        assert_eq!(
            format_relative(at("2026-11-30T08:00:00Z"), now, 0),
            "Mon 30 Nov 08:00"
        );
        assert_eq!(
            format_relative(at("2025-11-30T08:00:00Z"), now, 0),
            "Sun 30 Nov 2025 08:00"
        );
        // 23:30 UTC is already tomorrow 00:30 at +01:00.
        assert_eq!(
            format_relative(at("2026-11-27T23:30:00Z"), now, 3600),
            "tomorrow 00:30"
        );
        assert_eq!(parse_offset("+05:30"), Some(19_800));
        assert_eq!(parse_offset("-03:00"), Some(-10_800));
        assert_eq!(parse_offset("Z"), Some(0));
        assert_eq!(parse_offset("5"), None);
        assert_eq!(format_clock(now * 1000 + 65_000, 3600), "11:01");
        assert_eq!(
            local_day_start_ms(now * 1000, 3600),
            at("2026-11-26T23:00:00Z") * 1000
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
