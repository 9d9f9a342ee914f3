//! The service's rules that a DTO schema cannot say, as data: formats, lengths counted the
//! way the server counts them, uniqueness inside lists, rules across objects, renames of
//! referenced objects and fields that cannot be cleared. Each rule names the evidence it
//! rests on (a section of `docs/api-notes.md` or the vendored spec). Rules a schema can say
//! (a field required or forbidden by another's value) are schema corrections in
//! `spec_fixes`; both lists are shown per kind in `docs/kinds.md`.
//!
//! `config` checks the rules about one object at validate time; `plan` checks the rules
//! across objects, against desired and live together, before anything is written.

/// One rule of the service.
#[derive(Debug)]
pub struct Rule {
    /// The kind it applies to; `None` for every kind.
    pub kind: Option<&'static str>,
    /// What the rule asks, in a user's words.
    pub says: &'static str,
    /// Where it comes from.
    pub evidence: &'static str,
    pub check: Check,
}

/// What a rule checks.
#[derive(Debug)]
pub enum Check {
    /// The field (a field path, `[]` for each element) holds an IANA time zone name.
    TimeZone(&'static str),
    /// Every string the DTO gives a `maxLength` is at most that many UTF-16 code units:
    /// the server is Java and counts `String.length()`, so a character outside the Basic
    /// Multilingual Plane (most emoji) counts twice.
    Utf16Length,
    /// The field's date (`YYYY-MM-DD`, alone or before `THH:MM`) is a day of the calendar:
    /// the server parses it strictly (no 30 February).
    CalendarDate(&'static [&'static str]),
    /// At most one entry of a list has `flag: true`.
    OneTrue {
        list: &'static str,
        flag: &'static str,
    },
    /// `value` must parse as the type named in `type_field` (cad-variable defaults).
    TypedValue {
        type_field: &'static str,
        value: &'static str,
    },
    /// A user's teams are teams of the user's own site.
    TeamsAtUserSite,
    /// A user's teams are AGENT teams, not CAPACITY ones.
    NoCapacityTeams,
    /// Each entry of `activeSkills` carries the value field of its skill's type only.
    SkillValueMatchesType,
    /// Renaming an object other objects point at is refused (412) until they point
    /// elsewhere.
    RenameReferenced,
    /// Renames are not checked against what uses the object by name; the plan warns with
    /// `risk`.
    RenameUnchecked { risk: &'static str },
    /// These fields cannot be cleared (a declared null), with the reason.
    CannotClear {
        fields: &'static [&'static str],
        why: &'static str,
    },
}

/// The value field each skill type takes in a skill profile's `activeSkills`.
pub const SKILL_VALUE_FIELDS: &[(&str, &str)] = &[
    ("BOOLEAN", "booleanValue"),
    ("PROFICIENCY", "proficiencyValue"),
    ("TEXT", "textValue"),
];

