//! Saved plans (`plan --out`, `apply FILE`, `show FILE`), the review Markdown, and the
//! request budget: through the binary against the emulator, with its request log and
//! write counters as the witness of what was (not) sent.

use serde_json::{Value, json};

use crate::harness::{Env, contains_all};

/// acme applied, then Dublin's description edited in the copy: a plan of one update.
fn acme_with_one_update(env: &Env) -> std::path::PathBuf {
    let acme = env.copy_example("acme");
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    let was = env.live_named("site", "Dublin")["description"]
        .as_str()
        .expect("description")
        .to_string();
    let sites = std::fs::read_to_string(acme.join("sites.yaml")).expect("read");
    let edited = sites.replacen(
        &format!("description: {was}\n"),
        &format!("description: {was}, reviewed\n"),
        1,
    );
    assert_ne!(edited, sites);
    std::fs::write(acme.join("sites.yaml"), edited).expect("write");
    acme
}

/// Adds a site named `name` to the copied acme config.
fn add_site(acme: &std::path::Path, name: &str) {
    let path = acme.join("sites.yaml");
    let mut sites = std::fs::read_to_string(&path).expect("read");
    sites.push_str(&format!(
        "  - name: {name}\n    active: true\n    multimediaProfileId: Voice Only\n"
    ));
    std::fs::write(path, sites).expect("write");
}

fn read_json(env: &Env, rel: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(env.path().join(rel)).expect("read"))
        .expect("json")
}

/// Writes `file` back with its `plan` member re-sealed, as a forger (or a careless edit
/// that also fixes the digest) would.
fn reseal(env: &Env, rel: &str, file: &mut Value) {
    let compact = serde_json::to_string(&file["plan"]).expect("json");
    file["digest"] = json!(wxcc::model::content_digest(compact.as_bytes()));
    env.write(rel, &serde_json::to_string_pretty(file).expect("json"));
}

/// Someone else creates a site through the API, using the multimedia profile `mmp_id`.
fn someone_creates_site(env: &Env, name: &str, mmp_id: &Value) {
    let (status, body) = env.api(
        "POST",
        &env.org_path("site"),
        Some(json!({"name": name, "active": true, "multimediaProfileId": mmp_id})),
    );
    assert!(status < 300, "{body}");
}

/// `apply FILE --auto-approve` exits 1 with every part in its stderr, and writes nothing.
fn apply_refused(env: &Env, file: &str, parts: &[&str]) {
    let writes = env.writes();
    let refused = env.wxcc(&["apply", file, "--auto-approve"]).expect(1);
    contains_all(&refused.stderr, parts);
    assert_eq!(env.writes(), writes, "a refused plan writes nothing");
}

