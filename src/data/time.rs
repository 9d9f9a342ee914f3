//! Time ranges as users write them — a duration back from now (`--since 2h`), ISO dates,
//! date-times with or without a zone — turned into the epoch milliseconds the APIs take,
//! and split into the windows an API's span limit allows. Users never write epoch ms.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

/// A half-open range `[from, to)` in epoch milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub from: i64,
    pub to: i64,
}

const UNITS: &[(&str, i64)] = &[
    ("ms", 1),
    ("s", 1_000),
    ("m", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
    ("w", 604_800_000),
];

/// `90s`, `30m`, `2h`, `7d`, `1w`, `1h30m` → milliseconds.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "`{text}` is not a duration: write a number and a unit (s, m, h, d, w), e.g. 30m, 2h, 7d or 1h30m"
        )
    };
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        if digits == 0 {
            return Err(bad());
        }
        let n: i64 = rest[..digits].parse().map_err(|_| bad())?;
        let after = &rest[digits..];
        let unit_len = after
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(after.len());
        let unit = &after[..unit_len];
        let (_, factor) = UNITS.iter().find(|(u, _)| *u == unit).ok_or_else(bad)?;
        total = n
            .checked_mul(*factor)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        rest = &after[unit_len..];
    }
    if total == 0 {
        return Err(format!("`{text}` is an empty duration"));
    }
    Ok(total)
}

/// One point in time: `now`, a duration ago (`2h`), an instant with a zone or offset
/// (`2026-11-01T09:30:00Z`, `…+01:00`, `…[Europe/Paris]`), or a date or date-time in the
/// local zone `tz` (`2026-11-01`, `2026-11-01T09:30`, `2026-11-01 09:30`).
pub fn parse_instant(text: &str, now: i64, tz: &TimeZone) -> Result<i64, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("now") {
        return Ok(now);
    }
    if t.starts_with(|c: char| c.is_ascii_digit()) && !t.contains('-') && !t.contains(':') {
        if t.chars().all(|c| c.is_ascii_digit()) {
            return Err(format!(
                "`{t}` looks like an epoch number; write a date (2026-11-01), a date-time (2026-11-01T09:30:00Z) or a duration ago (2h)"
            ));
        }
        return parse_duration(t).map(|d| now - d);
    }
    match t.parse::<Zoned>() {
        Ok(z) => return Ok(z.timestamp().as_millisecond()),
        // A bracketed zone must be a zone: the civil parsers below would ignore it and
        // read the time as local, so a typo (`[Europe/Pariss]`) would silently shift it.
        Err(e) if t.contains('[') => {
            return Err(format!(
                "`{t}`: {e}; write an IANA time zone name in the brackets, e.g. [Europe/Paris]"
            ));
        }
        Err(_) => {}
    }
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    let local = |dt: DateTime| {
        dt.to_zoned(tz.clone())
            .map(|z| z.timestamp().as_millisecond())
            .map_err(|e| format!("`{t}`: {e}"))
    };
    if let Ok(dt) = t.replacen(' ', "T", 1).parse::<DateTime>() {
        return local(dt);
    }
    if let Ok(d) = t.parse::<Date>() {
        return local(d.to_datetime(jiff::civil::Time::midnight()));
    }
    Err(format!(
        "`{t}` is not a time: write a date (2026-11-01), a date-time (2026-11-01T09:30, with Z, an offset like +01:00 or a zone like [Europe/Paris]), `now`, or a duration ago (2h, 7d)"
    ))
}

/// The range the time flags describe: `--since D` (up to now), or `--from` and `--to`
/// (`to` defaults to now). Reversed or empty ranges are refused.
pub fn parse_range(
    since: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    now: i64,
    tz: &TimeZone,
) -> Result<Range, String> {
    let range = match (since, from) {
        (Some(_), Some(_)) => return Err("give either --since or --from, not both".into()),
        (Some(s), None) => {
            if to.is_some() {
                return Err("--since counts back from now; use --from with --to".into());
            }
            let d = parse_duration(s).map_err(|e| format!("--since: {e}"))?;
            Range {
                from: now - d,
                to: now,
            }
        }
        (None, Some(f)) => Range {
            from: parse_instant(f, now, tz).map_err(|e| format!("--from: {e}"))?,
            to: match to {
                Some(t) => parse_instant(t, now, tz).map_err(|e| format!("--to: {e}"))?,
                None => now,
            },
        },
        (None, None) => {
            return Err(
                "say which time range: --since 2h, or --from 2026-11-01 [--to 2026-11-02]".into(),
            );
        }
    };
    if range.to <= range.from {
        return Err(format!(
            "the time range is empty or reversed: --from {} is not before --to {}",
            show(range.from),
            show(range.to)
        ));
    }
    Ok(range)
}

