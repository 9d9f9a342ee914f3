//! Per-environment values and fields read from files: `${var.NAME}` from `--vars`,
//! `${env.NAME}` from the environment, `$${` as a literal, every problem at the
//! placeholder's own columns; desktop layouts kept as `.json` files beside the YAML,
//! compared by meaning and shown as unified diffs, confined to the config folder.

#[cfg(unix)]
use std::os::unix::fs::symlink;

use serde_json::{Value, json};

use crate::harness::{Env, Run, contains_all, refused};

/// `[file:line:col]` of the first `needle` in `text`, as diagnostics show it.
fn at(file: &str, text: &str, needle: &str) -> String {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in text"));
    location(file, text, offset)
}

/// `[file:line:col]` of byte `offset` in `text`.
fn location(file: &str, text: &str, offset: usize) -> String {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("[{file}:{line}:{col}]")
}

/// A multimedia profile whose name, channel count and description come from placeholders.
const PROFILE: &str = "multimedia-profile:
  - name: Voice-${var.ENV}
    active: true
    blendingModeEnabled: false
    blendingMode: EXCLUSIVE
    telephony: ${var.SEATS}
    chat: 0
    email: 0
    social: 0
    manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}
    description: \"${env.PLACEHOLDER_TEST_DESC} at $${var.PRICE}\"
";

const DESC: &str = "the-description-from-the-environment";

/// PROFILE without its placeholders, its description written as `description` (YAML).
fn plain_profile(description: &str) -> String {
    PROFILE
        .replace("Voice-${var.ENV}", "Voice")
        .replace("${var.SEATS}", "1")
        .replace(
            "\"${env.PLACEHOLDER_TEST_DESC} at $${var.PRICE}\"",
            description,
        )
}

#[test]
fn vars_and_env_fill_placeholders_and_a_whole_value_takes_the_vars_type() {
    let env = Env::new();
    env.write("cfg/profiles.yaml", PROFILE)
        .write("vars/prod.yaml", "ENV: prod\nSEATS: 1\n")
        .write("vars/stage.yaml", "ENV: stage\nSEATS: 1\n");
    let vars = [("PLACEHOLDER_TEST_DESC", DESC)];
    let valid = env
        .wxcc_env(&["validate", "cfg", "--vars", "vars/prod.yaml"], &vars)
        .expect(0);
    // The vars file is not counted as a config file.
    contains_all(&valid.stdout, &["cfg is valid: 1 object in 1 file."]);
    let planned = env
        .wxcc_env(&["plan", "cfg", "--vars", "vars/prod.yaml"], &vars)
        .expect(0);
    contains_all(
        &planned.stdout,
        &["+ create multimedia-profile \"Voice-prod\""],
    );
    // An environment value may be a secret: the plan shows its placeholder.
    assert!(!planned.stdout.contains(DESC), "{}", planned.stdout);
    contains_all(
        &planned.stdout,
        &["${env.PLACEHOLDER_TEST_DESC} at ${var.PRICE}"],
    );
    env.wxcc_env(
        &["apply", "cfg", "--vars", "vars/prod.yaml", "--auto-approve"],
        &vars,
    )
    .expect(0);
    let live = env.live_named("multimedia-profile", "Voice-prod");
    // `${var.SEATS}` alone took the var's type: the API holds the number 1, not "1".
    assert_eq!(live["telephony"], json!(1));
    assert_eq!(
        live["description"],
        json!(format!("{DESC} at ${{var.PRICE}}"))
    );
    let again = env
        .wxcc_env(&["plan", "cfg", "--vars", "vars/prod.yaml"], &vars)
        .expect(0);
    contains_all(&again.stdout, &["No changes."]);
    // The same config with the other org's values is another object.
    let stage = env
        .wxcc_env(
            &[
                "plan",
                "cfg",
                "--vars",
                "vars/stage.yaml",
                "--detailed-exitcode",
            ],
            &vars,
        )
        .expect(2);
    contains_all(
        &stage.stdout,
        &["+ create multimedia-profile \"Voice-stage\""],
    );
}