pub static RULES: &[Rule] = &[
    Rule {
        kind: None,
        says: "text lengths are counted in UTF-16 code units, as the server counts them: an emoji counts as two",
        evidence: "the service is Java (Spring bean validation counts `String.length()`), docs/api-notes.md §1.6 (400 on a too-long field)",
        check: Check::Utf16Length,
    },
    Rule {
        kind: None,
        says: "a rename is refused (412) while other objects point at the object; they are named in the plan",
        evidence: "docs/api-notes.md §1.6 (412 on PUT/DELETE of a referenced object) and §1.10",
        check: Check::RenameReferenced,
    },
    Rule {
        kind: Some("business-hours"),
        says: "`timezone` is an IANA time zone name (e.g. `America/New_York`)",
        evidence: "docs/api-notes.md §3.15",
        check: Check::TimeZone("timezone"),
    },
    Rule {
        kind: Some("overrides"),
        says: "`timezone` is an IANA time zone name (e.g. `Europe/London`)",
        evidence: "docs/api-notes.md §3.7",
        check: Check::TimeZone("timezone"),
    },
    Rule {
        kind: Some("entry-point"),
        says: "`timezone`, when set, is an IANA time zone name",
        evidence: "docs/api-notes.md §3.16 (the server defaults the tenant's zone) and §3.15",
        check: Check::TimeZone("timezone"),
    },
    Rule {
        kind: Some("contact-service-queue"),
        says: "`timezone`, when set, is an IANA time zone name",
        evidence: "docs/api-notes.md §3.22 and §3.15",
        check: Check::TimeZone("timezone"),
    },
    Rule {
        kind: Some("overrides"),
        says: "override start and end are real dates and times `YYYY-MM-DDTHH:MM` (no 30 February)",
        evidence: "docs/api-notes.md §3.7",
        check: Check::CalendarDate(&["overrides[].startDateTime", "overrides[].endDateTime"]),
    },
    Rule {
        kind: Some("holiday-list"),
        says: "holiday dates are real dates `YYYY-MM-DD` (no 30 February)",
        evidence: "docs/api-notes.md §3.6",
        check: Check::CalendarDate(&["holidays[].startDate", "holidays[].endDate"]),
    },
    Rule {
        kind: Some("outdial-ani"),
        says: "at most one entry of `outdialANIEntries` is the default (`defaultANIEntry: true`)",
        evidence: "docs/api-notes.md §3.19 [INFER]: one ANI is presented when an agent picks none",
        check: Check::OneTrue {
            list: "outdialANIEntries",
            flag: "defaultANIEntry",
        },
    },
    Rule {
        kind: Some("cad-variable"),
        says: "`defaultValue` is valid for `variableType`: a whole number for Integer, a number for Decimal, `true`/`false` for Boolean, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` for DateTime",
        evidence: "docs/api-notes.md §3.5 (400 `validDefaultValueForVariabelType`)",
        check: Check::TypedValue {
            type_field: "variableType",
            value: "defaultValue",
        },
    },
    Rule {
        kind: Some("cad-variable"),
        says: "a rename is not checked against flows that use the variable by name; they break at run time",
        evidence: "docs/api-notes.md §3.5",
        check: Check::RenameUnchecked {
            risk: "flows that set or read this variable by its old name stop working when it is renamed; the API does not check them",
        },
    },
    Rule {
        kind: Some("user"),
        says: "each team in `teamIds` belongs to the user's site (`siteId`)",
        evidence: "docs/api-notes.md §3.24 and §3.21 (400 `not found for given site`)",
        check: Check::TeamsAtUserSite,
    },
    Rule {
        kind: Some("user"),
        says: "`teamIds` lists AGENT teams only; CAPACITY teams take no users",
        evidence: "docs/api-notes.md §3.24 and §3.21 (400 `Capacity based teams are not allowed`)",
        check: Check::NoCapacityTeams,
    },
    Rule {
        kind: Some("skill-profile"),
        says: "an `activeSkills` entry carries the value of its skill's type only: `booleanValue` for BOOLEAN, `proficiencyValue` for PROFICIENCY, `textValue` for TEXT; ENUM skills go in `activeEnumSkills`",
        evidence: "docs/api-notes.md §3.14 and §3.3",
        check: Check::SkillValueMatchesType,
    },
    Rule {
        kind: Some("contact-service-queue"),
        says: "the `queueLevel…Inclusion` switches cannot be cleared: the server keeps the old value when they are left out",
        evidence: "docs/api-notes.md §3.22 (retained on update if omitted)",
        check: Check::CannotClear {
            fields: &[
                "queueLevelSummariesInclusion",
                "queueLevelSentimentAnalysisInclusion",
                "queueLevelPredictedWaitTimeInclusion",
                "queueLevelAutoCsatInclusion",
                "queueLevelRealTimeTranscriptionsInclusion",
            ],
            why: "the server keeps the old value when the field is left out (docs/api-notes.md §3.22); set `EXCLUDED` instead",
        },
    },
];

/// The rules that apply to a kind, general ones first.
pub fn rules_for(kind: &str) -> impl Iterator<Item = &'static Rule> {
    RULES
        .iter()
        .filter(move |r| r.kind.is_none_or(|k| k == kind))
}

/// Objects every new tenant has, by kind and key: configs may refer to them without
/// declaring them (docs/api-notes.md §1.11; names beyond the ones listed there are those
/// the emulator seeds, [INFER]).
pub const SYSTEM_DEFAULTS: &[(&str, &str)] = &[
    ("multimedia-profile", "Default Multimedia Profile"),
    ("site", "Site-1"),
    ("team", "Team-1"),
    ("contact-service-queue", "Queue-1"),
    ("contact-service-queue", "Outdial Queue-1"),
    ("auxiliary-code", "RONA"),
    ("dial-plan", "US"),
    ("dial-plan", "Any Format"),
    ("desktop-layout", "Global Layout"),
    ("entry-point", "Outdial Entry Point-1"),
    ("agent-profile", "Default Desktop Profile"),
    ("audio-file", "defaultmusic_on_hold.wav"),
    ("user-profile", "Administrator"),
    ("user-profile", "Supervisor"),
    ("user-profile", "Premium Agent"),
    ("user-profile", "Standard Agent"),
    ("user-profile", "Administrator Only"),
];

