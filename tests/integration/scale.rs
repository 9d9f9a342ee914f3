//! Tenant scale (issue 12): big configs load as data, not as errors; a file past one of the
//! YAML reader's limits is refused in words that say which limit and what to do.

use crate::harness::{Env, contains_all};

/// More YAML values than the parser's old default budget (250,000) allowed in one file.
#[test]
fn a_single_file_past_the_old_parser_budget_loads() {
    let env = Env::new();
    let mut text = String::from("skill:\n");
    let skills = 30_000;
    for k in 0..skills {
        text.push_str(&format!(
            "  - {{name: Skill {k}, skillType: PROFICIENCY, serviceLevelThreshold: 30, active: true}}\n"
        ));
    }
    env.write("big.yaml", &text);
    let run = env.wxcc(&["validate", "big.yaml"]).expect(0);
    contains_all(&run.stdout, &[&format!("{skills} objects in 1 file")]);
}

#[test]
fn a_file_past_a_parser_limit_is_refused_in_words_not_as_a_syntax_error() {
    let env = Env::new();
    let deep = format!("{}{}", "[".repeat(70), "]".repeat(70));
    env.write(
        "deep.yaml",
        &format!("site:\n  - name: Lab\n    description: {deep}\n"),
    );
    let run = env.wxcc(&["plan", "deep.yaml"]).expect(1);
    contains_all(
        &run.stderr,
        &[
            "deep.yaml: values here are nested more than 64 levels deep",
            "deep.yaml:3:",
            "check the brackets and indentation",
        ],
    );
    assert!(!run.stderr.contains("syntax error"), "{}", run.stderr);
    assert_eq!(env.total_requests(), 0, "nothing is read from the tenant");
}

const SITES: &str = "site:\n  - {name: North, active: true, multimediaProfileId: Default Multimedia Profile}\n  - {name: South, active: true, multimediaProfileId: Default Multimedia Profile}\n  - {name: East, active: true, multimediaProfileId: Default Multimedia Profile}\n";

/// `wxcc emulator serve` with a state file is killed (SIGKILL: nothing flushed on the way
/// out) after an apply; a new one on the same file has every object the apply made.
#[test]
fn emulator_writes_survive_a_crash_through_the_journal() {
    let env = Env::new();
    env.write("cfg.yaml", SITES);
    let serve = |env: &Env| {
        let (child, url) = env.serve_emulator(&["--state", "crash.json"]);
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let token = runtime.block_on(async {
            let minted: serde_json::Value = reqwest::Client::new()
                .post(format!("{url}/_emulator/tokens"))
                .json(&serde_json::json!({}))
                .send()
                .await
                .expect("mint")
                .json()
                .await
                .expect("json");
            minted["access_token"].as_str().expect("token").to_string()
        });
        (child, url, token)
    };
    let (mut child, url, token) = serve(&env);
    let vars = [
        ("WXCC_BASE_URL", url.as_str()),
        ("WXCC_ACCESS_TOKEN", token.as_str()),
    ];
    env.wxcc_with(&["apply", "cfg.yaml", "--auto-approve"], &vars)
        .expect(0);
    let _ = child.kill();
    let _ = child.wait();
    let snapshot = std::fs::read_to_string(env.path().join("crash.json")).expect("state");
    assert!(
        !snapshot.contains("\"North\""),
        "the snapshot is not rewritten per object write"
    );
    let journal = std::fs::read_to_string(env.path().join("crash.json.journal")).expect("journal");
    assert_eq!(journal.lines().count(), 3, "one line per write:\n{journal}");

    let (mut child, url, token) = serve(&env);
    let vars = [
        ("WXCC_BASE_URL", url.as_str()),
        ("WXCC_ACCESS_TOKEN", token.as_str()),
    ];
    let plan = env.wxcc_with(&["plan", "cfg.yaml", "--detailed-exitcode"], &vars);
    let _ = child.kill();
    let _ = child.wait();
    plan.expect(0);
    let snapshot = std::fs::read_to_string(env.path().join("crash.json")).expect("state");
    assert!(
        snapshot.contains("\"North\"") && snapshot.contains("\"East\""),
        "a start folds the journal into the snapshot"
    );
}
