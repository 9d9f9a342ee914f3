//! Every class of bad input: the message, the place (file:line:col), exit status 1, and
//! not one request reaching the emulator.

use crate::harness::{Env, contains_all, refused, refused_at_plan};

const MMP: &str = "multimedia-profile:\n  - name: Voice\n    active: true\n    blendingModeEnabled: false\n    blendingMode: EXCLUSIVE\n    telephony: 1\n    chat: 0\n    email: 0\n    social: 0\n    manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}\n";

#[test]
fn yaml_syntax_error() {
    let env = Env::new();
    env.write("c.yaml", "site:\n  - name: [Chicago\n    active: true\n");
    let err = refused(&env, "c.yaml");
    contains_all(&err, &["YAML syntax error", "[c.yaml:"]);
}

#[test]
fn unknown_kind_with_did_you_mean() {
    let env = Env::new();
    env.write("c.yaml", "sites:\n  - name: Chicago\n");
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× unknown kind `sites`",
            "[c.yaml:1:1]",
            "not a kind",
            "did you mean `site`?",
        ],
    );
}

#[test]
fn unknown_field_with_did_you_mean() {
    let env = Env::new();
    env.write("c.yaml", &format!("{MMP}site:\n  - name: Chicago\n    active: true\n    multimediaProfileId: Voice\n    descripton: HQ\n"));
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× unknown field `descripton` in a site",
            "[c.yaml:15:5]",
            "did you mean `description`?",
        ],
    );
}

#[test]
fn an_unknown_field_inside_a_list_entry_is_told_the_fields_the_entry_takes() {
    let env = Env::new();
    // A profile's collection entries take only `id` (a reference, though the server sets
    // `id` elsewhere), and a site's top-level fields are named by the site's DTO.
    env.write(
        "c.yaml",
        &format!("{MMP}user-profile:\n  - name: Sup\n    active: true\n    profileType: SUPERVISOR\n    permissionAccessLevel: ALL\n    resourceAccessLevel: SPECIFIC\n    resourceCollections:\n      - {{bogus: 1}}\nsite:\n  - {{name: Chicago, active: true, multimediaProfileId: Voice, zzz: 1}}\n"),
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× unknown field `bogus` in `resourceCollections[0]`",
            "help: fields of `resourceCollections[0]`: id\n",
            "× unknown field `zzz` in a site",
            "help: fields of SiteDTO: ",
        ],
    );
    assert!(
        !err.contains("fields of UserProfileGranularAccessDTO"),
        "{err}"
    );
}

#[test]
fn wrong_type() {
    let env = Env::new();
    env.write(
        "c.yaml",
        &format!(
            "{MMP}site:\n  - name: Chicago\n    active: yes\n    multimediaProfileId: Voice\n"
        ),
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `active` must be true or false, not a string",
            "[c.yaml:13:13]",
            "write true or false",
        ],
    );
}

#[test]
fn missing_required_field() {
    let env = Env::new();
    env.write(
        "c.yaml",
        &format!("{MMP}site:\n  - name: Chicago\n    multimediaProfileId: Voice\n"),
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× site `Chicago` is missing the required field `active`",
            "[c.yaml:12:11]",
            "add `active:` (true or false); SiteDTO says it is required",
        ],
    );
}

#[test]
fn enum_violation() {
    let env = Env::new();
    env.write("c.yaml", "team:\n  - name: T1\n    siteId: Site-1\n    teamType: AGENTS\n    teamStatus: IN_SERVICE\n    active: true\n    rankQueuesForTeam: false\n");
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `teamType` has a value the API does not accept",
            "[c.yaml:4:15]",
            "did you mean `AGENT`? allowed: AGENT, CAPACITY",
        ],
    );
}

#[test]
fn length_violation() {
    let env = Env::new();
    let long = "A".repeat(81);
    env.write(
        "c.yaml",
        &format!(
            "{MMP}site:\n  - name: {long}\n    active: true\n    multimediaProfileId: Voice\n"
        ),
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `name` is too long (81 characters)",
            "[c.yaml:12:11]",
            "use at most 80 characters",
        ],
    );
}

#[test]
fn pattern_violation_says_which_characters_are_allowed() {
    let env = Env::new();
    env.write(
        "c.yaml",
        &format!(
            "{MMP}site:\n  - name: Chicago/HQ\n    active: true\n    multimediaProfileId: Voice\n"
        ),
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `name` contains characters the API refuses",
            "[c.yaml:12:11]",
            "only letters, digits, spaces, `-` and `_` are allowed in `name`",
        ],
    );
}