#[test]
fn each_placeholder_problem_is_an_error_at_the_placeholders_columns() {
    let env = Env::new();
    let config = "multimedia-profile:
  - name: \"Voice ${var.ENVV}\"
    active: true
    blendingModeEnabled: false
    blendingMode: ${mode.EXCLUSIVE}
    telephony: ${env.WXCC_ACCESS_TOKEN}
    chat: ${var}
    email: ${env.PLACEHOLDER_TEST_UNSET}
    social: 0
    manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}
    description: 'ok $${ then ${var.ENV} then ${var.NAME'
";
    env.write("cfg/a.yaml", config)
        .write("vars/prod.yaml", "ENV: prod\n");
    let mut stderr = String::new();
    for command in ["validate", "plan", "apply"] {
        let mut args = vec![command, "cfg", "--vars", "vars/prod.yaml"];
        if command == "apply" {
            args.push("--auto-approve");
        }
        let run: Run = env.wxcc(&args).expect(1);
        if command == "validate" {
            stderr = run.stderr;
        } else {
            contains_all(&run.stderr, &["nothing was sent to the tenant"]);
        }
    }
    assert_eq!(env.total_requests(), 0, "bad input must not reach the API");
    let f = "cfg/a.yaml";
    contains_all(
        &stderr,
        &[
            "× `${var.ENVV}` is not defined",
            &at(f, config, "${var.ENVV}"),
            "did you mean `${var.ENV}`?",
            "× unknown placeholder namespace `mode`",
            &at(f, config, "${mode."),
            "× `${var}` is not a placeholder",
            &at(f, config, "${var}"),
            "× `${env.PLACEHOLDER_TEST_UNSET}`: the environment variable PLACEHOLDER_TEST_UNSET is not set",
            &at(f, config, "${env.WXCC"),
            "× a placeholder is not closed: `${` without `}`",
            &at(f, config, "${var.NAME"),
            "for a literal `${`, write `$${`",
            // A config cannot copy the runner's token into the tenant.
            "× `${env.WXCC_ACCESS_TOKEN}` reads wxcc's own settings, which a config may not",
            &at(f, config, "${env.WXCC_ACCESS"),
            "6 errors",
        ],
    );
    // The raw placeholder is no valid value, which is not news: one error per problem.
    assert!(!stderr.contains("must be a whole number"), "{stderr}");
    assert!(!stderr.contains(&env.token), "{stderr}");
    // Without --vars, a `${var.…}` says how to give one.
    env.write("cfg/a.yaml", PROFILE);
    let bare = env.wxcc(&["validate", "cfg"]).expect(1);
    contains_all(
        &bare.stderr,
        &[
            "× `${var.ENV}` is not defined",
            &at(f, PROFILE, "${var.ENV}"),
            "pass a vars file that defines it: --vars",
        ],
    );
}

#[test]
fn a_vars_file_must_be_a_mapping_of_names_to_scalars() {
    let env = Env::new();
    env.write("cfg/a.yaml", PROFILE);
    let vars = "ENV: prod\n1st: x\nSEATS: [1, 2]\nEMPTY:\n";
    env.write("vars/bad.yaml", vars)
        .write("vars/list.yaml", "- ENV\n- prod\n");
    let bad = env
        .wxcc_env(
            &["validate", "cfg", "--vars", "vars/bad.yaml"],
            &[("PLACEHOLDER_TEST_DESC", DESC)],
        )
        .expect(1);
    let f = "vars/bad.yaml";
    contains_all(
        &bad.stderr,
        &[
            "× `1st` is not a variable name",
            &at(f, vars, "1st"),
            "× variable `SEATS` must be a string, number or boolean",
            &at(f, vars, "[1, 2]"),
            "× variable `EMPTY` must be a string, number or boolean",
            &at(f, vars, "EMPTY"),
            // The bad entry is not defined: its placeholders are reported too.
            "× `${var.SEATS}` is not defined",
        ],
    );
    let list = env
        .wxcc(&["validate", "cfg", "--vars", "vars/list.yaml"])
        .expect(1);
    contains_all(
        &list.stderr,
        &[
            "× a vars file must be a mapping of names to values",
            "[vars/list.yaml:1:1]",
        ],
    );
    let missing = env
        .wxcc(&["plan", "cfg", "--vars", "vars/none.yaml"])
        .expect(1);
    contains_all(&missing.stderr, &["cannot read vars/none.yaml"]);
    // In flow style an unquoted placeholder breaks the YAML: the error says to quote it.
    env.write(
        "cfg/a.yaml",
        "multimedia-profile:\n  - {name: Voice-${var.ENV}, active: true}\n",
    );
    let flow = env
        .wxcc(&["validate", "cfg", "--vars", "vars/bad.yaml"])
        .expect(1);
    contains_all(
        &flow.stderr,
        &["YAML syntax error", "quote a value holding a placeholder"],
    );
    assert_eq!(env.total_requests(), 0);
}

