//! Issue 11 item 4: every apply keeps a journal; `wxcc undo` reverses it — creates
//! deleted, fields restored, deletes recreated with references re-keyed — and refuses
//! objects changed since, journals of another org, and files that are not journals.

use serde_json::{Value, json};

use crate::harness::{Env, contains_all};

const V1: &str = "\
site:
  - {name: Austin, active: true, multimediaProfileId: Default Multimedia Profile, description: one}
  - {name: Boston, active: true, multimediaProfileId: Default Multimedia Profile}
team:
  - {name: Tier 1, siteId: Boston, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}
";

/// Austin's description changed, Boston and its team gone, Chicago new.
const V2: &str = "\
site:
  - {name: Austin, active: true, multimediaProfileId: Default Multimedia Profile, description: two}
  - {name: Chicago, active: true, multimediaProfileId: Default Multimedia Profile}
";

fn journals(env: &Env) -> Vec<std::path::PathBuf> {
    let dir = env.path().join(".wxcc/journal");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn names(env: &Env, kind: &str) -> Vec<String> {
    let mut n: Vec<String> = env
        .live(kind)
        .iter()
        .filter_map(|o| o["name"].as_str().map(str::to_string))
        .collect();
    n.sort();
    n
}

#[test]
fn undo_reverses_creates_updates_and_deletes_then_walks_back() {
    let env = Env::new();
    env.write("v1/c.yaml", V1).write("v2/c.yaml", V2);
    env.wxcc(&["apply", "v1", "--auto-approve"]).expect(0);
    let sites_before = names(&env, "site");
    let old_boston = env.live_named("site", "Boston")["id"].clone();
    let applied = env
        .wxcc(&[
            "apply",
            "v2",
            "--delete",
            "site",
            "--delete",
            "team",
            "--auto-approve",
        ])
        .expect(0);
    contains_all(&applied.stdout, &["1 created, 1 updated, 2 deleted"]);
    contains_all(&applied.stdout, &["Journal: .wxcc/journal/"]);
    assert_eq!(journals(&env).len(), 2);

    let sent_before_undo = env.client_requests().len();
    let undo = env.wxcc(&["undo", "--auto-approve"]).expect(0);
    // The deleted team is created again from its before-image without the fields the API
    // fills in itself (a team's `siteName` and `userIds`, catalogue `read_only`).
    let recreated: Vec<Value> = env.client_requests()[sent_before_undo..]
        .iter()
        .filter(|r| {
            r["method"] == "POST" && r["path"].as_str().is_some_and(|p| p.contains("/team"))
        })
        .flat_map(|r| match r["body"]["items"].as_array() {
            Some(items) => items.iter().map(|i| i["item"].clone()).collect(),
            None => vec![r["body"].clone()],
        })
        .collect();
    assert_eq!(recreated.len(), 1, "one team created again: {recreated:?}");
    assert_eq!(recreated[0]["name"], "Tier 1", "{recreated:?}");
    for field in ["siteName", "userIds", "id", "version"] {
        assert!(
            recreated[0].get(field).is_none(),
            "`{field}` sent: {}",
            recreated[0]
        );
    }
    contains_all(
        &undo.stdout,
        &[
            "Undo of the apply in .wxcc/journal/",
            "Plan: 2 to create, 1 to update, 1 to delete.",
            "Apply complete: 2 created, 1 updated, 1 deleted.",
        ],
    );
    // Back to the state before v2: v1 plans no changes.
    let plan = env.wxcc(&["plan", "v1"]).expect(0);
    assert_eq!(plan.stdout, "No changes.\n");
    assert_eq!(names(&env, "site"), sites_before);
    let boston = env.live_named("site", "Boston");
    assert_ne!(boston["id"], old_boston, "recreated under a new id");
    assert_eq!(
        env.live_named("team", "Tier 1")["siteId"],
        boston["id"],
        "the team's reference was re-keyed to the recreated site"
    );
    assert_eq!(env.live_named("site", "Austin")["description"], "one");

    // The undo kept a journal too; the next undo walks back past it, to v1's apply.
    let again = env.wxcc(&["undo", "--auto-approve"]).expect(0);
    contains_all(
        &again.stdout,
        &["Plan: 0 to create, 0 to update, 3 to delete."],
    );
    assert!(
        !names(&env, "site")
            .iter()
            .any(|n| n == "Austin" || n == "Boston")
    );
    let none = env.wxcc(&["undo", "--auto-approve"]).expect(0);
    contains_all(&none.stdout, &["Nothing to undo"]);

    // Journals are private and hold no token.
    for file in journals(&env) {
        let text = std::fs::read_to_string(&file).expect("read journal");
        assert!(!text.contains(&env.token), "no token in {}", file.display());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = env.path().join(".wxcc/journal");
        let mode = std::fs::metadata(dir).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}

#[test]
fn undo_of_several_objects_of_one_kind_reverses_each_of_them() {
    let env = Env::new();
    env.write(
        "c/c.yaml",
        "site:\n  - {name: Austin, active: true, multimediaProfileId: Default Multimedia Profile}\n",
    );
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    env.write(
        "c/c.yaml",
        "site:\n  - {name: Austin, active: true, multimediaProfileId: Default Multimedia Profile, description: edited}\n  - {name: Boston, active: true, multimediaProfileId: Default Multimedia Profile}\n  - {name: Chicago, active: true, multimediaProfileId: Default Multimedia Profile}\n",
    );
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    let undo = env.wxcc(&["undo", "--auto-approve"]).expect(0);
    // Each site is its own object: two deletes and one update, not one change for all.
    contains_all(
        &undo.stdout,
        &["Apply complete: 0 created, 1 updated, 2 deleted."],
    );
    assert!(
        !names(&env, "site")
            .iter()
            .any(|n| n == "Boston" || n == "Chicago")
    );
    assert!(env.live_named("site", "Austin")["description"].is_null());
}

#[test]
fn undo_refuses_an_object_changed_since_naming_it() {
    let env = Env::new();
    env.write("v1/c.yaml", V1);
    env.wxcc(&["apply", "v1", "--auto-approve"]).expect(0);
    let mut austin = env.live_named("site", "Austin");
    austin["description"] = json!("edited by hand");
    let id = austin["id"].as_str().expect("id").to_string();
    let (status, body) = env.api("PUT", &env.org_path(&format!("site/{id}")), Some(austin));
    assert_eq!(status, 200, "{body}");
    let writes = env.writes();
    let run = env.wxcc(&["undo", "--auto-approve"]).expect(1);
    contains_all(
        &run.stderr,
        &[
            "site `Austin` changed since that apply (created ",
            "nothing was sent",
        ],
    );
    assert!(!run.stderr.contains("Boston"), "{}", run.stderr);
    assert_eq!(env.writes(), writes, "refused before any write");
    assert_eq!(
        env.live_named("site", "Austin")["description"],
        "edited by hand"
    );
}

#[test]
fn undo_refuses_a_foreign_journal_and_a_corrupt_one_and_says_when_there_is_nothing() {
    let env = Env::new();
    let none = env.wxcc(&["undo"]).expect(0);
    contains_all(&none.stdout, &["Nothing to undo: no apply to org"]);
    env.write("v1/c.yaml", V1);
    env.wxcc(&["apply", "v1", "--auto-approve"]).expect(0);
    let journal = journals(&env).pop().expect("a journal");
    let mut foreign: Value =
        serde_json::from_str(&std::fs::read_to_string(&journal).expect("read")).expect("json");
    foreign["org"] = json!("11111111-2222-3333-4444-555555555555");
    env.write("foreign.json", &foreign.to_string());
    let writes = env.writes();
    let run = env
        .wxcc(&["undo", "foreign.json", "--auto-approve"])
        .expect(1);
    contains_all(
        &run.stderr,
        &[
            "foreign.json is the journal of an apply to org 11111111-2222-3333-4444-555555555555",
            "refusing",
        ],
    );
    let text = std::fs::read_to_string(&journal).expect("read");
    env.write("cut.json", &text[..text.len() / 2]);
    let requests = env.total_requests();
    let run = env.wxcc(&["undo", "cut.json", "--auto-approve"]).expect(1);
    contains_all(
        &run.stderr,
        &["cut.json is not a wxcc journal", "truncated or edited"],
    );
    assert_eq!(
        env.total_requests(),
        requests,
        "a corrupt journal sends nothing"
    );
    assert_eq!(env.writes(), writes);
    assert_eq!(
        names(&env, "site")
            .iter()
            .filter(|n| *n == "Austin")
            .count(),
        1
    );
}

#[test]
fn a_failed_apply_journals_only_what_landed_and_undo_reverses_just_that() {
    let env = Env::new();
    env.write("v1/c.yaml", V1);
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "POST", "pathContains": "/team", "status": 400, "times": 10})),
    );
    env.wxcc(&["apply", "v1", "--auto-approve"]).expect(1);
    let journal = journals(&env).pop().expect("a journal");
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&journal).expect("read")).expect("json");
    let status: Vec<(String, String)> = saved["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap_or_default().to_string(),
                c["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(
        status.contains(&("Tier 1".into(), "notDone".into())),
        "{status:?}"
    );
    assert!(
        status.contains(&("Austin".into(), "done".into())),
        "{status:?}"
    );
    env.admin("DELETE", "/faults", None);
    let undo = env.wxcc(&["undo", "--auto-approve"]).expect(0);
    contains_all(
        &undo.stdout,
        &["Plan: 0 to create, 0 to update, 2 to delete."],
    );
    assert!(
        !names(&env, "site")
            .iter()
            .any(|n| n == "Austin" || n == "Boston")
    );
}

