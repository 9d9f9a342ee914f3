//! CSV files as desired state: header and cell diagnostics at `file:line:col`, files as
//! spreadsheets write them, YAML and CSV mixed, reference cells holding keys or live ids,
//! and the lab's sites file. Bad input exits 1 with nothing sent.

use crate::harness::{Env, contains_all, refused, refused_at_plan};

const MMP: &str = "Default Multimedia Profile";

fn count(text: &str, part: &str) -> usize {
    text.matches(part).count()
}

#[test]
fn csv_header_problems_are_reported_once_not_per_row() {
    let env = Env::new();
    env.write(
        "site.csv",
        &format!("name,actve,multimediaProfileId,name,id\nA,true,{MMP},A,x\nB,true,{MMP},B,y\nC,true,{MMP},C,z\n"),
    );
    let err = refused(&env, "site.csv");
    contains_all(
        &err,
        &[
            "× unknown column `actve` for a site",
            "[site.csv:1:6]",
            "did you mean `active`?",
            "× column `name` appears twice",
            "[site.csv:1:32]",
            "× column `id` is a field the server owns",
            "× this site CSV lacks the required column `active`",
        ],
    );
    assert_eq!(count(&err, "unknown column"), 1, "{err}");
    assert_eq!(count(&err, "appears twice"), 1, "{err}");
    assert_eq!(count(&err, "lacks the required column"), 1, "{err}");
    // The rows are not made objects, so no row repeats the missing column.
    assert_eq!(count(&err, "missing the required field"), 0, "{err}");
}

#[test]
fn csv_cell_problems_are_all_reported_at_their_cell() {
    let env = Env::new();
    env.write(
        "cfg/multimedia-profile.csv",
        "name,active,blendingModeEnabled,blendingMode,telephony,chat,email,social,manuallyAssignable.telephony\n\
         Voice,true,false,EXCLUSIVE,1,0,0,0,one\n",
    );
    env.write(
        "cfg/site.csv",
        "name,active,multimediaProfileId,description\n\
         Chicago,yes,Voice,HQ\n\
         Dal/las,true,Voice,\n\
         Austin,true,Voice\n",
    );
    let err = refused(&env, "cfg");
    contains_all(
        &err,
        &[
            "× `manuallyAssignable.telephony` of a multimedia-profile takes a whole number; found `one`",
            "[cfg/multimedia-profile.csv:2:36]",
            "× `active` of a site takes true or false; found `yes`",
            "[cfg/site.csv:2:9]",
            "× `name` contains characters the API refuses",
            "[cfg/site.csv:3:1]",
            "× this row has 3 cells but the header has 4",
            "[cfg/site.csv:4:1]",
            "error: the config is not valid (4 errors",
        ],
    );
    // The row shown with the cell underlined.
    contains_all(&err, &["2 │ Chicago,yes,Voice,HQ\n   ·         ─┬─\n"]);
}

/// A row with too few cells is underlined from its first cell to its last, and no further
/// (kills `config/csv_format/read.rs`: `- a.offset` made `+ a.offset` in `row_span`, which
/// ran the underline past the row by twice the row's offset, to the end of the file).
#[test]
fn a_short_row_is_underlined_from_its_first_cell_to_its_last() {
    let env = Env::new();
    env.write(
        "cfg/site.csv",
        &format!(
            "name,active,multimediaProfileId,description\nChicago,true,{MMP},HQ\nAustin,true,{MMP}\n"
        ),
    );
    let err = refused(&env, "cfg");
    let row = format!("Austin,true,{MMP}");
    let width = row.chars().count();
    let underline = format!(
        "{}┬{}",
        "─".repeat(width / 2),
        "─".repeat(width - width / 2 - 1)
    );
    contains_all(
        &err,
        &[
            "× this row has 3 cells but the header has 4",
            "[cfg/site.csv:3:1]",
            &format!(" 3 │ {row}\n   · {underline}\n"),
        ],
    );
}

