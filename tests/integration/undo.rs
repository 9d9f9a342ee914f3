//! Issue 11 item 4: every apply keeps a journal; `wxcc undo` reverses it — creates
//! deleted, fields restored, deletes recreated with references re-keyed — and refuses
//! objects changed since, journals of another org, and files that are not journals.

use serde_json::{Value, json};

use crate::harness::{Env, contains_all, layout_naming};

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

const TEAMS: &str = "team:
  - {name: Blue, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}
";
const GREEN: &str = "  - {name: Green, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}
";
const SITE: &str = "site:
  - {name: Austin, active: true, multimediaProfileId: Default Multimedia Profile}
";

/// An apply that created a team and a desktop layout naming it (the layout created, then
/// given its `teamIds` in the second pass) is undone by deleting the layout first: its
/// list rows leave `teamIds` out, so undo must read it whole to know it still names the
/// team, or the API refuses the team's delete (412, docs/api-notes.md §1.10).
#[test]
fn undo_of_a_team_and_a_layout_naming_it_deletes_the_layout_first() {
    let env = Env::new();
    let other = layout_naming("Blue").replace("name: Layout", "name: Other");
    env.write("c/base.yaml", &format!("{SITE}{TEAMS}"));
    env.write("c/other.yaml", &other);
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    env.write("c/base.yaml", &format!("{SITE}{TEAMS}{GREEN}"));
    env.write("c/layout.yaml", &layout_naming("Green"));
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    assert_eq!(
        env.live_named("desktop-layout", "Layout")["teamIds"],
        json!([env.live_named("team", "Green")["id"]])
    );
    let id = |kind: &str, name: &str| {
        env.live_named(kind, name)["id"]
            .as_str()
            .map(str::to_string)
    };
    let ids = [
        id("desktop-layout", "Layout"),
        id("team", "Green"),
        id("desktop-layout", "Other"),
        id("team", "Blue"),
    ];
    let sent_before = env.client_requests().len();
    let undo = env.wxcc(&["undo", "--auto-approve"]).expect(0);
    // Read whole: the objects it deletes, whose list rows leave fields out; not the
    // objects the journal does not name.
    let read: Vec<bool> = ids
        .iter()
        .map(|id| {
            let id = id.as_deref().expect("an id");
            env.client_requests()[sent_before..].iter().any(|r| {
                r["method"] == "GET"
                    && r["path"]
                        .as_str()
                        .is_some_and(|p| p.ends_with(&format!("/{id}")))
            })
        })
        .collect();
    assert_eq!(
        read,
        [true, true, false, false],
        "Layout, Green, Other, Blue"
    );
    planned_in_order(
        &undo.stdout,
        "- delete desktop-layout \"Layout\"",
        "- delete team \"Green\"",
    );
    contains_all(
        &undo.stdout,
        &["Apply complete: 0 created, 0 updated, 2 deleted."],
    );
    blue_is_left_and_green_gone(&env);
    assert!(names(&env, "desktop-layout").iter().all(|n| n != "Layout"));
}

/// An apply that created a team and gave a live layout that team in its `teamIds` is
/// undone by giving the layout its old `teamIds` back, then deleting the team: the restore
/// lets go of the team, so the plan is not refused for the layout pointing at it.
#[test]
fn undo_of_a_team_given_to_a_live_layout_restores_the_layout_then_deletes_the_team() {
    let env = Env::new();
    env.write("c/base.yaml", &format!("{SITE}{TEAMS}"));
    env.write("c/layout.yaml", &layout_naming("Blue"));
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    let blue = env.live_named("team", "Blue")["id"].clone();
    env.write("c/base.yaml", &format!("{SITE}{TEAMS}{GREEN}"));
    env.write("c/layout.yaml", &layout_naming("Blue, Green"));
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    let undo = env.wxcc(&["undo", "--auto-approve"]).expect(0);
    planned_in_order(
        &undo.stdout,
        "~ update desktop-layout \"Layout\"",
        "- delete team \"Green\"",
    );
    contains_all(
        &undo.stdout,
        &["Apply complete: 0 created, 1 updated, 1 deleted."],
    );
    blue_is_left_and_green_gone(&env);
    assert_eq!(
        env.live_named("desktop-layout", "Layout")["teamIds"],
        json!([blue])
    );
}