#[test]
fn undo_of_an_apply_a_later_apply_changed_again_names_that_apply() {
    let env = Env::new();
    env.write("v1/c.yaml", V1).write(
        "v3/c.yaml",
        &V1.replace("description: one", "description: three"),
    );
    env.wxcc(&["apply", "v1", "--auto-approve"]).expect(0);
    let first = journals(&env).pop().expect("a journal");
    env.wxcc(&["apply", "v3", "--auto-approve"]).expect(0);
    let later = journals(&env).pop().expect("a journal");
    let later_name = later
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let writes = env.writes();
    let run = env
        .wxcc(&["undo", first.to_str().expect("utf-8"), "--auto-approve"])
        .expect(1);
    contains_all(
        &run.stderr,
        &[&format!(
            "site `Austin` was changed again by a later apply ({later_name}) that is not undone"
        )],
    );
    assert_eq!(env.writes(), writes);
}

/// A create sent singly (an uploaded audio file: no bulk route) journals the id the API
/// gave it, and undo deletes that object (kills `apply/write.rs`: `id_of` of a create's
/// answer made `"xyzzy"`, which journals an id that names nothing).
#[test]
fn undo_of_a_singly_created_object_deletes_it_by_the_id_the_api_gave() {
    let env = Env::new();
    env.write(
        "c/a.yaml",
        "audio-file:\n  - {name: hello.wav, contentType: AUDIO_WAV, audioFile: hello.wav}\n",
    );
    std::fs::write(env.path().join("c/hello.wav"), b"RIFF....WAVEfmt one").expect("write wav");
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    let live = env.live_named("audio-file", "hello.wav");
    let journal = journals(&env);
    let text = std::fs::read_to_string(journal.last().expect("a journal")).expect("read");
    let id_text = live["id"].as_str().expect("an id");
    assert!(
        text.contains(id_text),
        "the journal names {id_text}: {text}"
    );
    let undo = env.wxcc(&["undo", "--auto-approve"]).expect(0);
    contains_all(
        &undo.stdout,
        &["Apply complete: 0 created, 0 updated, 1 deleted."],
    );
    let left = names(&env, "audio-file");
    assert!(!left.iter().any(|n| n == "hello.wav"), "{left:?}");
}