/// Whether every new tenant has this object.
pub fn is_system_default(kind: &str, key: &str) -> bool {
    SYSTEM_DEFAULTS.iter().any(|(k, n)| *k == kind && *n == key)
}

/// The IANA time zone names (vendored from the tz database, see `spec/NOTICE`).
pub fn is_time_zone(name: &str) -> bool {
    static ZONES: &str = include_str!("../../spec/iana-time-zones.txt");
    !name.is_empty()
        && ZONES
            .lines()
            .filter(|l| !l.starts_with('#'))
            .any(|l| l == name)
}

/// Whether a text that starts `YYYY-MM-DD` names a day the calendar has; `None` when it
/// does not start with a date at all (the format check reports that).
pub fn calendar_date(text: &str) -> Option<bool> {
    let date = text.get(..10)?;
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (year, month, day) = (
        y.parse::<u32>().ok()?,
        m.parse::<u32>().ok()?,
        d.parse::<u32>().ok()?,
    );
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let last = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return Some(false),
    };
    Some((1..=last).contains(&day))
}

/// A string's length as the server counts it (UTF-16 code units).
pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Whether `value` is a valid default for a cad-variable of `variable_type`.
pub fn valid_typed_value(variable_type: &str, value: &str) -> bool {
    match variable_type.to_ascii_uppercase().replace('_', "").as_str() {
        "INTEGER" => value.parse::<i32>().is_ok(),
        "DECIMAL" => value.parse::<f64>().is_ok_and(f64::is_finite),
        "BOOLEAN" => value == "true" || value == "false",
        "DATETIME" => date_time_prefix(value),
        _ => true,
    }
}

/// `YYYY-MM-DD`, or that followed by `T` (or a space) and `HH:MM` and anything more.
fn date_time_prefix(value: &str) -> bool {
    let (Some(date), Some(rest)) = (value.get(..10), value.get(10..)) else {
        return false;
    };
    let date_ok = date.char_indices().all(|(i, c)| match i {
        4 | 7 => c == '-',
        _ => c.is_ascii_digit(),
    });
    if !date_ok {
        return false;
    }
    let mut rest = rest.chars();
    match rest.next() {
        None => true,
        Some('T' | ' ') => {
            let time: String = rest.take(5).collect();
            time.len() == 5
                && time.char_indices().all(|(i, c)| match i {
                    2 => c == ':',
                    _ => c.is_ascii_digit(),
                })
        }
        Some(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_names_its_evidence_and_a_known_kind() {
        for rule in RULES {
            assert!(!rule.evidence.is_empty() && !rule.says.is_empty());
            if let Some(kind) = rule.kind {
                assert!(super::super::Kind::named(kind).is_some(), "{kind}");
            }
        }
        for (kind, _) in SYSTEM_DEFAULTS {
            assert!(super::super::Kind::named(kind).is_some(), "{kind}");
        }
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert!(is_time_zone("America/New_York"));
        assert!(is_time_zone("UTC"));
        assert!(!is_time_zone("Eastern Time"));
        assert!(!is_time_zone("america/new_york"));
        assert!(!is_time_zone(""));
    }

    #[test]
    fn calendar_dates_are_real_days() {
        assert_eq!(calendar_date("2028-02-29T09:00"), Some(true));
        assert_eq!(calendar_date("2026-02-29"), Some(false));
        assert_eq!(calendar_date("2026-04-31"), Some(false));
        assert_eq!(calendar_date("2026-12-31"), Some(true));
        assert_eq!(calendar_date("07/04/2026"), None);
    }

    #[test]
    fn lengths_count_utf16_units() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("é"), 1);
        assert_eq!(utf16_len("😀"), 2);
    }

    #[test]
    fn typed_values_parse_for_their_type() {
        assert!(valid_typed_value("Integer", "12"));
        assert!(!valid_typed_value("Integer", "twelve"));
        assert!(!valid_typed_value("INTEGER", "3000000000"));
        assert!(valid_typed_value("Decimal", "1.5"));
        assert!(!valid_typed_value("Decimal", "NaN"));
        assert!(valid_typed_value("Boolean", "false"));
        assert!(!valid_typed_value("Boolean", "yes"));
        assert!(valid_typed_value("DateTime", "2026-05-01T09:30"));
        assert!(valid_typed_value("DATE_TIME", "2026-05-01"));
        assert!(!valid_typed_value("DateTime", "May 1"));
        assert!(valid_typed_value("String", "anything"));
    }
}