#[test]
fn csv_and_yaml_mix_and_a_key_in_both_is_a_duplicate_showing_both() {
    let env = Env::new();
    env.write(
        "cfg/sites.yaml",
        &format!("site:\n  - name: Chicago\n    active: true\n    multimediaProfileId: {MMP}\n"),
    );
    env.write(
        "cfg/site.more.csv",
        &format!("name,active,multimediaProfileId\nDallas,true,{MMP}\nchicago,true,{MMP}\n"),
    );
    let err = refused(&env, "cfg");
    contains_all(
        &err,
        &[
            // Files are read in name order: site.more.csv before sites.yaml.
            "site `Chicago` differs only in case from site `chicago`",
            "[cfg/sites.yaml:2:11]",
            "[cfg/site.more.csv:3:1]",
            "first defined here",
        ],
    );
    // Without the duplicate: YAML and CSV objects of one kind, and a YAML team that names
    // a CSV site, plan and apply together.
    env.write(
        "cfg/site.more.csv",
        &format!("name,active,multimediaProfileId\nDallas,true,{MMP}\n"),
    );
    env.write(
        "cfg/teams.yaml",
        "team:\n  - name: Tier 1\n    siteId: Dallas\n    teamType: AGENT\n    teamStatus: IN_SERVICE\n    active: true\n    rankQueuesForTeam: false\n",
    );
    let plan = env.wxcc(&["plan", "cfg"]).expect(0);
    contains_all(
        &plan.stdout,
        &[
            "+ create site \"Chicago\"",
            "+ create site \"Dallas\"",
            "+ create team \"Tier 1\"",
            "Plan: 3 to create",
        ],
    );
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    let dallas = env.live_named("site", "Dallas");
    assert_eq!(env.live_named("team", "Tier 1")["siteId"], dallas["id"]);
    let again = env.wxcc(&["plan", "cfg"]).expect(0);
    assert_eq!(again.stdout.trim(), "No changes.");
}

#[test]
fn csv_reference_cells_take_keys_or_live_ids_and_the_plan_shows_keys() {
    let env = Env::new();
    let mmp_id = env.live_named("multimedia-profile", MMP)["id"]
        .as_str()
        .expect("id")
        .to_string();
    // The lab's three columns, the profile given by its live id.
    env.write(
        "lab-sites.csv",
        &format!("name,active,multimediaProfileId\nChicago,true,{mmp_id}\n"),
    );
    let plan = env
        .wxcc(&["plan", "lab-sites.csv", "--kind", "site"])
        .expect(0);
    contains_all(
        &plan.stdout,
        &[
            &format!("multimediaProfileId:  \"{MMP}\""),
            "Plan: 1 to create",
        ],
    );
    assert!(!plan.stdout.contains(&mmp_id), "{}", plan.stdout);
    env.wxcc(&["apply", "lab-sites.csv", "--kind", "site", "--auto-approve"])
        .expect(0);
    assert_eq!(
        env.live_named("site", "Chicago")["multimediaProfileId"],
        mmp_id.as_str()
    );
    // By id or by key (or by the template's name column), the same desired state.
    let again = env
        .wxcc(&["plan", "lab-sites.csv", "--kind", "site"])
        .expect(0);
    assert_eq!(again.stdout.trim(), "No changes.");
    env.write(
        "site.csv",
        &format!("name,active,multimediaProfileName\nChicago,true,{MMP}\n"),
    );
    assert_eq!(
        env.wxcc(&["plan", "site.csv"]).expect(0).stdout.trim(),
        "No changes."
    );
    // An id that matches nothing is a plan error at its cell, and nothing is written.
    env.write(
        "lab-sites.csv",
        &format!(
            "name,active,multimediaProfileId\nChicago,true,{mmp_id}\nDallas,true,00000000-0000-4000-8000-000000000000\n"
        ),
    );
    refused_at_plan(
        &env,
        &["lab-sites.csv", "--kind", "site"],
        &[
            "no multimedia-profile `00000000-0000-4000-8000-000000000000`",
            "[lab-sites.csv:3:13]",
        ],
    );
}