/// An epoch-ms instant in RFC 3339 (UTC), for messages and output.
pub fn show(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| ms.to_string())
}

/// `ms` rounded down to a multiple of `step`.
pub fn floor(ms: i64, step: i64) -> i64 {
    ms.div_euclid(step) * step
}

/// `ms` rounded up to a multiple of `step`.
pub fn ceil(ms: i64, step: i64) -> i64 {
    -floor(-ms, step)
}

/// Consecutive windows of at most `span` ms covering `range`, in order.
pub fn windows(range: Range, span: i64) -> Vec<Range> {
    let mut out = Vec::new();
    let mut from = range.from;
    while from < range.to {
        let to = range.to.min(from.saturating_add(span.max(1)));
        out.push(Range { from, to });
        from = to;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_793_534_400_000; // 2026-11-01T10:40:00Z

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2h"), Ok(7_200_000));
        assert_eq!(parse_duration("30m"), Ok(1_800_000));
        assert_eq!(parse_duration("7d"), Ok(604_800_000));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
        assert_eq!(parse_duration("1w"), Ok(604_800_000));
        for bad in ["", "h", "2", "2x", "2 h", "-2h", "0m", "99999999999999999w"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn instants() {
        let utc = TimeZone::UTC;
        assert_eq!(parse_instant("now", NOW, &utc), Ok(NOW));
        assert_eq!(parse_instant("2h", NOW, &utc), Ok(NOW - 7_200_000));
        assert_eq!(
            parse_instant("2026-11-01", NOW, &utc),
            Ok(1_793_491_200_000)
        );
        assert_eq!(
            parse_instant("2026-11-01T09:30:00Z", NOW, &utc),
            Ok(1_793_491_200_000 + 34_200_000)
        );
        assert_eq!(
            parse_instant("2026-11-01T10:30:00+01:00", NOW, &utc),
            Ok(1_793_491_200_000 + 34_200_000)
        );
        assert_eq!(
            parse_instant("2026-11-01 09:30", NOW, &utc),
            Ok(1_793_491_200_000 + 34_200_000)
        );
        let paris = TimeZone::get("Europe/Paris").expect("tzdb");
        assert_eq!(
            parse_instant("2026-11-01T10:30", NOW, &paris),
            Ok(1_793_491_200_000 + 34_200_000),
            "Paris is UTC+1 in November"
        );
        assert_eq!(
            parse_instant("2026-11-01T10:30[Europe/Paris]", NOW, &utc),
            Ok(1_793_491_200_000 + 34_200_000)
        );
        let epoch = parse_instant("1793491200000", NOW, &utc).unwrap_err();
        assert!(epoch.contains("epoch"), "{epoch}");
        assert!(parse_instant("2026-13-01", NOW, &utc).is_err());
        assert!(parse_instant("yesterday-ish", NOW, &utc).is_err());
    }

    #[test]
    fn ranges() {
        let utc = TimeZone::UTC;
        assert_eq!(
            parse_range(Some("2h"), None, None, NOW, &utc),
            Ok(Range {
                from: NOW - 7_200_000,
                to: NOW
            })
        );
        let r = parse_range(None, Some("2026-11-01"), Some("2026-11-02"), NOW, &utc).unwrap();
        assert_eq!(r.to - r.from, 86_400_000);
        let reversed =
            parse_range(None, Some("2026-11-02"), Some("2026-11-01"), NOW, &utc).unwrap_err();
        assert!(reversed.contains("reversed"), "{reversed}");
        assert!(parse_range(Some("2h"), Some("1h"), None, NOW, &utc).is_err());
        assert!(parse_range(None, None, None, NOW, &utc).is_err());
    }

    #[test]
    fn rounding_and_windows() {
        assert_eq!(floor(1_000, 900), 900);
        assert_eq!(ceil(1_000, 900), 1_800);
        assert_eq!(ceil(1_800, 900), 1_800);
        assert_eq!(floor(-1, 900), -900);
        let w = windows(Range { from: 0, to: 25 }, 10);
        assert_eq!(
            w,
            vec![
                Range { from: 0, to: 10 },
                Range { from: 10, to: 20 },
                Range { from: 20, to: 25 }
            ]
        );
        assert!(windows(Range { from: 5, to: 5 }, 10).is_empty());
    }
}
