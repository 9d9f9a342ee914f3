//! Differential testing of the two independent implementations of the service's rules:
//! the client's (`validate` + `plan`) and the emulator's. Generated objects, valid ones and
//! ones breaking each known rule, go through `wxcc apply` on a fresh org whose references
//! resolve (they name system defaults). Every case must end one of two ways:
//! - the client accepts it and the emulator creates it; or
//! - the client refuses it before any write, and the emulator refuses the same object
//!   when it is sent to it directly.
//!
//! Anything else is a bug on one side. The seed is fixed; `WXCC_DIFFERENTIAL_CASES` sets
//! the number of cases (a small default keeps `cargo test` fast; see docs/testing.md).

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{Value, json};

use crate::harness::Env;

/// One generated object of a kind.
#[derive(Clone, Debug)]
struct Case {
    kind: &'static str,
    object: Value,
}

fn name() -> impl Strategy<Value = String> {
    "[A-Z][a-z]{2,8}"
}

fn time_zone() -> impl Strategy<Value = &'static str> {
    select(vec![
        "America/Chicago",
        "Europe/Paris",
        "UTC",
        "Eastern Time",
        "America/New York",
        "GMT+2",
    ])
}

fn entry_point() -> impl Strategy<Value = Case> {
    (
        name(),
        select(vec!["INBOUND", "OUTBOUND"]),
        select(vec!["TELEPHONY", "CHAT", "EMAIL"]),
        proptest::option::of(time_zone()),
    )
        .prop_map(|(name, direction, channel, zone)| {
            let mut object = json!({"name": name, "entryPointType": direction, "channelType": channel,
                "serviceLevelThreshold": 20, "active": true, "maximumActiveContacts": 10});
            if let Some(zone) = zone {
                object["timezone"] = json!(zone);
            }
            Case {
                kind: "entry-point",
                object,
            }
        })
}

fn cad_variable() -> impl Strategy<Value = Case> {
    (
        "[A-Z][a-z]{2,8}_[a-z]{1,4}",
        select(vec!["String", "Integer", "Decimal", "Boolean", "DateTime"]),
        select(vec![
            "12",
            "-7",
            "twelve",
            "1.5",
            "true",
            "False",
            "2026-01-31",
            "2026-01-31T09:30",
            "3000000000",
        ]),
    )
        .prop_map(|(name, variable_type, value)| Case {
            kind: "cad-variable",
            object: json!({"name": name, "variableType": variable_type, "defaultValue": value,
                "active": true, "agentEditable": false, "agentViewable": false, "reportable": false}),
        })
}

fn hour_minute() -> impl Strategy<Value = &'static str> {
    select(vec![
        "09:00", "23:59", "00:00", "25:00", "9:00", "24:00", "12:60",
    ])
}

fn business_hours() -> impl Strategy<Value = Case> {
    (name(), time_zone(), hour_minute(), hour_minute()).prop_map(|(name, zone, start, end)| Case {
        kind: "business-hours",
        object: json!({"name": name, "timezone": zone, "workingHours": [
            {"name": "Weekdays", "days": ["MON", "TUE"], "startTime": start, "endTime": end}]}),
    })
}

fn overrides() -> impl Strategy<Value = Case> {
    let moment = select(vec![
        "2026-07-04T09:00",
        "2028-02-29T09:00",
        "07/04/2026 09:00",
        "2026-07-04 09:00",
        "2026-02-30T09:00",
        "2026-07-04T09:00:00",
    ]);
    (name(), time_zone(), moment).prop_map(|(name, zone, start)| Case {
        kind: "overrides",
        object: json!({"name": name, "timezone": zone, "overrides": [
            {"name": "Closed", "startDateTime": start, "endDateTime": "2030-01-01T00:00", "workingHours": false}]}),
    })
}

fn holiday_list() -> impl Strategy<Value = Case> {
    let date = select(vec!["2026-12-25", "2026-13-01", "2027-02-29", "25/12/2026"]);
    (name(), date).prop_map(|(name, date)| Case {
        kind: "holiday-list",
        object: json!({"name": name, "holidays": [{"name": "Xmas", "startDate": date, "endDate": date}]}),
    })
}

fn address_book() -> impl Strategy<Value = Case> {
    (name(), select(vec!["ORGANIZATION", "SITE"]), any::<bool>()).prop_map(
        |(name, parent, with_site)| {
            let mut object = json!({"name": name, "parentType": parent});
            if with_site {
                object["siteId"] = json!("Site-1");
            }
            Case {
                kind: "address-book",
                object,
            }
        },
    )
}

fn outdial_ani() -> impl Strategy<Value = Case> {
    (name(), proptest::collection::vec(any::<bool>(), 1..4)).prop_map(|(name, defaults)| {
        let entries: Vec<Value> = defaults
            .iter()
            .enumerate()
            .map(|(i, d)| json!({"name": format!("Line {i}"), "number": format!("+1312555010{i}"), "defaultANIEntry": d}))
            .collect();
        Case {
            kind: "outdial-ani",
            object: json!({"name": name, "outdialANIEntries": entries}),
        }
    })
}

