//! `wxcc export` (issue 9): what it writes plans back to `No changes.`, re-exports are
//! byte-identical, an export applied to a fresh org exports the same, names shared by two
//! sites get keys of their own, and a folder that is not an export is refused.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::json;

use crate::harness::{Env, contains_all};

/// The flags the round-trip tests export with: none, so desktop layouts round-trip
/// through their `layouts/….json` files.
fn round_trip_flags() -> &'static [&'static str] {
    &[]
}

/// `export --out DIR` with the round-trip flags and these variables.
fn export_with(env: &Env, out: &str, vars: &[(&str, &str)]) -> crate::harness::Run {
    let mut args = vec!["export", "--out", out];
    args.extend(round_trip_flags());
    if vars.is_empty() {
        env.wxcc(&args)
    } else {
        env.wxcc_with(&args, vars)
    }
}

/// `export --out DIR` with the round-trip flags, against the default org.
fn export(env: &Env, out: &str) -> crate::harness::Run {
    export_with(env, out, &[])
}

/// A fresh emulator with `examples/contact-center` (a copy) applied to its default org.
fn applied_example() -> Env {
    let env = Env::new();
    env.copy_example("contact-center");
    env.wxcc(&["apply", "contact-center", "--auto-approve"])
        .expect(0);
    env
}

/// A second, new org in the same emulator; a token for it.
fn second_org(env: &Env) -> String {
    let other = env.admin("POST", "/orgs", Some(json!({"name": "Target"})));
    let org = other["orgId"].as_str().expect("org").to_string();
    let minted = env.admin("POST", "/tokens", Some(json!({"org": org})));
    minted["access_token"].as_str().expect("token").to_string()
}

/// Every file under a folder, relative path → bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("under")
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

#[test]
fn export_of_the_applied_example_plans_back_to_no_changes_and_writes_nothing() {
    let env = applied_example();
    let writes = env.writes();

    let run = export(&env, "org").expect(0);
    assert_eq!(env.writes(), writes, "export never writes to the tenant");
    contains_all(&run.stderr, &["Exported", "system defaults left out"]);
    let out = files(&env.path().join("org"));
    for f in [
        "team.yaml",
        "contact-service-queue.yaml",
        "audio/welcome.wav",
        ".wxcc-export",
    ] {
        assert!(out.contains_key(f), "{f} missing: {:?}", out.keys());
    }
    // Audio is downloaded byte for byte and referenced like a hand-written config does.
    assert_eq!(
        out["audio/welcome.wav"],
        std::fs::read(env.path().join("contact-center/audio/welcome.wav")).expect("wav")
    );
    let audio = String::from_utf8_lossy(&out["audio-file.yaml"]).into_owned();
    contains_all(&audio, &["audioFile: audio/welcome.wav"]);
    // Ids became keys at every depth; server-owned fields and system defaults are gone.
    let queues = String::from_utf8_lossy(&out["contact-service-queue.yaml"]).into_owned();
    contains_all(
        &queues,
        &[
            "teamId: Billing Team",
            "defaultMusicInQueueMediaFileId: hold-loop.wav",
        ],
    );
    let sites = String::from_utf8_lossy(&out["site.yaml"]).into_owned();
    assert!(
        !sites.contains("Site-1"),
        "system default exported:\n{sites}"
    );
    for owned in [
        "\n    id:",
        "version:",
        "organizationId:",
        "createdTime:",
        "links:",
    ] {
        for (name, text) in &out {
            if name.ends_with(".yaml") {
                let text = String::from_utf8_lossy(text);
                assert!(!text.contains(owned), "{owned} in {name}:\n{text}");
            }
        }
    }
    let skills = String::from_utf8_lossy(&out["skill-profile.yaml"]).into_owned();
    assert!(
        skills.contains("enumSkillValueId: "),
        "keyed-list reference:\n{skills}"
    );
    assert!(
        !skills.contains("enumSkillValueId: \""),
        "a keyed-list reference stayed an id:\n{skills}"
    );

    let plan = env.wxcc(&["plan", "org", "--detailed-exitcode"]).expect(0);
    assert_eq!(plan.stdout.trim(), "No changes.", "{}", plan.stderr);
    assert_eq!(env.writes(), writes);

    // A second export of the unchanged org is byte-identical and rewrites nothing.
    let again = export(&env, "org").expect(0);
    contains_all(&again.stderr, &["(0 files written, 0 removed)"]);
    assert_eq!(files(&env.path().join("org")), out);
}