#[test]
fn an_error_in_a_substituted_value_points_at_the_placeholder_and_hides_env_values() {
    let env = Env::new();
    let item = PROFILE
        .replace("multimedia-profile:\n", "")
        .replace("Voice-${var.ENV}", "${env.PLACEHOLDER_TEST_NAME}");
    let config = format!(
        "multimedia-profile:\n{}{}",
        item.replace("EXCLUSIVE", "${env.PLACEHOLDER_TEST_MODE}")
            .replace("telephony: ${var.SEATS}", "telephony: \"n=${var.SEATS}\""),
        item
    );
    env.write("cfg/a.yaml", &config)
        .write("vars/prod.yaml", "ENV: prod\nSEATS: 1\n");
    let run = env
        .wxcc_env(
            &["validate", "cfg", "--vars", "vars/prod.yaml"],
            &[
                ("PLACEHOLDER_TEST_MODE", "BLENDING-MODE-SECRET"),
                ("PLACEHOLDER_TEST_NAME", "NAME-SECRET"),
                ("PLACEHOLDER_TEST_DESC", DESC),
            ],
        )
        .expect(1);
    let f = "cfg/a.yaml";
    let second = config.rfind("${env.PLACEHOLDER_TEST_NAME}").expect("twice");
    contains_all(
        &run.stderr,
        &[
            "× `blendingMode` has a value the API does not accept",
            &at(f, &config, "${env.PLACEHOLDER_TEST_MODE}"),
            "× `telephony` must be a whole number, not a string",
            &at(f, &config, "${var.SEATS}"),
            // The duplicate key's message names the key: by its placeholder.
            "× multimedia-profile `${env.PLACEHOLDER_TEST_NAME}` is defined twice",
            &location(f, &config, second),
            "3 errors",
        ],
    );
    assert!(
        !run.stderr.contains("SECRET"),
        "an environment value is never shown: {}",
        run.stderr
    );
}

const LAYOUT: &str = "desktop-layout:
  - name: Support Layout
    jsonFileName: support-layout.json
    jsonFileContent: {file: layouts/support.json}
    global: false
    status: true
    defaultJsonModified: false
    editedBy: wxcc
";

fn layout_json(title: &str) -> Value {
    json!({
        "version": "0.0.6",
        "appTitle": title,
        "logo": "",
        "dragDropEnabled": false,
        "notificationTimer": 8,
        "agent": {"area": {"header": {"advancedHeader": []}, "panel": {"comp": "md-tabs", "children": []}, "navigation": []}}
    })
}

fn stored_layout(env: &Env) -> String {
    env.live_named("desktop-layout", "Support Layout")["jsonFileContent"]
        .as_str()
        .expect("a string")
        .to_string()
}