#[test]
fn a_saved_plan_applies_exactly_what_was_reviewed_and_nothing_else() {
    let env = Env::new();
    let acme = acme_with_one_update(&env);
    add_site(&acme, "Berlin");
    env.wxcc(&["plan", "acme", "--out", "plan.json", "--detailed-exitcode"])
        .expect(2);
    let text = std::fs::read_to_string(env.path().join("plan.json")).expect("saved");
    assert!(!text.contains(&env.token), "a saved plan holds no token");
    let opaque = env.token.split('_').next().unwrap_or(&env.token);
    assert!(!text.contains(opaque), "not even the opaque part");
    let saved = read_json(&env, "plan.json");
    assert_eq!(saved["plan"]["org"], env.org.as_str());
    assert_eq!(saved["plan"]["toolVersion"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        saved["plan"]["summary"],
        json!({"create": 1, "update": 1, "delete": 0})
    );
    let dublin = env.live_named("site", "Dublin");
    let change = saved["plan"]["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["key"] == "Dublin")
        .expect("Dublin's update")
        .clone();
    assert_eq!(change["id"], dublin["id"]);
    assert_eq!(change["version"], dublin["version"]);
    assert_eq!(change["lastUpdatedTime"], dublin["lastUpdatedTime"]);

    let shown = env.wxcc(&["show", "plan.json"]).expect(0);
    contains_all(
        &shown.stdout,
        &[
            &format!("Saved plan for org {}", env.org),
            "~ update site \"Dublin\"",
            "+ create site \"Berlin\"",
            "Plan: 1 to create, 1 to update, 0 to delete.",
        ],
    );
    let shown = env
        .wxcc(&["show", "plan.json", "--format", "markdown"])
        .expect(0);
    contains_all(
        &shown.stdout,
        &[
            "### wxcc plan",
            "| site | 1 | 1 | 0 |",
            &format!("<sub>Saved plan for org {}", env.org),
        ],
    );
    let shown = env
        .wxcc(&["show", "plan.json", "--format", "json"])
        .expect(0);
    let doc: Value = serde_json::from_str(&shown.stdout).expect("json");
    assert_eq!(doc["summary"], saved["plan"]["summary"]);

    // The config moves on after review: the saved plan still applies only what it says.
    add_site(&acme, "Lisbon");
    let writes = env.writes();
    let applied = env
        .wxcc(&["apply", "plan.json", "--auto-approve"])
        .expect(0);
    contains_all(
        &applied.stdout,
        &["Apply complete: 1 created, 1 updated, 0 deleted."],
    );
    assert_eq!(env.writes(), writes + 2);
    assert!(
        env.live_named("site", "Dublin")["description"]
            .as_str()
            .is_some_and(|d| d.ends_with(", reviewed"))
    );
    env.live_named("site", "Berlin");
    assert!(
        !env.live("site").iter().any(|s| s["name"] == "Lisbon"),
        "what was not in the reviewed plan was not applied"
    );
    let rest = env.wxcc(&["plan", "acme"]).expect(0);
    assert!(
        rest.stdout
            .contains("Plan: 1 to create, 0 to update, 0 to delete."),
        "{}",
        rest.stdout
    );
    // Applied once, the plan is stale: Dublin has a new version and Berlin exists.
    apply_refused(
        &env,
        "plan.json",
        &[
            "site `Dublin` changed since the plan",
            "site `Berlin` is to be created, but it exists now",
        ],
    );
}

#[test]
fn a_saved_plan_is_refused_before_any_write_when_live_changed_naming_each_object() {
    let env = Env::new();
    let acme = acme_with_one_update(&env);
    add_site(&acme, "Berlin");
    env.wxcc(&["plan", "acme", "--out", "plan.json"]).expect(0);
    // Someone edits Dublin through the API and creates Berlin, after the review.
    let mut dublin = env.live_named("site", "Dublin");
    let id = dublin["id"].as_str().expect("id").to_string();
    dublin["description"] = json!("changed by someone else");
    let (status, body) = env.api("PUT", &env.org_path(&format!("site/{id}")), Some(dublin));
    assert_eq!(status, 200, "{body}");
    let mmp = env.live_named("multimedia-profile", "Voice Only");
    someone_creates_site(&env, "Berlin", &mmp["id"]);
    apply_refused(
        &env,
        "plan.json",
        &[
            "refusing to apply plan.json: the tenant changed since it was made",
            "site `Dublin` changed since the plan (version",
            "site `Berlin` is to be created, but it exists now (id ",
            "run `wxcc plan acme --out plan.json` again",
            "Nothing was changed",
        ],
    );
    assert_eq!(
        env.live_named("site", "Dublin")["description"],
        "changed by someone else"
    );
}

#[test]
fn a_saved_plan_whose_referenced_object_was_replaced_is_refused() {
    refused_once_remote_is_replaced(
        "team:\n  - {name: Night Shift, siteId: Remote, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n",
        "",
    );
}

/// The same when the team the plan creates shares the site's name: the site is still
/// pinned, though an object of that name is created (kills `plan/saved.rs`: `==` made `!=`
/// on the kind in `pins`, which took the site for one the plan creates and left it
/// unpinned).
#[test]
fn a_saved_plan_pins_a_referenced_object_whose_name_it_creates_as_another_kind() {
    refused_once_remote_is_replaced(
        "team:\n  - {name: Remote, siteId: Remote, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n",
        "",
    );
}

/// Two changes pointing at two sites: each site is pinned, not only the first the plan
/// names.
#[test]
fn a_saved_plan_pins_every_object_of_a_kind_it_points_at() {
    refused_once_remote_is_replaced(
        "team:\n  - {name: Alpha, siteId: Chicago, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n  - {name: Zulu, siteId: Remote, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n",
        "",
    );
}

/// Changes pointing at a multimedia profile and at a site of the same name: both are
/// pinned, each under its own kind (the new site's profile is pinned first).
#[test]
fn a_saved_plan_pins_objects_of_two_kinds_sharing_a_name() {
    refused_once_remote_is_replaced(
        "site:\n  - {name: Annex, active: true, multimediaProfileId: Remote}\nteam:\n  - {name: Field, siteId: Remote, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n",
        "multimedia-profile:\n  - {name: Remote, active: true, blendingModeEnabled: false, blendingMode: EXCLUSIVE, telephony: 1, chat: 0, email: 0, social: 0, manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}}\n",
    );
}

/// Applies acme (and `extra`, another file of it), saves a plan creating `teams` at
/// acme's sites, replaces site Remote (deleted, then made again under the same name) and
/// checks the saved plan is refused.
fn refused_once_remote_is_replaced(teams: &str, extra: &str) {
    let env = Env::new();
    let acme = env.copy_example("acme");
    if !extra.is_empty() {
        env.write("acme/extra.yaml", extra)
            .write("more/extra.yaml", extra);
    }
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    env.write("more/team.yaml", teams);
    std::fs::copy(acme.join("sites.yaml"), env.path().join("more/sites.yaml")).expect("copy");
    std::fs::copy(
        acme.join("profiles.yaml"),
        env.path().join("more/profiles.yaml"),
    )
    .expect("copy");
    env.wxcc(&["plan", "more", "--out", "plan.json"]).expect(0);
    // Remote is deleted (its teams first) and made again: same name, another object.
    let remote = env.live_named("site", "Remote");
    for team in env.live("team") {
        if team["siteId"] == remote["id"] {
            let path = env.org_path(&format!("team/{}", team["id"].as_str().expect("id")));
            assert_eq!(env.api("DELETE", &path, None).0, 204);
        }
    }
    let path = env.org_path(&format!("site/{}", remote["id"].as_str().expect("id")));
    assert_eq!(env.api("DELETE", &path, None).0, 204);
    someone_creates_site(&env, "Remote", &remote["multimediaProfileId"]);
    apply_refused(
        &env,
        "plan.json",
        &["site `Remote`, which the plan points at, is another object now"],
    );
}

#[test]
fn a_damaged_edited_foreign_or_other_version_plan_is_refused_before_any_request() {
    let env = Env::new();
    acme_with_one_update(&env);
    env.wxcc(&["plan", "acme", "--out", "plan.json"]).expect(0);
    let good = std::fs::read_to_string(env.path().join("plan.json")).expect("read");
    let requests = env.total_requests();
    let try_apply = |text: &str, expected: &[&str]| {
        env.write("bad.json", text);
        let run = env.wxcc(&["apply", "bad.json", "--auto-approve"]).expect(1);
        contains_all(&run.stderr, expected);
        assert_eq!(env.total_requests(), requests, "nothing was sent");
        let shown = env.wxcc(&["show", "bad.json"]).expect(1);
        contains_all(&shown.stderr, expected);
    };
    let half = &good[..good.len() / 2];
    let line = half.lines().count();
    try_apply(
        half,
        &[
            &format!("bad.json:{line}:"),
            "the file ends early: it is truncated",
        ],
    );
    try_apply(
        &good.replacen(", reviewed", ", reviewed and then edited", 1),
        &[
            "does not match its digest: the file was edited",
            "nothing was changed",
        ],
    );
    try_apply(
        "{\"summary\": {\"create\": 0}, \"changes\": []}\n",
        &["bad.json: not a saved wxcc plan"],
    );
    try_apply("[1, 2\n", &["bad.json:2:0: the file ends early"]);
    let mut file: Value = serde_json::from_str(&good).expect("json");
    file["formatVersion"] = json!(99);
    try_apply(
        &serde_json::to_string(&file).expect("json"),
        &["format version 99, but this wxcc reads version 1"],
    );

    // A plan made by another wxcc, sealed properly, is refused by apply (show reads it).
    let mut file: Value = serde_json::from_str(&good).expect("json");
    file["plan"]["toolVersion"] = json!("0.0.1-other");
    reseal(&env, "other.json", &mut file);
    let run = env
        .wxcc(&["apply", "other.json", "--auto-approve"])
        .expect(1);
    contains_all(
        &run.stderr,
        &[
            "other.json was made by wxcc 0.0.1-other, and this is wxcc",
            "applied only by the version that made it",
        ],
    );
    env.wxcc(&["show", "other.json"]).expect(0);
    assert_eq!(env.total_requests(), requests);

    // For another org: refused once signed in, before reading or writing anything.
    let other = env.admin("POST", "/orgs", Some(json!({"name": "Elsewhere"})));
    let other_org = other["orgId"].as_str().expect("org");
    let writes = env.writes();
    let run = env
        .wxcc_with(
            &["apply", "plan.json", "--auto-approve"],
            &[
                ("WXCC_BASE_URL", &env.url),
                ("WXCC_ACCESS_TOKEN", &env.token),
                ("WXCC_ORG_ID", other_org),
            ],
        )
        .expect(1);
    contains_all(
        &run.stderr,
        &[
            &format!("plan.json was made for org {}", env.org),
            &format!("signed in to org {other_org}: refusing to apply it to another org"),
        ],
    );
    assert_eq!(env.writes(), writes);
}

#[test]
fn a_saved_plan_whose_audio_file_changed_since_is_refused() {
    let env = Env::new();
    env.write(
        "cfg/audio.yaml",
        "audio-file:\n  - {name: hello.wav, contentType: AUDIO_WAV, description: Hi, audioFile: hello.wav}\n",
    );
    std::fs::write(
        env.path().join("cfg/hello.wav"),
        b"RIFF....WAVEfmt reviewed",
    )
    .expect("wav");
    env.wxcc(&["plan", "cfg", "--out", "plan.json"]).expect(0);
    std::fs::write(env.path().join("cfg/hello.wav"), b"RIFF....WAVEfmt swapped").expect("wav");
    let requests = env.total_requests();
    let refused = env
        .wxcc(&["apply", "plan.json", "--auto-approve"])
        .expect(1);
    contains_all(
        &refused.stderr,
        &[
            "refusing to apply plan.json: files it uploads changed since",
            "hello.wav (uploaded by audio-file `hello.wav`) changed since the plan",
        ],
    );
    assert_eq!(env.total_requests(), requests, "refused before connecting");
    std::fs::write(
        env.path().join("cfg/hello.wav"),
        b"RIFF....WAVEfmt reviewed",
    )
    .expect("wav");
    env.wxcc(&["apply", "plan.json", "--auto-approve"])
        .expect(0);
    env.live_named("audio-file", "hello.wav");
}

#[test]
fn a_saved_plan_keeps_the_apply_safety_rules() {
    let env = Env::new();
    acme_with_one_update(&env);
    env.wxcc(&["plan", "acme", "--out", "plan.json"]).expect(0);
    let writes = env.writes();
    let run = env.wxcc(&["apply", "plan.json"]).expect(1);
    contains_all(&run.stderr, &["refusing to apply without confirmation"]);
    let run = env
        .wxcc(&["apply", "plan.json", "--delete", "site", "--auto-approve"])
        .expect(1);
    contains_all(&run.stderr, &["--delete is for `wxcc plan`"]);
    assert_eq!(env.writes(), writes);
}

/// Requests of an apply after its reads of the tenant: everything but list reads.
fn apply_requests(env: &Env) -> Vec<Value> {
    env.client_requests()
        .into_iter()
        .filter(|r| {
            let list_read =
                r["method"] == "GET" && r["path"].as_str().is_some_and(|p| p.contains("/v2/"));
            !list_read
        })
        .collect()
}

#[test]
fn the_request_budget_matches_the_requests_the_apply_sends() {
    let env = Env::new();
    let acme = acme_with_one_update(&env);
    add_site(&acme, "Berlin");
    add_site(&acme, "Lisbon");
    // Remote Sales goes: one delete.
    let teams = std::fs::read_to_string(acme.join("teams.yaml")).expect("read");
    let start = teams.find("  - name: Remote Sales").expect("Remote Sales");
    let end = teams[start + 4..]
        .find("  - name:")
        .map_or(teams.len(), |n| start + 4 + n);
    std::fs::write(
        acme.join("teams.yaml"),
        format!("{}{}", &teams[..start], &teams[end..]),
    )
    .expect("write");
    let args = ["plan", "acme", "--delete", "team", "--out", "plan.json"];
    let text = env
        .wxcc_with(
            &args,
            &[
                ("WXCC_BASE_URL", &env.url),
                ("WXCC_ACCESS_TOKEN", &env.token),
                ("WXCC_RATE_LIMIT", "60"),
            ],
        )
        .expect(0);
    let plan = read_json(&env, "plan.json");
    assert_eq!(
        plan["plan"]["summary"],
        json!({"create": 2, "update": 1, "delete": 1})
    );
    let budget = &plan["plan"]["budget"];
    let n = budget["requests"].as_u64().expect("requests");
    assert_eq!(budget["ratePerMinute"], 60);
    assert_eq!(
        budget["seconds"].as_u64(),
        Some(n),
        "at 60/min, a second each"
    );
    assert!(
        text.stdout
            .ends_with(&format!("\nApply: ~{n} requests, ~{n} s at 60/min\n")),
        "{}",
        text.stdout
    );
    let markdown = env
        .wxcc(&["plan", "acme", "--delete", "team", "--format", "markdown"])
        .expect(0);
    contains_all(&markdown.stdout, &[&format!("Apply: ~{n} requests, ~")]);

    env.admin("POST", "/reset", None);
    env.wxcc(&["apply", "plan.json", "--auto-approve"])
        .expect(0);
    let sent = apply_requests(&env);
    assert_eq!(
        sent.len() as u64,
        n,
        "the estimate counts what the apply sends: {sent:#?}"
    );
    let writes = sent.iter().filter(|r| r["method"] != "GET").count();
    assert_eq!(writes as u64, env.writes(), "every write is counted once");
}

/// A saved plan keeps each change's pass: the contact-center example's layout is created
/// in the main pass and given its teams in the back-links pass, so named in the file, and
/// shown so when read back (kills `plan/render/json.rs`: `pass_name` made `"xyzzy"`, which
/// names every pass alike and reads them all back as the main pass).
#[test]
fn a_saved_plan_keeps_each_changes_pass() {
    let env = Env::new();
    env.copy_example("contact-center");
    env.wxcc(&["plan", "contact-center", "--out", "plan.json"])
        .expect(0);
    let saved = read_json(&env, "plan.json");
    let passes: Vec<&Value> = saved["plan"]["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["key"] == "Support Layout")
        .map(|c| &c["pass"])
        .collect();
    assert_eq!(passes, [&json!("main"), &json!("back-links")]);
    let shown = env.wxcc(&["show", "plan.json"]).expect(0);
    contains_all(
        &shown.stdout,
        &[
            "+ create desktop-layout \"Support Layout\"",
            "~ update desktop-layout \"Support Layout\"  (second pass: back-links)",
        ],
    );
    // Applied as saved: the second pass updates the layout the first pass created (it has
    // no live id in the file), and the tenant then matches the config.
    env.wxcc(&["apply", "plan.json", "--auto-approve"])
        .expect(0);
    env.wxcc(&["plan", "contact-center", "--detailed-exitcode"])
        .expect(0);
}

#[test]
fn markdown_fits_a_review_comment() {
    let env = Env::new();
    env.copy_example("acme");
    // A fresh org: a long plan of creates, each folded, with a table per kind.
    let long = env
        .wxcc(&[
            "plan",
            "acme",
            "--format",
            "markdown",
            "--detailed-exitcode",
        ])
        .expect(2);
    let json = env.wxcc(&["plan", "acme", "--format", "json"]).expect(0);
    let doc: Value = serde_json::from_str(&json.stdout).expect("json");
    let changes = doc["changes"].as_array().expect("changes");
    assert!(changes.len() > 10, "acme is a long plan");
    assert_eq!(
        long.stdout.matches("<details><summary>").count(),
        changes.len(),
        "{}",
        long.stdout
    );
    assert_eq!(long.stdout.matches("</details>").count(), changes.len());
    contains_all(&long.stdout, &["| kind | create | update | delete |"]);
    for kind in ["site", "team", "multimedia-profile"] {
        let n = changes.iter().filter(|c| c["kind"] == kind).count();
        contains_all(&long.stdout, &[&format!("\n| {kind} | {n} | 0 | 0 |\n")]);
    }
    assert!(!long.stdout.contains("[!CAUTION]"), "no deletes");

    // Applied, then the last two teams dropped with --delete: a short plan, unfolded, the
    // deletes called out before anything else.
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    let teams = std::fs::read_to_string(env.path().join("acme/teams.yaml")).expect("read");
    let keep = teams.find("  - name: Remote Sales").expect("Remote Sales");
    env.write("one/team.yaml", &teams[..keep]);
    std::fs::copy(
        env.path().join("acme/sites.yaml"),
        env.path().join("one/sites.yaml"),
    )
    .expect("copy");
    let short = env
        .wxcc(&[
            "plan",
            "one",
            "--delete",
            "team",
            "--format",
            "markdown",
            "--detailed-exitcode",
        ])
        .expect(2);
    let caution = short
        .stdout
        .find("> [!CAUTION]")
        .expect("deletes called out");
    let table = short.stdout.find("| kind |").expect("table");
    let first_change = short.stdout.find("\n#### ").expect("unfolded changes");
    assert!(caution < table && table < first_change, "{}", short.stdout);
    contains_all(
        &short.stdout,
        &[
            "**This plan deletes 2 objects:**\n> - team `Overflow Partner`\n> - team `Remote Sales`\n",
            "| team | 0 | 0 | 2 |",
        ],
    );
    assert!(!short.stdout.contains("<details>"), "{}", short.stdout);
}

#[test]
fn a_plan_that_would_carry_an_environment_value_is_not_saved() {
    let env = Env::new();
    let acme = env.copy_example("acme");
    add_site(&acme, "Env Site");
    let path = acme.join("sites.yaml");
    let sites = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        sites.replacen(
            "  - name: Env Site\n",
            "  - name: Env Site\n    description: \"${env.SITE_NOTE}\"\n",
            1,
        ),
    )
    .expect("write");
    let run = env
        .wxcc_env(
            &["plan", "acme", "--out", "plan.json"],
            &[("SITE_NOTE", "hunter2-secret-note")],
        )
        .expect(1);
    contains_all(
        &run.stderr,
        &["not saving the plan to plan.json", "${env.SITE_NOTE}"],
    );
    assert!(
        !run.stdout.contains("hunter2") && !run.stderr.contains("hunter2"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(
        !env.path().join("plan.json").exists(),
        "no plan file written"
    );
    // Without the environment value in any change, the same config saves.
    std::fs::write(&path, sites).expect("write");
    env.wxcc(&["plan", "acme", "--out", "plan.json"]).expect(0);
    assert!(env.path().join("plan.json").exists());
}

/// A Markdown plan folds each change into `<details>` past 10 changes or 60 diff rows, and
/// shows each under a heading below both (kills `plan/render/markdown.rs`: either `>` of
/// the fold test made `==`).
#[test]
fn markdown_folds_a_plan_past_ten_changes_or_sixty_rows() {
    let env = Env::new();
    let sites = |n: usize| {
        let mut yaml = String::from("site:\n");
        for i in 0..n {
            yaml.push_str(&format!(
                "  - {{name: S{i}, active: true, multimediaProfileId: Default Multimedia Profile}}\n"
            ));
        }
        yaml
    };
    let mut profiles = String::from("multimedia-profile:\n");
    for i in 0..7 {
        profiles.push_str(&format!(
            "  - {{name: P{i}, active: true, blendingModeEnabled: false, blendingMode: EXCLUSIVE, telephony: 1, chat: 0, email: 0, social: 0, manuallyAssignable: {{telephony: 1, chat: 0, email: 0, social: 0}}}}\n"
        ));
    }
    env.write("ten.yaml", &sites(10))
        .write("eleven.yaml", &sites(11))
        .write("profiles.yaml", &profiles);
    let markdown = |file: &str| {
        env.wxcc(&["plan", file, "--format", "markdown"])
            .expect(0)
            .stdout
    };
    // 10 changes of 3 rows each: under both limits, each change under a heading.
    let ten = markdown("ten.yaml");
    assert_eq!(ten.matches("\n#### ").count(), 10, "{ten}");
    assert!(!ten.contains("<details>"), "{ten}");
    // 11 changes of 3 rows each: past the change limit, each folded.
    let eleven = markdown("eleven.yaml");
    assert_eq!(eleven.matches("<details><summary>").count(), 11, "{eleven}");
    assert!(!eleven.contains("\n#### "), "{eleven}");
    // 7 changes of 9 rows each (63): past the row limit, each folded.
    let profiles = markdown("profiles.yaml");
    assert_eq!(
        profiles.matches("<details><summary>").count(),
        7,
        "{profiles}"
    );
    assert!(!profiles.contains("\n#### "), "{profiles}");
}