#[test]
fn re_export_replaces_only_its_files_and_removes_what_the_org_lost() {
    let env = applied_example();
    export(&env, "org").expect(0);
    env.write("org/README.md", "our notes\n");
    // Leave out every contact number: the file export wrote for them must go.
    env.wxcc(&["export", "--out", "org", "--kinds", "site,team"])
        .expect(0);
    let out = files(&env.path().join("org"));
    let names: Vec<&str> = out.keys().map(String::as_str).collect();
    assert!(names.contains(&"README.md"), "{names:?}");
    assert!(
        names.contains(&"team.yaml") && names.contains(&"site.yaml"),
        "{names:?}"
    );
    assert!(!names.contains(&"contact-service-queue.yaml"), "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with("audio")), "{names:?}");
}

#[test]
fn export_refuses_a_non_empty_folder_that_is_not_an_export() {
    let env = Env::new();
    env.write("mine/notes.txt", "keep me\n");
    env.admin("POST", "/reset", None);
    let run = env.wxcc(&["export", "--out", "mine"]).expect(1);
    contains_all(&run.stderr, &["mine is not empty", ".wxcc-export"]);
    assert_eq!(env.total_requests(), 0, "refused before reading the org");
    assert_eq!(files(&env.path().join("mine")).len(), 1);
}

#[test]
fn export_refuses_unknown_kinds_and_malformed_excludes() {
    let env = Env::new();
    env.admin("POST", "/reset", None);
    let run = env
        .wxcc(&["export", "--out", "o", "--kinds", "teams"])
        .expect(1);
    contains_all(
        &run.stderr,
        &["unknown kind `teams`", "did you mean `team`?"],
    );
    let run = env
        .wxcc(&["export", "--out", "o", "--exclude", "team"])
        .expect(1);
    contains_all(&run.stderr, &["write KIND/KEY"]);
    let run = env
        .wxcc(&["export", "--out", "o", "--kinds", "work-type"])
        .expect(1);
    contains_all(&run.stderr, &["owned by Cisco"]);
    assert_eq!(env.total_requests(), 0);
    assert!(!env.path().join("o").exists());
}

#[test]
fn exclude_leaves_one_object_out() {
    let env = applied_example();
    env.wxcc(&[
        "export",
        "--out",
        "o",
        "--kinds",
        "site",
        "--exclude",
        "site/Dublin",
    ])
    .expect(0);
    let sites = std::fs::read_to_string(env.path().join("o/site.yaml")).expect("sites");
    assert!(
        sites.contains("name: Austin") && !sites.contains("Dublin"),
        "{sites}"
    );
}

const TWO_TIER_ONES: &str = r#"
multimedia-profile:
  - {name: Voice, active: true, blendingModeEnabled: false, blendingMode: EXCLUSIVE, telephony: 1, chat: 0, email: 0, social: 0, manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}}
site:
  - {name: Austin, active: true, multimediaProfileId: Voice}
  - {name: Dublin, active: true, multimediaProfileId: Voice}
team:
  - {name: Tier 1, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}
  - {name: Tier 1, siteId: Dublin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}
  - {name: Tier 2, siteId: Dublin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}
contact-service-queue:
  - name: Support
    queueType: INBOUND
    channelType: TELEPHONY
    queueRoutingType: TEAM_BASED
    routingType: LONGEST_AVAILABLE_AGENT
    serviceLevelThreshold: 30
    maxActiveContacts: 0
    maxTimeInQueue: 3600
    active: true
    monitoringPermitted: true
    parkingPermitted: true
    recordingPermitted: true
    recordingAllCallsPermitted: false
    pauseRecordingPermitted: true
    defaultMusicInQueueMediaFileId: defaultmusic_on_hold.wav
    callDistributionGroups:
      - order: 1
        duration: 0
        agentGroups:
          - teamId: Dublin/Tier 1
          - teamId: Tier 2