#[test]
fn a_layout_file_round_trips_compares_by_meaning_and_diffs_by_line() {
    let env = Env::new();
    let pretty = serde_json::to_string_pretty(&layout_json("Globex Support")).expect("json");
    env.write("cfg/layouts.yaml", LAYOUT)
        .write("cfg/layouts/support.json", &pretty);
    // A new layout shows its lines, pretty-printed, without diff headers.
    let create = env.wxcc(&["plan", "cfg"]).expect(0);
    contains_all(
        &create.stdout,
        &["    jsonFileContent:\n      +{\n      +  \"version\": \"0.0.6\",\n"],
    );
    assert!(!create.stdout.contains("--- before"), "{}", create.stdout);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    assert_eq!(
        stored_layout(&env),
        pretty,
        "the file's text is what is sent"
    );
    contains_all(
        &env.wxcc(&["plan", "cfg"]).expect(0).stdout,
        &["No changes."],
    );

    // Key order and whitespace do not count.
    let reordered = "{\"agent\":{\"area\":{\"navigation\":[],\"panel\":{\"children\":[],\"comp\":\"md-tabs\"},\"header\":{\"advancedHeader\":[]}}},\n\t\"notificationTimer\": 8, \"dragDropEnabled\":false,\"logo\":\"\",\"appTitle\":\"Globex Support\",\"version\":\"0.0.6\"}";
    env.write("cfg/layouts/support.json", reordered);
    let same = env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
    contains_all(&same.stdout, &["No changes."]);

    // A real change, in a file whose keys are also in another order: one line changes.
    env.write(
        "cfg/layouts/support.json",
        &reordered.replace("Globex Support", "Globex Help"),
    );
    let changed = env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(2);
    contains_all(
        &changed.stdout,
        &[
            "~ update desktop-layout \"Support Layout\"",
            "    jsonFileContent:\n      --- before\n      +++ after\n      @@ ",
            "      -  \"appTitle\": \"Globex Support\",\n      +  \"appTitle\": \"Globex Help\",\n",
        ],
    );
    let changed_lines: Vec<&str> = changed
        .stdout
        .lines()
        .filter(|l| {
            (l.starts_with("      -") || l.starts_with("      +"))
                && !l.starts_with("      ---")
                && !l.starts_with("      +++")
        })
        .collect();
    assert_eq!(changed_lines.len(), 2, "only the title: {}", changed.stdout);
    let markdown = env.wxcc(&["plan", "cfg", "--format", "markdown"]).expect(0);
    contains_all(
        &markdown.stdout,
        &[
            "| `jsonFileContent` | *(diff below)* | *(diff below)* |",
            "```diff\n--- before\n+++ after\n",
            "-  \"appTitle\": \"Globex Support\",\n+  \"appTitle\": \"Globex Help\",\n",
        ],
    );
    let as_json: Value = serde_json::from_str(
        &env.wxcc(&["plan", "cfg", "--format", "json"])
            .expect(0)
            .stdout,
    )
    .expect("json");
    assert_eq!(
        as_json["changes"][0]["diffs"][0]["after"],
        json!(reordered.replace("Globex Support", "Globex Help")),
        "JSON output keeps the values"
    );
    let writes = env.writes();
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    assert_eq!(env.writes(), writes + 1, "one update");
    assert!(stored_layout(&env).contains("Globex Help"));
    contains_all(
        &env.wxcc(&["plan", "cfg"]).expect(0).stdout,
        &["No changes."],
    );
}

#[test]
fn a_long_string_change_is_a_unified_diff() {
    let env = Env::new();
    let old = "Handles inbound voice calls for the support line, weekdays, with callbacks offered after two minutes";
    let new = old.replace("two minutes", "five minutes");
    let config = PROFILE
        .replace("${var.ENV}", "long")
        .replace("${var.SEATS}", "1")
        .replace("\"${env.PLACEHOLDER_TEST_DESC} at $${var.PRICE}\"", old);
    env.write("cfg/a.yaml", &config);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    env.write("cfg/a.yaml", &config.replace(old, &new));
    let plan = env.wxcc(&["plan", "cfg"]).expect(0);
    contains_all(
        &plan.stdout,
        &[&format!(
            "    description:\n      --- before\n      +++ after\n      @@ -1 +1 @@\n      -{old}\n      +{new}\n"
        )],
    );
    assert!(!plan.stdout.contains(" → "), "{}", plan.stdout);
}