#[test]
fn csv_as_spreadsheets_write_it_bom_crlf_quotes_newlines_blank_rows() {
    let env = Env::new();
    let text = format!(
        "\u{feff}name,active,multimediaProfileId,description\r\n\
         Chicago,TRUE,{MMP},\"HQ, \"\"main\"\" floor\r\nsecond line\"\r\n\
         Dallas,false,{MMP},\r\n\
         ,,,\r\n,,,\r\n"
    );
    env.write("site.csv", &text);
    env.wxcc(&["validate", "site.csv"]).expect(0);
    env.wxcc(&["apply", "site.csv", "--auto-approve"]).expect(0);
    let chicago = env.live_named("site", "Chicago");
    assert_eq!(chicago["description"], "HQ, \"main\" floor\r\nsecond line");
    assert_eq!(chicago["active"], true);
    assert_eq!(env.live_named("site", "Dallas")["active"], false);
    assert_eq!(env.live("site").len(), 3, "the default site and two rows");
    assert_eq!(
        env.wxcc(&["plan", "site.csv"]).expect(0).stdout.trim(),
        "No changes."
    );
}

#[test]
fn csv_empty_cell_leaves_a_field_and_quoted_empty_declares_an_empty_string() {
    let env = Env::new();
    env.write(
        "site.csv",
        &format!("name,active,multimediaProfileId,description\nChicago,true,{MMP},HQ\n"),
    );
    env.wxcc(&["apply", "site.csv", "--auto-approve"]).expect(0);
    env.write(
        "site.csv",
        &format!("name,active,multimediaProfileId,description\nChicago,true,{MMP},\n"),
    );
    assert_eq!(
        env.wxcc(&["plan", "site.csv"]).expect(0).stdout.trim(),
        "No changes."
    );
    env.write(
        "site.csv",
        &format!("name,active,multimediaProfileId,description\nChicago,true,{MMP},\"\"\n"),
    );
    let plan = env.wxcc(&["plan", "site.csv"]).expect(0);
    contains_all(
        &plan.stdout,
        &["~ update site \"Chicago\"", "\"HQ\" → \"\""],
    );
    env.wxcc(&["apply", "site.csv", "--auto-approve"]).expect(0);
    assert_eq!(env.live_named("site", "Chicago")["description"], "");
}

/// A quoted empty cell in a column that takes no text is refused, saying what the column
/// takes (kills `config/csv_format/columns.rs`: `Shape::describe` made `""`, which leaves
/// the message saying it takes nothing).
#[test]
fn csv_quoted_empty_in_a_boolean_column_says_what_the_column_takes() {
    let env = Env::new();
    env.write(
        "site.csv",
        &format!("name,active,multimediaProfileId,description\nChicago,\"\",{MMP},HQ\n"),
    );
    let err = refused(&env, "site.csv");
    contains_all(
        &err,
        &[
            "× `\"\"` declares an empty value, but `active` takes true or false",
            "[site.csv:2:9]",
            "leave the cell empty (no quotes) to leave the field as the tenant has it",
        ],
    );
}