fn site() -> impl Strategy<Value = Case> {
    (name(), 250usize..=256, any::<bool>()).prop_map(|(name, length, emoji)| {
        let description = if emoji {
            format!("{}😀", "d".repeat(length - 1))
        } else {
            "d".repeat(length)
        };
        Case {
            kind: "site",
            object: json!({"name": name, "active": true, "multimediaProfileId": "Default Multimedia Profile",
                "description": description}),
        }
    })
}

fn user_profile() -> impl Strategy<Value = Case> {
    (name(), select(vec!["ALL", "SPECIFIC", "NONE"])).prop_map(|(name, access)| Case {
        kind: "user-profile",
        object: json!({"name": name, "profileType": "SUPERVISOR", "active": true,
            "permissionAccessLevel": "ALL", "resourceAccessLevel": access}),
    })
}

fn any_case() -> impl Strategy<Value = Case> {
    prop_oneof![
        entry_point(),
        cad_variable(),
        business_hours(),
        overrides(),
        holiday_list(),
        address_book(),
        outdial_ani(),
        site(),
        user_profile(),
    ]
}

/// Runs one case; `Err` describes a disagreement.
fn check(case: &Case) -> Result<(), String> {
    let env = Env::new();
    env.write("c.yaml", &format!("{}:\n  - {}\n", case.kind, case.object));
    let run = env.wxcc(&["apply", "c.yaml", "--auto-approve"]);
    let client_refused = run.code == 1 && run.stderr.contains("nothing was sent to the tenant");
    if run.code == 0 {
        return Ok(());
    }
    if !client_refused {
        return Err(format!(
            "the client accepted {} {} but the emulator refused it:\n{}{}",
            case.kind, case.object, run.stdout, run.stderr
        ));
    }
    if env.writes() != 0 {
        return Err(format!("refused with writes: {}", run.stderr));
    }
    // The client refused: the emulator must refuse the same object sent directly.
    let mut body = case.object.clone();
    if body.get("siteId").is_some() {
        body["siteId"] = env.live_named("site", "Site-1")["id"].clone();
    }
    if body.get("multimediaProfileId").is_some() {
        body["multimediaProfileId"] =
            env.live_named("multimedia-profile", "Default Multimedia Profile")["id"].clone();
    }
    let path = wxcc::catalogue::Kind::named(case.kind)
        .map(|k| k.item_path)
        .unwrap_or(case.kind);
    let (status, answer) = env.api("POST", &env.org_path(path), Some(body));
    if status < 400 {
        return Err(format!(
            "the client refused {} {} but the emulator created it ({status} {answer}); the client said:\n{}",
            case.kind, case.object, run.stderr
        ));
    }
    Ok(())
}

#[test]
fn the_client_refuses_exactly_what_the_emulator_refuses() {
    run_cases(&any_case(), Config::default().max_shrink_iters, check);
}

/// Runs `check` over `cases` of `strategy` (`WXCC_DIFFERENTIAL_CASES`, 8 by default) from
/// a fixed seed; a disagreement (`Err`) is printed as found and fails the test.
pub(crate) fn run_cases<S: Strategy>(
    strategy: &S,
    max_shrink_iters: u32,
    check: impl Fn(&S::Value) -> Result<(), String>,
) {
    let cases = std::env::var("WXCC_DIFFERENTIAL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    let config = Config {
        cases,
        max_shrink_iters,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let result = runner.run(strategy, |case| {
        check(&case).map_err(|e| {
            eprintln!("disagreement: {e}");
            TestCaseError::fail(e)
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn each_rule_has_a_case_on_both_sides_of_it() {
    // The generators above reach every rule they are meant to: a fixed object per rule,
    // refused by both sides, so a generator that drifted away from a rule is noticed.
    let refused = [
        Case {
            kind: "entry-point",
            object: json!({"name": "Out", "entryPointType": "OUTBOUND", "channelType": "CHAT", "serviceLevelThreshold": 20, "active": true, "maximumActiveContacts": 10}),
        },
        Case {
            kind: "cad-variable",
            object: json!({"name": "Count_x", "variableType": "Integer", "defaultValue": "3000000000", "active": true, "agentEditable": false, "agentViewable": false, "reportable": false}),
        },
        Case {
            kind: "overrides",
            object: json!({"name": "Feb", "timezone": "UTC", "overrides": [{"name": "Closed", "startDateTime": "2026-02-30T09:00", "endDateTime": "2030-01-01T00:00", "workingHours": false}]}),
        },
    ];
    for case in &refused {
        let env = Env::new();
        env.write("c.yaml", &format!("{}:\n  - {}\n", case.kind, case.object));
        let run = env.wxcc(&["validate", "c.yaml"]);
        assert_eq!(
            run.code, 1,
            "{} {} must be refused:\n{}",
            case.kind, case.object, run.stderr
        );
        check(case).unwrap_or_else(|e| panic!("{e}"));
    }
}