#[test]
fn server_owned_fields() {
    let env = Env::new();
    env.write("c.yaml", &format!("{MMP}site:\n  - name: Chicago\n    id: 5f1c\n    version: 3\n    active: true\n    multimediaProfileId: Voice\n"));
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `id` is set by the server and cannot be written",
            "[c.yaml:13:5]",
            "× `version` is set by the server",
            "[c.yaml:14:5]",
        ],
    );
}

#[test]
fn duplicate_key_shows_both_places_across_files() {
    let env = Env::new();
    env.write(
        "cfg/a.yaml",
        &format!(
            "{MMP}site:\n  - name: Chicago\n    active: true\n    multimediaProfileId: Voice\n"
        ),
    );
    env.write(
        "cfg/b.yaml",
        "site:\n  - name: Chicago\n    active: false\n    multimediaProfileId: Voice\n",
    );
    let err = refused(&env, "cfg");
    contains_all(
        &err,
        &[
            "× site `Chicago` is defined twice",
            "[cfg/b.yaml:2:11]",
            "defined again here",
            "[cfg/a.yaml:12:11]",
            "first defined here",
        ],
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let env = Env::new();
    env.write("c.yaml", "sites: []\nsite:\n  - name: A/B\n    active: maybe\n    multimediaProfileId: Voice\n    colour: red\n");
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "unknown kind `sites`",
            "`name` contains characters",
            "`active` must be true or false",
            "unknown field `colour`",
            "4 errors, 1 warning",
        ],
    );
}

#[test]
fn a_dangling_reference_warns_offline_and_fails_the_plan() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "site:\n  - name: Chicago\n    active: true\n    multimediaProfileId: Nowhere\n",
    );
    let validate = env.wxcc(&["validate", "c.yaml"]).expect(0);
    contains_all(
        &validate.stderr,
        &[
            "⚠ `multimediaProfileId` names multimedia-profile `Nowhere`, which this config does not define",
            "[c.yaml:4:26]",
            "plan checks",
        ],
    );
    let plan = env.wxcc(&["plan", "c.yaml"]).expect(1);
    contains_all(
        &plan.stderr,
        &[
            "× no multimedia-profile `Nowhere` in the config or the tenant",
            "[c.yaml:4:26]",
            "cannot plan (1 error, 0 warnings); nothing was sent to the tenant",
        ],
    );
    let apply = env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(1);
    contains_all(&apply.stderr, &["no multimedia-profile `Nowhere`"]);
    assert_eq!(env.writes(), 0, "plan-time errors write nothing");
}

#[test]
fn a_reference_to_a_live_object_resolves() {
    let env = Env::new();
    env.write("c.yaml", "team:\n  - name: Night Shift\n    siteId: Site-1\n    teamType: AGENT\n    teamStatus: IN_SERVICE\n    active: true\n    rankQueuesForTeam: false\n");
    env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(0);
    let site = env.live_named("site", "Site-1");
    assert_eq!(env.live_named("team", "Night Shift")["siteId"], site["id"]);
}

#[test]
fn changing_an_immutable_field_is_a_plan_conflict() {
    let env = Env::new();
    let team = "team:\n  - name: Night Shift\n    siteId: Site-1\n    teamType: AGENT\n    teamStatus: IN_SERVICE\n    active: true\n    rankQueuesForTeam: false\n";
    env.write("c.yaml", team);
    env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(0);
    env.write(
        "c.yaml",
        &team.replace("teamType: AGENT", "teamType: CAPACITY"),
    );
    refused_at_plan(
        &env,
        &["c.yaml"],
        &[
            "× `teamType` of team `Night Shift` cannot change once created (live: \"AGENT\")",
            "[c.yaml:4:5]",
            "set it back to \"AGENT\"",
        ],
    );
    assert_eq!(env.live_named("team", "Night Shift")["teamType"], "AGENT");
}

#[test]
fn a_missing_path_is_a_clear_error() {
    let env = Env::new();
    let run = env.wxcc(&["validate", "nope.yaml"]).expect(1);
    contains_all(&run.stderr, &["error: cannot read nope.yaml"]);
}

#[test]
fn a_missing_token_is_a_clear_error_before_any_request() {
    let env = Env::new();
    env.write("c.yaml", "site: []\n");
    let run = env
        .wxcc_bare(&["plan", "c.yaml", "--base-url", &env.url])
        .expect(1);
    contains_all(&run.stderr, &["no credentials"]);
    let run = env
        .wxcc_bare(&["plan", "c.yaml", "--base-url", "http://example.com"])
        .expect(1);
    contains_all(&run.stderr, &["uses plain http; use https"]);
    assert_eq!(env.total_requests(), 0);
}