/// An undo that fails part-way does not count its apply as undone: `wxcc undo` run again
/// (as the report says) finishes that same undo, not the apply before it, and converges.
/// Of two sites the apply deleted, the first run recreates one: the second run finds it
/// (by kind, key and its new id) and recreates only the other.
#[test]
fn an_undo_that_failed_part_way_is_finished_by_running_undo_again() {
    const P1: &str = "\
site:
  - {name: Austin, active: true, multimediaProfileId: Default Multimedia Profile, description: one}
  - {name: Boston, active: true, multimediaProfileId: Default Multimedia Profile}
  - {name: Denver, active: true, multimediaProfileId: Default Multimedia Profile}
team:
  - {name: Tier 1, siteId: Boston, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}
";
    const P2: &str = "\
site:
  - {name: Austin, active: true, multimediaProfileId: Default Multimedia Profile, description: two}
  - {name: Chicago, active: true, multimediaProfileId: Default Multimedia Profile}
";
    let env = Env::new();
    env.write("p1/c.yaml", P1).write("p2/c.yaml", P2);
    env.wxcc(&["apply", "p1", "--auto-approve"]).expect(0);
    env.wxcc(&[
        "apply",
        "p2",
        "--delete",
        "site",
        "--delete",
        "team",
        "--max-delete-percent",
        "100",
        "--auto-approve",
    ])
    .expect(0);
    let (status, _) = env.api(
        "POST",
        "/_emulator/faults",
        Some(
            json!({"method": "POST", "pathContains": "/site/bulk", "itemContains": "\"Denver\"", "status": 400}),
        ),
    );
    assert_eq!(status, 204);
    let failed = env.wxcc(&["undo", "--auto-approve"]).expect(1);
    contains_all(
        &failed.stdout,
        &[
            "✗ failed to create site \"Denver\"",
            "4 done (2 created, 1 updated, 1 deleted), 1 failed",
            "Fix the cause and run `wxcc undo .wxcc/journal/",
            "` reverses this undo)",
        ],
    );
    assert!(!names(&env, "site").iter().any(|n| n == "Denver"));
    let again = env.wxcc(&["undo", "--auto-approve"]).expect(0);
    contains_all(
        &again.stdout,
        &[
            "Plan: 1 to create, 0 to update, 0 to delete.",
            "+ create site \"Denver\"",
            "Apply complete: 1 created, 0 updated, 0 deleted.",
        ],
    );
    let plan = env.wxcc(&["plan", "p1"]).expect(0);
    assert_eq!(plan.stdout, "No changes.\n");
    assert_eq!(journals(&env).len(), 4);
}

/// An undo's restore of a layout's `teamIds` that fails skips the delete of the team it
/// let go of (the delete needs it: the layout is read whole, its `teamIds` a back-link its
/// list rows leave out), rather than sending a delete the API refuses; run again, the undo
/// finishes.
#[test]
fn a_failed_restore_of_a_layout_skips_the_delete_of_the_team_it_still_names() {
    let env = Env::new();
    env.write("c/base.yaml", &format!("{SITE}{TEAMS}"));
    env.write("c/layout.yaml", &layout_naming("Blue"));
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    env.write("c/base.yaml", &format!("{SITE}{TEAMS}{GREEN}"));
    env.write("c/layout.yaml", &layout_naming("Blue, Green"));
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    let (status, _) = env.api(
        "POST",
        "/_emulator/faults",
        Some(json!({"method": "PUT", "pathContains": "/desktop-layout/", "status": 400})),
    );
    assert_eq!(status, 204);
    let failed = env.wxcc(&["undo", "--auto-approve"]).expect(1);
    contains_all(
        &failed.stdout,
        &[
            "✗ failed to update desktop-layout \"Layout\"",
            "0 done (0 created, 0 updated, 0 deleted), 1 failed, 1 skipped",
            "Skipped (they need a change that did not go through):",
        ],
    );
    assert!(names(&env, "team").iter().any(|n| n == "Green"));
    let again = env.wxcc(&["undo", "--auto-approve"]).expect(0);
    contains_all(
        &again.stdout,
        &["Apply complete: 0 created, 1 updated, 1 deleted."],
    );
    assert!(!names(&env, "team").iter().any(|n| n == "Green"));
}