"#;

#[test]
fn teams_sharing_a_name_at_two_sites_export_with_site_keys_and_plan_back() {
    let env = Env::new();
    env.write("two/config.yaml", TWO_TIER_ONES);
    env.wxcc(&["apply", "two", "--auto-approve"]).expect(0);
    env.wxcc(&[
        "export",
        "--out",
        "org",
        "--kinds",
        "site,team,contact-service-queue",
    ])
    .expect(0);
    let teams = std::fs::read_to_string(env.path().join("org/team.yaml")).expect("teams");
    assert_eq!(teams.matches("name: Tier 1").count(), 2, "{teams}");
    let queues =
        std::fs::read_to_string(env.path().join("org/contact-service-queue.yaml")).expect("q");
    // The shared name is qualified by its site; the unique one stays plain.
    contains_all(&queues, &["teamId: Dublin/Tier 1", "teamId: Tier 2"]);
    let plan = env.wxcc(&["plan", "org", "--detailed-exitcode"]).expect(0);
    assert_eq!(plan.stdout.trim(), "No changes.", "{}", plan.stderr);
}

#[test]
fn an_export_applied_to_a_fresh_org_exports_identically() {
    let env = applied_example();
    export(&env, "a").expect(0);

    let token_b = second_org(&env);
    let as_b = [
        ("WXCC_BASE_URL", env.url.as_str()),
        ("WXCC_ACCESS_TOKEN", token_b.as_str()),
    ];

    let applied = env
        .wxcc_with(&["apply", "a", "--auto-approve"], &as_b)
        .expect(0);
    assert!(applied.stdout.contains("create"), "{}", applied.stdout);
    export_with(&env, "b", &as_b).expect(0);
    let (a, b) = (files(&env.path().join("a")), files(&env.path().join("b")));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, content) in &a {
        assert_eq!(
            String::from_utf8_lossy(content),
            String::from_utf8_lossy(&b[name]),
            "{name} differs between the two orgs' exports"
        );
    }
    let plan = env
        .wxcc_with(&["plan", "a", "--detailed-exitcode"], &as_b)
        .expect(0);
    assert_eq!(plan.stdout.trim(), "No changes.");
}

#[test]
fn desktop_layouts_are_written_to_pretty_printed_json_files() {
    let env = applied_example();
    env.wxcc(&["export", "--out", "org", "--kinds", "desktop-layout"])
        .expect(0);
    let yaml = std::fs::read_to_string(env.path().join("org/desktop-layout.yaml")).expect("yaml");
    contains_all(
        &yaml,
        &["jsonFileContent:\n      file: layouts/Support_Layout.json"],
    );
    let file = std::fs::read_to_string(env.path().join("org/layouts/Support_Layout.json"))
        .expect("layout file");
    let live = env.live_named("desktop-layout", "Support Layout");
    let content = live["jsonFileContent"].as_str().expect("content");
    let parsed: serde_json::Value = serde_json::from_str(content).expect("json");
    // Two-space indentation, the live key order kept, a final newline.
    let mut expected = serde_json::to_string_pretty(&parsed).expect("pretty");
    expected.push('\n');
    assert_eq!(file, expected);
    assert!(
        file.starts_with("{\n  \"version\": \"0.0.6\",\n  \"appTitle\""),
        "{file}"
    );
}