#[test]
fn an_entry_listed_twice_in_a_keyed_list() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "skill-profile:\n  - name: P\n    activeSkills:\n      - {skillId: Billing, proficiencyValue: 5}\n      - {skillId: Billing, proficiencyValue: 7}\n",
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `activeSkills` lists `Billing` twice",
            "[c.yaml:5:19]",
            "first listed here",
            "merge the two entries",
        ],
    );
}

#[test]
fn a_name_that_differs_only_in_case_from_a_live_one_is_a_plan_error() {
    let env = Env::new();
    env.write("c.yaml", "site:\n  - {name: site-1, active: true, multimediaProfileId: Default Multimedia Profile}\n");
    refused_at_plan(
        &env,
        &["c.yaml"],
        &[
            "× site `site-1` differs only in case from live site `Site-1`",
            "[c.yaml:2:12]",
            "formerNames",
        ],
    );
}

/// A quoted `"true"` is text: the help says to drop the quotes, not the yes/no/on/off note
/// (kills `config/validate.rs`: the yes/no/on/off guard of `type_help` made always true).
#[test]
fn a_quoted_boolean_is_told_to_lose_its_quotes() {
    let env = Env::new();
    env.write(
        "c.yaml",
        &format!(
            "{MMP}site:\n  - name: Chicago\n    active: \"true\"\n    multimediaProfileId: Voice\n"
        ),
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `active` must be true or false, not a string",
            "[c.yaml:13:13]",
            "write true or false without quotes",
        ],
    );
    assert!(!err.contains("yes/no/on/off"), "{err}");
}

/// A number where the API takes text is told to quote it: an unquoted `2024` is a number
/// in YAML (kills `config/validate.rs`: the number-or-boolean arm of `type_help` deleted,
/// which leaves the bare "write text").
#[test]
fn an_unquoted_number_where_text_is_expected_is_told_to_quote_it() {
    let env = Env::new();
    env.write(
        "c.yaml",
        &format!(
            "{MMP}site:\n  - name: Chicago\n    active: true\n    multimediaProfileId: Voice\n    description: 2024\n"
        ),
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `description` must be text, not a number",
            "[c.yaml:15:18]",
            "quote the value to make it text, e.g. \"123\"",
        ],
    );
}

/// A whole number under the schema's `minimum` says so, with the bound (kills
/// `config/validate.rs`: the `Minimum` arm of `validate_body` deleted).
#[test]
fn a_number_below_the_schema_minimum_is_too_small() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "skill:\n  - {name: Billing, skillType: PROFICIENCY, serviceLevelThreshold: 60, active: true}\nskill-profile:\n  - name: Juniors\n    activeSkills:\n      - {skillId: Billing, proficiencyValue: -1}\n",
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "is too small",
            "[c.yaml:6:46]",
            "the API accepts at least 0",
        ],
    );
}

/// A number above the schema's `maximum` (a proficiency over 10) is too large, said with the
/// bound, at the value (kills `config/validate.rs`: the `Maximum` arm of `validate_body`
/// deleted, which fell through to the generic "is not valid" with the validator's text).
#[test]
fn a_number_above_the_schema_maximum_is_too_large() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "skill:\n  - {name: Billing, skillType: PROFICIENCY, serviceLevelThreshold: 60, active: true}\nskill-profile:\n  - name: Juniors\n    activeSkills:\n      - {skillId: Billing, proficiencyValue: 11}\n",
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `activeSkills[0].proficiencyValue` is too large\n",
            "[c.yaml:6:46]",
            "╰── too large",
            "help: the API accepts at most 10",
            "(1 error, 0 warnings)",
        ],
    );
    // At the bound it is fine.
    env.write(
        "edge.yaml",
        "skill:\n  - {name: Billing, skillType: PROFICIENCY, serviceLevelThreshold: 60, active: true}\nskill-profile:\n  - name: Juniors\n    activeSkills:\n      - {skillId: Billing, proficiencyValue: 10}\n",
    );
    env.wxcc(&["validate", "edge.yaml"]).expect(0);
}

/// A missing required field with a fixed set of values lists them in the help (kills
/// `config/validate.rs`: the `enum` guard of `describe_schema` made false, which called
/// it text).
#[test]
fn a_missing_enum_field_lists_its_values() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "team:\n  - name: T1\n    siteId: Site-1\n    teamStatus: IN_SERVICE\n    active: true\n    rankQueuesForTeam: false\n",
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× team `T1` is missing the required field `teamType`",
            "add `teamType:` (one of AGENT, CAPACITY)",
        ],
    );
}