/// docs/undo.md: a journal is named `<UTC time>-<org id>.json`, the org id kept as it is
/// when it is made of letters, digits and dashes (a UUID), as the emulator's org is.
#[test]
fn a_journal_is_named_by_its_utc_time_and_org_id() {
    let env = Env::new();
    env.write("v1/c.yaml", V1);
    env.wxcc(&["apply", "v1", "--auto-approve"]).expect(0);
    let files = journals(&env);
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0]
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a file name")
        .to_string();
    let (stamp, org) = name
        .strip_suffix(".json")
        .and_then(|n| n.split_once('-'))
        .expect("<time>-<org>.json");
    assert_eq!(org, env.org, "{name}");
    assert!(
        stamp.len() == 20
            && stamp.as_bytes()[8] == b'T'
            && stamp.ends_with('Z')
            && stamp[..8].bytes().all(|b| b.is_ascii_digit()),
        "a UTC time like 20261130T000441.123Z: {name}"
    );
}

#[test]
fn a_journal_written_without_trouble_records_every_outcome_and_draws_no_warning() {
    let env = Env::new();
    env.write("v1/c.yaml", V1);
    let run = env.wxcc(&["apply", "v1", "--auto-approve"]).expect(0);
    assert_eq!(run.stderr, "", "no warning about the journal");
    let files = journals(&env);
    assert_eq!(files.len(), 1, "{files:?}");
    let journal: Value =
        serde_json::from_slice(&std::fs::read(&files[0]).expect("the journal")).expect("JSON");
    let changes = journal["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 3, "{journal}");
    for change in changes {
        assert_eq!(change["status"], "done", "{journal}");
        assert!(change["id"].as_str().is_some_and(|id| !id.is_empty()));
    }
}