#[test]
fn compare_shows_by_key_what_differs_between_two_orgs() {
    let env = Env::new();
    env.copy_example("acme");
    let other = env.admin("POST", "/orgs", Some(json!({"name": "Production"})));
    let org_b = other["orgId"].as_str().expect("org").to_string();
    crate::auth::signed_in(&env, Some(&org_b), "prod");
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    env.wxcc_bare(&["apply", "acme", "--auto-approve", "--profile", "prod"])
        .expect(0);
    let writes = env.writes();

    let same = env
        .wxcc(&[
            "compare",
            "--against-profile",
            "prod",
            "--detailed-exitcode",
        ])
        .expect(0);
    assert_eq!(same.stdout.trim(), "No changes.", "{}", same.stderr);

    // Drift: a site only the source has, a site only the other org has, a changed field.
    env.write(
        "dev/sites.yaml",
        "site:\n  - {name: Lab, active: true, multimediaProfileId: Voice Only}\n  - {name: Chicago, description: Moved, active: true, multimediaProfileId: Voice Only}\n",
    );
    env.wxcc(&["apply", "dev", "--auto-approve"]).expect(0);
    env.write(
        "prod-only/sites.yaml",
        "site:\n  - {name: Berlin, active: true, multimediaProfileId: Voice Only}\n",
    );
    env.wxcc_bare(&["apply", "prod-only", "--auto-approve", "--profile", "prod"])
        .expect(0);
    let writes = env.writes().max(writes);

    let compare_sites = |extra: &[&str]| {
        let mut args = vec!["compare", "--against-profile", "prod", "--kinds", "site"];
        args.extend(extra);
        env.wxcc(&args)
    };
    let drift = compare_sites(&["--detailed-exitcode"]).expect(2);
    contains_all(
        &drift.stdout,
        &[
            "+ create site \"Lab\"",
            "- delete site \"Berlin\"",
            "~ update site \"Chicago\"",
            "\"Headquarters contact center\" → \"Moved\"",
        ],
    );
    assert!(!drift.stdout.contains("Dublin"), "{}", drift.stdout);
    let json = compare_sites(&["--format", "json"]).expect(0);
    let parsed: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert!(parsed.to_string().contains("Berlin"), "{parsed}");
    assert_eq!(env.writes(), writes, "compare writes to neither org");
}

#[test]
fn compare_names_a_missing_profile() {
    let env = Env::new();
    let run = env
        .wxcc(&["compare", "--against-profile", "nope"])
        .expect(1);
    contains_all(
        &run.stderr,
        &["no signed-in profile `nope`", "wxcc login --profile nope"],
    );
}

/// A description at its maximum length (255 UTF-16 units) made of what YAML is touchy
/// about: quotes, `: `, ` #`, a newline, a tab, a reserved word, and non-ASCII text.
fn hostile_text(len: usize) -> String {
    // `${…}` in live text must come back as text, not as a placeholder.
    let seed = "Zürich — 東京: \"quoted\" # not a comment ${var.price} $${raw}\n\ttab 'single' yes ~ null 😀 ";
    let mut out = String::new();
    for c in seed.chars().cycle() {
        if out.encode_utf16().count() + c.len_utf16() > len {
            break;
        }
        out.push(c);
    }
    out
}

#[test]
fn a_rich_org_made_through_the_api_exports_and_plans_back_to_no_changes() {
    let env = applied_example();
    let long_name: String = "Ab_9".chars().cycle().take(80).collect();
    let made = [
        (
            "cad-variable",
            json!({
                "name": long_name, "description": hostile_text(256), "active": true,
                "agentEditable": true, "agentViewable": true, "reportable": false,
                "sensitive": true, "variableType": "String", "defaultValue": "yes",
                "desktopLabel": "Étiquette 東京 \"x\": #1"
            }),
        ),
        (
            "site",
            json!({
                "name": "Rich Site-1 x", "description": hostile_text(255), "active": false,
                "multimediaProfileId": env.live_named("multimedia-profile", "Voice Agent")["id"]
            }),
        ),
        (
            "holiday-list",
            json!({
                "name": "Rich Holidays", "description": "Ünïcödé\nline two",
                "holidays": [
                    {"name": "Zeta", "startDate": "2028-01-02", "endDate": "2028-01-02"},
                    {"name": "Alpha", "startDate": "2028-01-01", "endDate": "2028-01-01"}
                ]
            }),
        ),
        (
            "entry-point",
            json!({
                "name": "Rich Entry & Point", "description": hostile_text(255),
                "entryPointType": "INBOUND", "channelType": "TELEPHONY", "active": true,
                "serviceLevelThreshold": 2147483647, "maximumActiveContacts": 0,
                "timezone": "Asia/Tokyo", "overflowNumber": "0012",
                "flowId": "f10w-0000-1111", "callbackEnabled": true,
                "outdialTransferToQueueEnabled": false,
                "musicOnHoldId": env.live_named("audio-file", "welcome.wav")["id"]
            }),
        ),
    ];
    for (kind, body) in made {
        let (status, answer) = env.api("POST", &env.org_path(kind), Some(body));
        assert_eq!(status, 201, "{kind}: {answer}");
    }
    let writes = env.writes();
    let run = export(&env, "org").expect(0);
    // The flow id is outside the configuration API: it stays an id and is listed.
    contains_all(
        &run.stderr,
        &["entry-point `Rich Entry & Point` /flowId: f10w-0000-1111"],
    );
    let eps = std::fs::read_to_string(env.path().join("org/entry-point.yaml")).expect("eps");
    contains_all(
        &eps,
        &["overflowNumber: \"0012\"", "musicOnHoldId: welcome.wav"],
    );
    let plan = env.wxcc(&["plan", "org", "--detailed-exitcode"]).expect(0);
    assert_eq!(plan.stdout.trim(), "No changes.", "{}", plan.stderr);
    assert_eq!(env.writes(), writes);
}