// Symlinks are a Unix notion.
#[cfg(unix)]
#[test]
fn layout_files_outside_the_folder_or_not_json_are_refused_unread() {
    let env = Env::new();
    env.write("outside.json", "{\"token\": \"SECRET-OUTSIDE\"}");
    std::fs::create_dir_all(env.path().join("cfg/layouts")).expect("mkdir");
    symlink(
        env.path().join("outside.json"),
        env.path().join("cfg/layouts/link.json"),
    )
    .expect("symlink");
    env.write("cfg/layouts/bad.json", "{\"appTitle\": \"x\",\n  oops}\n");
    std::fs::write(
        env.path().join("cfg/layouts/latin1.json"),
        b"{\"a\": \"\xe9\"}",
    )
    .expect("write");
    let layout = |name: &str, file: &str| {
        LAYOUT
            .replace("desktop-layout:\n", "")
            .replace("Support Layout", name)
            .replace("{file: layouts/support.json}", file)
    };
    let config = format!(
        "desktop-layout:\n{}{}{}{}{}{}multimedia-profile:\n  - name: Voice\n    description: {{file: layouts/bad.json}}\n",
        layout("Up", "{file: ../outside.json}"),
        layout("Abs", "{file: /etc/hostname}"),
        layout("Link", "{file: layouts/link.json}"),
        layout("Bad", "{file: layouts/bad.json}"),
        layout("Latin", "{file: layouts/latin1.json}"),
        layout("Extra", "{file: layouts/bad.json, format: json}"),
    );
    env.write("cfg/a.yaml", &config);
    let err = refused(&env, "cfg");
    let f = "cfg/a.yaml";
    contains_all(
        &err,
        &[
            "× `../outside.json` is outside the config folder",
            &at(f, &config, "../outside.json"),
            "× `jsonFileContent` must be a path relative to this YAML file, not `/etc/hostname`",
            "× `layouts/link.json` is outside the config folder",
            "× `layouts/bad.json` is not valid JSON: key must be a string at line 2 column 3",
            "× `layouts/latin1.json` is not UTF-8 text",
            "× `jsonFileContent` is text, or `{file: PATH}` to read it from a file",
            "× `description` cannot be read from a file",
            "no field of a multimedia-profile is read from a file",
        ],
    );
    assert!(!err.contains("SECRET"), "nothing outside is shown: {err}");
}

/// A value whose only `$` is an escaped `$${` still has the escape taken out: the API gets
/// `${`, once (kills `config/vars.rs`: the early return for values without placeholders
/// made to skip values whose text the escape changed).
#[test]
fn an_escaped_placeholder_alone_reaches_the_api_as_a_literal() {
    description_lands_as(
        "\"costs $${var.PRICE} a seat\"",
        "costs ${var.PRICE} a seat",
    );
}

/// Applies PROFILE with `description` (YAML) and checks the API got `expected`, and that
/// the next plan has no changes.
fn description_lands_as(description: &str, expected: &str) {
    let env = Env::new();
    env.write("cfg/profiles.yaml", &plain_profile(description));
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    assert_eq!(
        env.live_named("multimedia-profile", "Voice")["description"],
        json!(expected)
    );
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
}

/// A vars file that holds nothing yet (only a comment) is an empty set of variables, not
/// a malformed file (kills `config/vars.rs`: the arm for an empty document deleted in
/// `Vars::read`, which refuses it as "not a mapping").
#[test]
fn an_empty_vars_file_defines_nothing_and_is_no_error() {
    let env = Env::new();
    let config = plain_profile("voice only");
    env.write("cfg/profiles.yaml", &config)
        .write("vars/prod.yaml", "# no variables yet\n");
    let run = env
        .wxcc(&["validate", "cfg", "--vars", "vars/prod.yaml"])
        .expect(0);
    assert!(!run.stderr.contains("vars"), "{}", run.stderr);
    // A placeholder is then reported as undefined, not the file.
    env.write(
        "cfg/profiles.yaml",
        &config.replace("voice only", "\"${var.DESC}\""),
    );
    let run = env
        .wxcc(&["validate", "cfg", "--vars", "vars/prod.yaml"])
        .expect(1);
    contains_all(&run.stderr, &["× `${var.DESC}` is not defined"]);
    assert!(!run.stderr.contains("must be a mapping"), "{}", run.stderr);
}