/// An apply's delete of an object whose list rows leave fields out (a desktop layout's
/// `teamIds` and `jsonFileContent`) keeps its whole before-image, and undo recreates it
/// with them.
#[test]
fn undo_of_a_deleted_layout_recreates_it_whole() {
    let env = Env::new();
    env.write("c/base.yaml", &format!("{SITE}{TEAMS}"));
    env.write("c/layout.yaml", &layout_naming("Blue"));
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    let before = env.live_named("desktop-layout", "Layout");
    std::fs::remove_file(env.path().join("c/layout.yaml")).expect("remove");
    env.wxcc(&[
        "apply",
        "c",
        "--delete",
        "desktop-layout",
        "--max-delete-percent",
        "100",
        "--auto-approve",
    ])
    .expect(0);
    assert!(names(&env, "desktop-layout").iter().all(|n| n != "Layout"));
    env.wxcc(&["undo", "--auto-approve"]).expect(0);
    let after = env.live_named("desktop-layout", "Layout");
    assert_eq!(after["teamIds"], before["teamIds"]);
    assert_eq!(after["jsonFileContent"], before["jsonFileContent"]);
}

/// Undo reads by item only what it needs: a team the apply updated (team list rows leave
/// fields out), of a kind the undo deletes none of and hiding no back-link to one, is not
/// read while the undo is planned.
#[test]
fn undo_reads_no_object_by_item_that_it_neither_deletes_nor_orders_by() {
    let env = Env::new();
    env.write("c/base.yaml", &format!("{SITE}{TEAMS}"));
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    let changed = TEAMS.replace("active: true", "active: false");
    env.write(
        "c/base.yaml",
        &format!(
            "{SITE}  - {{name: Denver, active: true, multimediaProfileId: Default Multimedia Profile}}\n{changed}"
        ),
    );
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    let blue = env.live_named("team", "Blue")["id"]
        .as_str()
        .expect("an id")
        .to_string();
    let sent_before = env.client_requests().len();
    // Not confirmed (no terminal): the undo is planned, shown and not applied.
    let undo = env.wxcc(&["undo"]).expect(1);
    contains_all(
        &undo.stdout,
        &["~ update team \"Blue\"", "- delete site \"Denver\""],
    );
    let read_blue = env.client_requests()[sent_before..].iter().any(|r| {
        r["method"] == "GET"
            && r["path"]
                .as_str()
                .is_some_and(|p| p.ends_with(&format!("/{blue}")))
    });
    assert!(!read_blue, "team Blue was read by item");
}

/// Undo walks back through a later delete and the undo of it: the layout a later apply
/// deleted, and whose undo created it again (under a new id, naming the team again), is
/// found by its key, read whole and deleted before the team it names.
#[test]
fn undo_of_an_apply_whose_layout_a_later_undo_recreated_deletes_it_first() {
    let env = Env::new();
    env.write("c/base.yaml", &format!("{SITE}{TEAMS}"));
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    env.write("c/base.yaml", &format!("{SITE}{TEAMS}{GREEN}"));
    env.write("c/layout.yaml", &layout_naming("Green"));
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    let created = journals(&env).pop().expect("the journal of the apply");
    let first_id = env.live_named("desktop-layout", "Layout")["id"].clone();
    std::fs::remove_file(env.path().join("c/layout.yaml")).expect("remove");
    env.wxcc(&[
        "apply",
        "c",
        "--delete",
        "desktop-layout",
        "--max-delete-percent",
        "100",
        "--auto-approve",
    ])
    .expect(0);
    env.wxcc(&["undo", "--auto-approve"]).expect(0);
    let layout = env.live_named("desktop-layout", "Layout");
    assert_ne!(layout["id"], first_id, "created again under a new id");
    assert_eq!(
        layout["teamIds"],
        json!([env.live_named("team", "Green")["id"]])
    );
    let path = created.to_str().expect("a path");
    let undo = env.wxcc(&["undo", path, "--auto-approve"]).expect(0);
    planned_in_order(
        &undo.stdout,
        "- delete desktop-layout \"Layout\"",
        "- delete team \"Green\"",
    );
    contains_all(
        &undo.stdout,
        &["Apply complete: 0 created, 0 updated, 2 deleted."],
    );
    assert!(!names(&env, "team").iter().any(|n| n == "Green"));
}