#[test]
fn a_user_the_target_org_lacks_is_refused_at_plan_naming_the_user() {
    let env = Env::new();
    env.admin(
        "POST",
        &format!("/orgs/{}/users", env.org),
        Some(json!({"email": "only.in.a@example.com", "firstName": "Only", "lastName": "A"})),
    );
    env.wxcc(&["export", "--out", "a", "--kinds", "user"])
        .expect(0);
    let token_b = second_org(&env);
    let as_b = [
        ("WXCC_BASE_URL", env.url.as_str()),
        ("WXCC_ACCESS_TOKEN", token_b.as_str()),
    ];
    let writes = env.writes();
    let plan = env.wxcc_with(&["plan", "a"], &as_b).expect(1);
    contains_all(
        &plan.stderr,
        &[
            "user `only.in.a@example.com` does not exist in the tenant",
            "a/user.yaml",
        ],
    );
    env.wxcc_with(&["apply", "a", "--auto-approve"], &as_b)
        .expect(1);
    assert_eq!(env.writes(), writes, "refused before any write");
}

#[test]
fn export_reads_by_item_only_what_list_rows_leave_out_and_each_object_once() {
    let env = applied_example();
    env.admin("POST", "/reset", None);
    export(&env, "org").expect(0);
    let requests = env.client_requests();
    let paths: Vec<String> = requests
        .iter()
        .map(|r| r["path"].as_str().unwrap_or_default().to_string())
        .collect();
    let mut seen = std::collections::HashSet::new();
    for (r, path) in requests.iter().zip(&paths) {
        assert_eq!(r["method"], "GET", "export only reads: {r}");
        assert!(seen.insert(path.clone()), "{path} read twice");
    }
    // Kinds whose list rows are whole are never read by item (docs/api-notes.md §1.5).
    for kind in [
        "site",
        "multimedia-profile",
        "cad-variable",
        "auxiliary-code",
        "dial-number",
    ] {
        let item = env.org_path(&format!("{kind}/"));
        assert!(
            !paths.iter().any(|p| p.starts_with(&item)),
            "{kind} read by item: {paths:#?}"
        );
    }
    // Kinds whose rows leave fields out are read by item, once per object: the eight
    // teams of the example, not the default Team-1 (system defaults are not exported).
    let teams = paths
        .iter()
        .filter(|p| p.starts_with(&env.org_path("team/")))
        .count();
    assert_eq!(teams, 8, "{paths:#?}");
}