/// A missing required reference says what it takes: the key of an object of its target
/// kind (kills `config/validate.rs`: the reference guard of `describe_schema` made false,
/// which called it text).
#[test]
fn a_missing_reference_field_asks_for_the_key_of_its_kind() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "team:\n  - name: T1\n    teamType: AGENT\n    teamStatus: IN_SERVICE\n    active: true\n    rankQueuesForTeam: false\n",
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× team `T1` is missing the required field `siteId`",
            "add `siteId:` (the key of a site)",
        ],
    );
}

/// A typo whose similarity score is low but whose edit distance is small still gets a
/// suggestion (kills `config/suggest.rs`: the edit-distance allowance `+ 1` made `- 1`).
#[test]
fn an_unknown_kind_one_letter_off_at_the_start_is_suggested() {
    let env = Env::new();
    env.write("c.yaml", "xite:\n  - name: Chicago\n");
    let err = refused(&env, "c.yaml");
    contains_all(&err, &["× unknown kind `xite`", "did you mean `site`?"]);
}

/// A syntax error on the line after one that ends in a multi-byte character is reported at
/// its place, with the help for the placeholder on its line (kills `config/load.rs`: the
/// start of the error's line taken as `i - 1` instead of `i + 1`, which cuts into the `é`
/// and panics).
#[test]
fn a_syntax_error_after_a_line_ending_in_an_accent_is_reported_with_the_lines_help() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "multimedia-profile:\n  - description: Café\n    name: @Voice-${var.ENV}\n",
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× YAML syntax error: unexpected character: `@'",
            "[c.yaml:3:11]",
            "quote a value holding a placeholder",
        ],
    );
}

#[test]
fn a_team_resource_of_a_collection_cannot_be_none() {
    let env = Env::new();
    let resources: Vec<String> = wxcc::catalogue::RESOURCE_TYPES
        .iter()
        .map(|n| {
            let level = if *n == "team" { "NONE" } else { "ALL" };
            format!("      - {{name: {n}, accessLevel: {level}}}\n")
        })
        .collect();
    env.write(
        "c.yaml",
        &format!(
            "resource-collection:\n  - name: Everything\n    description: all of it\n    resources:\n{}",
            resources.concat()
        ),
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "cannot be \"NONE\" here",
            "the `team` resources of a collection cannot be NONE",
        ],
    );
}

/// A rule over the whole object (the `anyOf` of a skill profile's two skill lists) or over a
/// list as a whole (the `contains` of a collection's resource types) is told as a rule the
/// object breaks, at the object's key or the list's field, with the rule's own note.
#[test]
fn a_rule_over_a_whole_object_or_list_is_told_as_a_rule_it_breaks() {
    let env = Env::new();
    let resources: Vec<String> = wxcc::catalogue::RESOURCE_TYPES
        .iter()
        .filter(|n| **n != "queue")
        .map(|n| format!("      - {{name: {n}, accessLevel: ALL}}\n"))
        .collect();
    let text = format!(
        "skill-profile:\n  - name: Empty\n    description: no skill at all\nresource-collection:\n  - name: Partial\n    description: no queues\n    resources:\n{}",
        resources.concat()
    );
    env.write("c.yaml", &text);
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× skill-profile `Empty` breaks a rule of SkillProfileDTO",
            &place(&text, "Empty"),
            "a skill profile needs at least one entry in `activeSkills` or `activeEnumSkills`",
            "× resource-collection `Partial` breaks a rule of ResourceCollectionDTO",
            &place(&text, "resources:"),
            "`resources` needs an entry for `queue`: a resource collection lists all twenty resource types",
        ],
    );
}

/// The `[c.yaml:LINE:COL]` of the first occurrence of `what` in `text`.
fn place(text: &str, what: &str) -> String {
    let at = text.find(what).expect("in the text");
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
    format!("[c.yaml:{line}:{col}]")
}

/// A file big enough to be read in pieces on every core (`config/yaml.rs`, `read_split`)
/// reads as one: every object counted, and a mistake deep in any piece of either list told
/// at its own line and column.
#[test]
fn a_big_file_read_in_pieces_points_at_its_mistakes() {
    let env = Env::new();
    let mut text = String::from("# a big config\nskill:\n");
    for k in 0..6000 {
        text.push_str(&format!("  - name: Skill {k}\n    skillType: PROFICIENCY\n    serviceLevelThreshold: 30\n    active: true\n    description: skill number {k} of the big config\n"));
    }
    text.push_str("\n# the profiles\nskill-profile:\n");
    for p in 0..3000 {
        text.push_str(&format!(
            "  - name: Profile {p}\n    activeSkills:\n      - {{skillId: Skill {p}, proficiencyValue: 5}}\n"
        ));
    }
    assert!(text.len() > 1 << 20, "{} bytes", text.len());
    env.write("c.yaml", &text);
    let run = env.wxcc(&["validate", "c.yaml"]).expect(0);
    contains_all(&run.stdout, &["c.yaml is valid: 9000 objects in 1 file."]);

    let bad = text
        .replace(
            "    description: skill number 4321 of",
            "    descripton: skill number 4321 of",
        )
        .replace(
            "{skillId: Skill 2345, proficiencyValue: 5}",
            "{skillId: Skill 2345, proficiencyValue: 5, bogus: 1}",
        );
    env.write("c.yaml", &bad);
    let err = env.wxcc(&["validate", "c.yaml"]).expect(1).stderr;
    contains_all(
        &err,
        &[
            "× unknown field `descripton` in a skill",
            &place(&bad, "descripton"),
            "× unknown field `bogus` in `activeSkills[0]`",
            &place(&bad, "bogus"),
        ],
    );
}

/// Text shorter than the schema's `minLength` says so, with the bound (kills
/// `config/validate.rs`: the `MinLength` arm of `validate_body` deleted, which fell back to
/// the validator's own wording).
#[test]
fn text_shorter_than_the_schema_minimum_is_too_short() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "business-hours:\n  - name: Office\n    timezone: \"\"\n    workingHours:\n      - {name: Weekdays, days: [MON, TUE], startTime: \"09:00\", endTime: \"17:00\"}\n",
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `timezone` is too short",
            "[c.yaml:3:15]",
            "use at least 1 character\n",
        ],
    );
}

/// A list longer than the schema's `maxItems` says so, with the bound (kills
/// `config/validate.rs`: the `MaxItems` arm of `validate_body` deleted).
#[test]
fn a_list_longer_than_the_schema_maximum_takes_at_most_its_limit() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "holiday-list:\n  - name: Plant\n    holidays:\n      - name: Weekly\n        startDate: \"2027-01-01\"\n        endDate: \"2027-01-01\"\n        frequency: Weekly\n        recurrence:\n          interval: 1\n          daysOfWeek: [MON, TUE, WED, THU, FRI, SAT, SUN, MON]\n",
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `holidays[0].recurrence.daysOfWeek` takes at most 7 item(s)",
            "[c.yaml:10:23]",
            "too many items",
        ],
    );
}

/// A missing required whole-number field asks for a whole number (kills
/// `config/validate.rs`: the `integer` arm of `describe_schema` deleted, which called it
/// "a value").
#[test]
fn a_missing_whole_number_field_asks_for_a_whole_number() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "skill:\n  - {name: Billing, skillType: PROFICIENCY, active: true}\n",
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× skill `Billing` is missing the required field `serviceLevelThreshold`",
            "add `serviceLevelThreshold:` (a whole number); SkillDTO says it is required",
        ],
    );
}

/// A key of blank text is refused as a key, at its value, and nothing else is said of the
/// object (kills `config/load.rs`: the guard `!s.trim().is_empty()` made true in
/// `read_object`, which took `"   "` for a site's name).
#[test]
fn a_key_of_blank_text_is_refused_at_its_place() {
    let env = Env::new();
    env.write(
        "c.yaml",
        &format!(
            "{MMP}site:\n  - name: \"   \"\n    active: true\n    multimediaProfileId: Voice\n"
        ),
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `name` of a site must be a non-empty string",
            "[c.yaml:12:11]",
            "`name` is the site's key; write it as text (quote numbers)",
            "(1 error, 0 warnings)",
        ],
    );
}

/// An unknown field is told the fields its object takes, and those are the ones a config
/// may write: not the fields the server sets (kills `config/validate.rs`: `||` made `&&`
/// in `check_field`'s filter, which listed `id`, `version` and the other server-owned
/// fields too).
#[test]
fn an_unknown_field_is_told_only_the_fields_a_config_may_write() {
    let env = Env::new();
    env.write(
        "c.yaml",
        &format!(
            "{MMP}site:\n  - {{name: Chicago, active: true, multimediaProfileId: Voice, zzz: 1}}\n"
        ),
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× unknown field `zzz` in a site",
            "help: fields of SiteDTO: name, active, multimediaProfileId, description\n",
        ],
    );
}