/// Undo's deletes are checked through the incoming-references route, which sees what
/// list rows hide: a layout a later apply made names the team the undone apply created,
/// in `teamIds`, which layout list rows leave out. The undo is refused naming the layout,
/// and nothing is written.
#[test]
fn undo_refuses_to_delete_a_team_a_later_layout_names_in_a_field_its_rows_hide() {
    let env = Env::new();
    env.write("c/base.yaml", &format!("{SITE}{TEAMS}"));
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    env.write("c/base.yaml", &format!("{SITE}{TEAMS}{GREEN}"));
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    let created = journals(&env).pop().expect("the journal of the apply");
    env.write("c/layout.yaml", &layout_naming("Green"));
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    let writes = env.writes();
    let path = created.to_str().expect("a path");
    let run = env.wxcc(&["undo", path, "--auto-approve"]).expect(1);
    contains_all(
        &run.stderr,
        &[
            "team `Green` would be deleted, but 1 still points at it: desktop-layout `Layout` (not in the config)",
        ],
    );
    assert_eq!(env.writes(), writes, "nothing was written");
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

/// Asserts that the plan in `stdout` holds `first` and `then`, in that order.
fn planned_in_order(stdout: &str, first: &str, then: &str) {
    let (a, b) = (stdout.find(first), stdout.find(then));
    assert!(
        a.is_some() && b.is_some() && a < b,
        "`{first}` is planned before `{then}`:\n{stdout}"
    );
}

/// Asserts that team Blue is live and team Green is not.
fn blue_is_left_and_green_gone(env: &Env) {
    let teams = names(env, "team");
    assert!(
        teams.iter().any(|n| n == "Blue") && !teams.iter().any(|n| n == "Green"),
        "{teams:?}"
    );
}

/// Objects deleted since the apply, outside wxcc: one the apply created is already as it
/// was before it (nothing to undo for it, said in a note); one the apply updated cannot get
/// its fields back, and the undo is refused naming it. A journal whose changes all went
/// through draws no note about unfinished changes.
#[test]
fn undo_of_objects_deleted_since_is_nothing_for_a_create_and_refused_for_an_update() {
    let env = Env::new();
    env.write("v1/c.yaml", V1);
    env.wxcc(&["apply", "v1", "--auto-approve"]).expect(0);
    let with_denver = V1.replace(
        "description: one}",
        "description: two}\n  - {name: Denver, active: true, multimediaProfileId: Default Multimedia Profile}",
    );
    env.write("v2/c.yaml", &with_denver);
    env.wxcc(&["apply", "v2", "--auto-approve"]).expect(0);
    let delete_site = |name: &str| {
        let id = env.live_named("site", name)["id"]
            .as_str()
            .expect("an id")
            .to_string();
        let (status, body) = env.api("DELETE", &env.org_path(&format!("site/{id}")), None);
        assert!((200..300).contains(&status), "{status} {body}");
    };
    delete_site("Denver");
    let undo = env.wxcc(&["undo", "--auto-approve"]).expect(0);
    contains_all(
        &undo.stdout,
        &[
            "~ update site \"Austin\"",
            "Apply complete: 0 created, 1 updated, 0 deleted.",
        ],
    );
    contains_all(
        &undo.stderr,
        &["note: site `Denver` is already as it was before the apply"],
    );
    assert!(!undo.stderr.contains("not finished"), "{}", undo.stderr);

    env.write(
        "v3/c.yaml",
        &V1.replace("description: one}", "description: three}"),
    );
    env.wxcc(&["apply", "v3", "--auto-approve"]).expect(0);
    delete_site("Austin");
    let writes = env.writes();
    let refused = env.wxcc(&["undo", "--auto-approve"]).expect(1);
    contains_all(
        &refused.stderr,
        &["site `Austin` was deleted since that apply changed it; undo cannot restore its fields"],
    );
    assert_eq!(env.writes(), writes, "nothing was written");
}

/// An apply whose every change failed changed nothing: `wxcc undo` passes over its journal
/// to the apply before it, and, named, says there is nothing to undo and sends nothing
/// (kills `apply/journal.rs`: `Journal::did_anything` → `true`, which picks the failed
/// apply's journal and plans an empty undo of it).
#[test]
fn undo_passes_over_an_apply_that_changed_nothing() {
    let env = Env::new();
    env.write("v1/c.yaml", V1).write(
        "v2/c.yaml",
        &V1.replace("description: one", "description: two"),
    );
    env.wxcc(&["apply", "v1", "--auto-approve"]).expect(0);
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "PUT", "pathContains": "/site/", "status": 400})),
    );
    let failed = env.wxcc(&["apply", "v2", "--auto-approve"]).expect(1);
    contains_all(&failed.stdout, &["✗ failed to update site \"Austin\""]);
    env.admin("DELETE", "/faults", None);
    let files = journals(&env);
    assert_eq!(files.len(), 2, "{files:?}");
    let name = files[1]
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .expect("a file name");
    let failed_journal = format!(".wxcc/journal/{name}");
    let first = files[0]
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .expect("a file name");
    let writes = env.writes();
    let named = env
        .wxcc(&["undo", &failed_journal, "--auto-approve"])
        .expect(0);
    assert_eq!(
        named.stdout,
        format!("Nothing to undo: the apply in {failed_journal} changed nothing.\n")
    );
    assert_eq!(env.writes(), writes, "nothing sent");
    let undo = env.wxcc(&["undo", "--auto-approve"]).expect(0);
    contains_all(
        &undo.stdout,
        &[
            &format!("Undo of the apply in .wxcc/journal/{first}"),
            "Plan: 0 to create, 0 to update, 3 to delete.",
            "Apply complete: 0 created, 0 updated, 3 deleted.",
        ],
    );
    assert!(
        !names(&env, "site")
            .iter()
            .any(|n| n == "Austin" || n == "Boston")
    );
}