#[test]
fn lifted_values_go_to_a_vars_file_and_come_back_exactly() {
    let env = applied_example();
    let mut args = vec![
        "export",
        "--out",
        "org",
        "--lift",
        "timezone,outdialANIEntries[].number",
        "--vars-out",
        "org/vars/sandbox.yaml",
    ];
    args.extend(round_trip_flags());
    let run = env.wxcc(&args).expect(0);
    contains_all(&run.stderr, &["Lifted", "org/vars/sandbox.yaml"]);
    let eps = std::fs::read_to_string(env.path().join("org/entry-point.yaml")).expect("eps");
    contains_all(
        &eps,
        &["timezone: \"${var.entry_point_Main_Line_timezone}\""],
    );
    assert!(!eps.contains("America/Chicago"), "{eps}");
    let vars_text =
        std::fs::read_to_string(env.path().join("org/vars/sandbox.yaml")).expect("vars");
    contains_all(
        &vars_text,
        &[
            "entry_point_Main_Line_timezone: America/Chicago",
            "outdial_ani_Globex_Outbound_outdialANIEntries_0_number: \"+13125550101\"",
        ],
    );
    // The vars file is one of the files export wrote there.
    let manifest = std::fs::read_to_string(env.path().join("org/.wxcc-export")).expect("m");
    assert!(manifest.contains("vars/sandbox.yaml"), "{manifest}");

    // Put every value back where its placeholder is: the org plans back to no changes,
    // so nothing was lost on the way out.
    let vars: BTreeMap<String, serde_json::Value> =
        serde_saphyr::from_str(&vars_text).expect("vars YAML");
    std::fs::remove_dir_all(env.path().join("org/vars")).expect("rm vars");
    for (name, text) in files(&env.path().join("org")) {
        if !name.ends_with(".yaml") {
            continue;
        }
        let mut text = String::from_utf8(text).expect("utf-8");
        for (var, value) in &vars {
            text = text.replace(&format!("\"${{var.{var}}}\""), &value.to_string());
        }
        assert!(!text.contains("${var."), "{name}: {text}");
        std::fs::write(env.path().join("org").join(&name), text).expect("write");
    }
    let plan = env.wxcc(&["plan", "org", "--detailed-exitcode"]).expect(0);
    assert_eq!(plan.stdout.trim(), "No changes.", "{}", plan.stderr);
}

#[test]
fn lift_refuses_a_field_no_exported_kind_has() {
    let env = Env::new();
    env.admin("POST", "/reset", None);
    let run = env
        .wxcc(&[
            "export",
            "--out",
            "o",
            "--lift",
            "timezon",
            "--vars-out",
            "v.yaml",
        ])
        .expect(1);
    contains_all(
        &run.stderr,
        &["--lift: no exported kind has a field `timezon`"],
    );
    assert_eq!(env.total_requests(), 0);
    assert!(!env.path().join("o").exists() && !env.path().join("v.yaml").exists());
}

#[test]
fn a_csv_export_plans_back_to_no_changes_and_migrates_to_another_org() {
    let env = applied_example();
    let writes = env.writes();
    let run = env
        .wxcc(&["export", "--out", "org", "--format", "csv"])
        .expect(0);
    let out = files(&env.path().join("org"));
    for f in [
        "site.csv",
        "team.csv",
        "contact-service-queue.csv",
        "user.csv",
    ] {
        assert!(out.contains_key(f), "{f} missing: {:?}", out.keys());
    }
    assert!(
        !out.keys()
            .any(|f| f.ends_with(".yaml") && !run.stderr.contains("written as")),
        "YAML written without a note: {:?}\n{}",
        out.keys(),
        run.stderr
    );
    let sites = String::from_utf8_lossy(&out["site.csv"]).into_owned();
    assert!(sites.starts_with("name,"), "key column first:\n{sites}");
    assert!(
        !sites.contains("Site-1"),
        "system default exported:\n{sites}"
    );
    let plan = env.wxcc(&["plan", "org", "--detailed-exitcode"]).expect(0);
    assert_eq!(plan.stdout.trim(), "No changes.", "{}", plan.stderr);
    assert_eq!(env.writes(), writes, "export never writes to the tenant");

    // The CSV export creates the same objects in a fresh org.
    let token = second_org(&env);
    let as_b = [
        ("WXCC_BASE_URL", env.url.as_str()),
        ("WXCC_ACCESS_TOKEN", token.as_str()),
    ];
    env.wxcc_with(&["apply", "org", "--auto-approve"], &as_b)
        .expect(0);
    let again = env
        .wxcc_with(&["plan", "org", "--detailed-exitcode"], &as_b)
        .expect(0);
    assert_eq!(again.stdout.trim(), "No changes.", "{}", again.stderr);
}