#[test]
fn csv_lists_dotted_fields_and_json_cells_reach_the_api() {
    let env = Env::new();
    env.write(
        "cfg/multimedia-profile.csv",
        "name,active,blendingModeEnabled,blendingMode,telephony,chat,email,social,manuallyAssignable.telephony,manuallyAssignable.chat,manuallyAssignable.email,manuallyAssignable.social\n\
         Voice,true,false,EXCLUSIVE,1,0,0,0,1,0,0,0\n",
    );
    env.write(
        "cfg/auxiliary-code.csv",
        "name,active,defaultCode,workTypeCode,workTypeName\nLunch,true,false,IDLE_CODE,Default Idle Work Type\n",
    );
    env.write(
        "cfg/skill.csv",
        "name,serviceLevelThreshold,skillType,active,enumSkillValues\n\
         Language,30,ENUM,true,\"[{\"\"name\"\": \"\"English\"\"}, {\"\"name\"\": \"\"French\"\"}]\"\n",
    );
    let run = env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    contains_all(&run.stdout, &["Apply complete: 3 created"]);
    assert_eq!(
        env.live_named("multimedia-profile", "Voice")["manuallyAssignable"]["telephony"],
        1
    );
    let values: Vec<String> = env.live_named("skill", "Language")["enumSkillValues"]
        .as_array()
        .expect("values")
        .iter()
        .filter_map(|v| v["name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(values, ["English", "French"]);
    assert_eq!(
        env.wxcc(&["plan", "cfg"]).expect(0).stdout.trim(),
        "No changes."
    );
}

#[test]
fn csv_not_utf8_is_refused_naming_the_row_and_how_to_resave() {
    let env = Env::new();
    let mut bytes = format!("name,active,multimediaProfileId\nChicago,true,{MMP}\nZ").into_bytes();
    bytes.extend_from_slice(b"\xfcrich,true,Default Multimedia Profile\n");
    std::fs::write(env.path().join("site.csv"), bytes).expect("write");
    let err = refused(&env, "site.csv");
    contains_all(
        &err,
        &[
            "is not UTF-8",
            "[site.csv:3:2]",
            "Windows-1252",
            "re-save site.csv with the encoding \"UTF-8\"",
        ],
    );
}

#[test]
fn csv_kind_comes_from_the_name_or_kind_flag() {
    let env = Env::new();
    env.write(
        "lab.csv",
        &format!("name,active,multimediaProfileId\nA,true,{MMP}\n"),
    );
    let err = env.wxcc(&["validate", "lab.csv"]).expect(1).stderr;
    contains_all(
        &err,
        &["cannot tell which kind lab.csv holds", "--kind KIND"],
    );
    let err = env
        .wxcc(&["validate", "lab.csv", "--kind", "sitee"])
        .expect(1)
        .stderr;
    contains_all(&err, &["unknown kind `sitee`", "did you mean `site`?"]);
    env.write(
        "cfg/sites.csv",
        &format!("name,active,multimediaProfileId\nA,true,{MMP}\n"),
    );
    let err = env.wxcc(&["plan", "cfg"]).expect(1).stderr;
    contains_all(&err, &["did you mean `site.csv`?"]);
    let err = env
        .wxcc(&["plan", "cfg", "--kind", "site"])
        .expect(1)
        .stderr;
    contains_all(&err, &["--kind names the kind of a lone CSV file"]);
    assert_eq!(env.total_requests(), 0);
    let ok = env
        .wxcc(&["validate", "lab.csv", "--kind", "site"])
        .expect(0);
    contains_all(&ok.stdout, &["lab.csv is valid: 1 object in 1 file."]);
}

#[test]
fn kind_flag_on_a_yaml_file_or_a_folder_named_like_csv_is_refused() {
    let env = Env::new();
    env.write(
        "sites.yaml",
        &format!("site:\n  - name: A\n    active: true\n    multimediaProfileId: {MMP}\n"),
    );
    env.write(
        "more.csv/site.csv",
        &format!("name,active,multimediaProfileId\nB,true,{MMP}\n"),
    );
    // Each is a config `validate` reads without the flag.
    env.wxcc(&["validate", "sites.yaml"]).expect(0);
    env.wxcc(&["validate", "more.csv"]).expect(0);
    for target in ["sites.yaml", "more.csv"] {
        let err = env
            .wxcc(&["validate", target, "--kind", "site"])
            .expect(1)
            .stderr;
        contains_all(
            &err,
            &[
                "--kind site: --kind names the kind of a lone CSV file, and ",
                &format!("{target} is not one"),
            ],
        );
    }
    assert_eq!(env.total_requests(), 0);
}

#[test]
fn the_labs_sites_file_example_applies_in_one_run_and_plans_clean() {
    let env = Env::new();
    let dir = env.copy_example("csv");
    let path = dir.to_string_lossy().to_string();
    let before = env.writes();
    let run = env.wxcc(&["apply", &path, "--auto-approve"]).expect(0);
    contains_all(
        &run.stdout,
        &["Apply complete: 4 created, 0 updated, 0 deleted."],
    );
    assert!(env.writes() > before);
    for name in ["Austin", "Boston", "Denver", "Seattle"] {
        env.live_named("site", name);
    }
    assert_eq!(env.live_named("site", "Seattle")["active"], false);
    assert_eq!(
        env.wxcc(&["plan", &path]).expect(0).stdout.trim(),
        "No changes."
    );
}