/// A site the apply deleted that someone created again since (the same name, a new id) is
/// not created a second time: the undo is refused naming it, and nothing is written (kills
/// `apply/undo.rs`: `!=` made `==` in `undo_delete`, which never saw the new one and sent
/// a second create).
#[test]
fn undo_of_a_delete_whose_name_came_back_is_refused_naming_it() {
    let env = Env::new();
    let austin = "  - {name: Austin, active: true, multimediaProfileId: Default Multimedia Profile, description: one}\n";
    env.write("v1/c.yaml", V1)
        .write("v2/c.yaml", &V1.replace(austin, ""));
    env.wxcc(&["apply", "v1", "--auto-approve"]).expect(0);
    let profile = env.live_named("site", "Austin")["multimediaProfileId"].clone();
    let deleted = env
        .wxcc(&["apply", "v2", "--delete", "site", "--auto-approve"])
        .expect(0);
    contains_all(&deleted.stdout, &["0 created, 0 updated, 1 deleted"]);
    let (status, body) = env.api(
        "POST",
        &env.org_path("site"),
        Some(json!({"name": "Austin", "active": true, "multimediaProfileId": profile})),
    );
    assert!((200..300).contains(&status), "{status} {body}");
    let writes = env.writes();
    let refused = env.wxcc(&["undo", "--auto-approve"]).expect(1);
    contains_all(
        &refused.stderr,
        &[
            "site `Austin` was created again since that apply deleted it; undo will not create a second one",
        ],
    );
    assert_eq!(env.writes(), writes, "refused before any write");
    let austins = env
        .live("site")
        .into_iter()
        .filter(|s| s["name"] == "Austin")
        .count();
    assert_eq!(austins, 1);
}

/// The same for a team whose name holds a `/`: undo finds the one created since by the
/// deleted team's name, not by the part after the `/` (which its key would give).
#[test]
fn undo_of_a_deleted_team_whose_slashed_name_came_back_is_refused_naming_it() {
    let env = Env::new();
    let v1 = V1.replace("name: Tier 1", "name: Night/Weekend");
    let team = "  - {name: Night/Weekend, siteId: Boston, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n";
    env.write("v1/c.yaml", &v1)
        .write("v2/c.yaml", &v1.replace(team, ""));
    env.wxcc(&["apply", "v1", "--auto-approve"]).expect(0);
    let boston = env.live_named("site", "Boston")["id"].clone();
    let deleted = env
        .wxcc(&["apply", "v2", "--delete", "team", "--auto-approve"])
        .expect(0);
    contains_all(&deleted.stdout, &["0 created, 0 updated, 1 deleted"]);
    let (status, body) = env.api(
        "POST",
        &env.org_path("team"),
        Some(json!({"name": "Night/Weekend", "siteId": boston, "teamType": "AGENT", "teamStatus": "IN_SERVICE", "active": true})),
    );
    assert!((200..300).contains(&status), "{status} {body}");
    let writes = env.writes();
    let refused = env.wxcc(&["undo", "--auto-approve"]).expect(1);
    contains_all(
        &refused.stderr,
        &[
            "team `Night/Weekend` was created again since that apply deleted it; undo will not create a second one",
        ],
    );
    assert_eq!(env.writes(), writes, "refused before any write");
    assert_eq!(
        env.live("team")
            .iter()
            .filter(|t| t["name"] == "Night/Weekend")
            .count(),
        1
    );
}