/// A `$` that starts no placeholder is text: it reaches the API as written (kills
/// `config/vars.rs`: the scan past a lone `$` resumed at the `$` itself, `at * 1` for
/// `at + 1`, and never ended).
#[test]
fn a_lone_dollar_sign_reaches_the_api_as_written() {
    description_lands_as(
        "\"costs $5 a seat, $ for short\"",
        "costs $5 a seat, $ for short",
    );
}

/// A placeholder written after its own escaped twin (`$${var.X} … ${var.X}`) is reported at
/// its own column, not the escaped one's (kills `config/vars.rs`: the search past an escaped
/// match resumed at the match itself, `at * 1` for `at + 1`, and never ended).
#[test]
fn a_placeholder_after_its_escaped_twin_is_reported_at_its_own_column() {
    let env = Env::new();
    let config = PROFILE.replace(
        "\"${env.PLACEHOLDER_TEST_DESC} at $${var.PRICE}\"",
        "\"$${var.PRICE} means ${var.PRICE}\"",
    );
    env.write("cfg/a.yaml", &config)
        .write("vars/prod.yaml", "ENV: prod\nSEATS: 1\n");
    let run = env
        .wxcc(&["validate", "cfg", "--vars", "vars/prod.yaml"])
        .expect(1);
    let f = "cfg/a.yaml";
    let real = config
        .find("means ${var.PRICE}")
        .map(|i| i + "means ".len());
    contains_all(
        &run.stderr,
        &[
            "× `${var.PRICE}` is not defined",
            &location(f, &config, real.expect("the placeholder is in the config")),
            "1 error",
        ],
    );
}

/// A placeholder the YAML spells with an escape (`"\x24{var.MISSING}"`) is not in the
/// source as written: it is reported at its own value, not at a later value that writes
/// the same placeholder out (kills `config/vars.rs`: `span.offset + span.len` made
/// `span.offset * span.len` in `locate`, which searched the rest of the file).
#[test]
fn a_placeholder_spelled_with_an_escape_is_reported_at_its_own_value() {
    let env = Env::new();
    env.write(
        "cfg/a.yaml",
        "site:\n  - {name: Austin, active: true, multimediaProfileId: Default Multimedia Profile, description: \"\\x24{var.MISSING}\"}\n  - {name: Boston, active: true, multimediaProfileId: Default Multimedia Profile, description: \"${var.MISSING}\"}\n",
    )
    .write("vars/prod.yaml", "ENV: prod\n");
    let run = env
        .wxcc(&["validate", "cfg", "--vars", "vars/prod.yaml"])
        .expect(1);
    assert_eq!(
        run.stderr
            .matches("× `${var.MISSING}` is not defined")
            .count(),
        2,
        "{}",
        run.stderr
    );
    contains_all(
        &run.stderr,
        &["[cfg/a.yaml:2:", "[cfg/a.yaml:3:", "2 errors"],
    );
}

/// A live layout whose JSON text does not parse (written by another tool) is not what the
/// config's file says: the plan updates it, the apply sends the file's text, and then
/// nothing is left to change (kills `plan/diff.rs`: the text comparison of `json_text_eq`
/// made `!=`, which took the broken text for the file's and planned no change).
#[test]
fn a_live_layout_whose_json_does_not_parse_is_replaced_by_the_file() {
    let env = Env::new();
    let pretty = serde_json::to_string_pretty(&layout_json("Globex Support")).expect("json");
    env.write("cfg/layouts.yaml", LAYOUT)
        .write("cfg/layouts/support.json", &pretty);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    let mut live = env.live_named("desktop-layout", "Support Layout");
    live["jsonFileContent"] = json!("{\"appTitle\": \"Globex Support\",");
    let id = live["id"].as_str().expect("id").to_string();
    let (status, body) = env.api(
        "PUT",
        &env.org_path(&format!("desktop-layout/{id}")),
        Some(live),
    );
    assert_eq!(status, 200, "{body}");
    let plan = env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(2);
    contains_all(
        &plan.stdout,
        &[
            "~ update desktop-layout \"Support Layout\"",
            "    jsonFileContent:",
        ],
    );
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    assert_eq!(stored_layout(&env), pretty);
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
}
