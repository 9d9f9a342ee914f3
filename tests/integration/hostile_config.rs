//! Configs arrive as pull requests: untrusted input. Paths that leave the config folder,
//! files that are not regular files, loops, huge files and lines, numbers the API cannot
//! hold, names the API thinks equal, empty configs and non-UTF-8 text are all refused (or
//! warned about) offline, with the place, and nothing reaches the tenant.

#[cfg(unix)]
use std::os::unix::fs::symlink;
#[cfg(unix)]
use std::process::Command;

use crate::harness::{Env, contains_all, refused};

const MMP: &str = "multimedia-profile:\n  - name: Voice\n    active: true\n    blendingModeEnabled: false\n    blendingMode: EXCLUSIVE\n    telephony: 1\n    chat: 0\n    email: 0\n    social: 0\n    manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}\n";

const WAV: &[u8] =
    b"RIFF\x24\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\x40\x1f\0\0\x80\x3e\0\0\x02\0\x10\0data\0\0\0\0";

/// Writes `text` to `rel` as UTF-16, little-endian, with no byte order mark of its own.
fn write_utf16le(env: &Env, rel: &str, text: &str) {
    let path = env.path().join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    std::fs::write(path, bytes).expect("write");
}

#[cfg(unix)]
fn mkfifo(env: &Env, rel: &str) {
    let made = Command::new("mkfifo")
        .arg(env.path().join(rel))
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {rel}");
}

fn audio(name: &str, path: &str) -> String {
    format!("  - {{name: {name}, contentType: AUDIO_WAV, audioFile: {path}}}\n")
}

// FIFOs, devices and symlinks are Unix notions.
#[cfg(unix)]
#[test]
fn audio_files_outside_the_config_folder_are_refused_unread() {
    let env = Env::new();
    // What a hostile config would like to upload: the runner's stored profile.
    env.write(
        ".config/wxcc/profiles/default.json",
        "{\"token\": \"SECRET-PROFILE\"}",
    );
    env.write("outside.wav", "SECRET-OUTSIDE");
    std::fs::create_dir_all(env.path().join("cfg/audio")).expect("mkdir");
    symlink(
        env.path().join("outside.wav"),
        env.path().join("cfg/audio/link.wav"),
    )
    .expect("symlink");
    env.write(
        "cfg/a.yaml",
        &format!(
            "audio-file:\n{}{}{}",
            audio("env.wav", "/proc/self/environ"),
            audio("profile.wav", "../.config/wxcc/profiles/default.json"),
            audio("link.wav", "audio/link.wav"),
        ),
    );
    let err = refused(&env, "cfg");
    contains_all(
        &err,
        &[
            "× `audioFile` must be a path relative to this YAML file, not `/proc/self/environ`",
            "[cfg/a.yaml:2:",
            "× `../.config/wxcc/profiles/default.json` is outside the config folder",
            "[cfg/a.yaml:3:",
            "× `audio/link.wav` is outside the config folder",
            "[cfg/a.yaml:4:",
            "3 errors",
        ],
    );
    assert!(
        !err.contains("SECRET"),
        "nothing outside the folder is shown: {err}"
    );
}

// FIFOs, devices and symlinks are Unix notions.
#[cfg(unix)]
#[test]
fn audio_files_must_be_regular_capped_and_what_content_type_says() {
    let env = Env::new();
    std::fs::create_dir_all(env.path().join("cfg/audio/folder.wav")).expect("mkdir");
    mkfifo(&env, "cfg/audio/pipe.wav");
    std::fs::write(env.path().join("cfg/audio/text.wav"), "not audio at all").expect("write");
    std::fs::write(env.path().join("cfg/audio/ok.wav"), WAV).expect("write");
    let big = std::fs::File::create(env.path().join("cfg/audio/big.wav")).expect("create");
    big.set_len(10_000_001).expect("sparse file");
    env.write(
        "cfg/a.yaml",
        &format!(
            "audio-file:\n{}{}{}{}{}  - {{name: page.wav, contentType: TEXT_HTML, audioFile: audio/ok.wav}}\n",
            audio("folder.wav", "audio/folder.wav"),
            audio("pipe.wav", "audio/pipe.wav"),
            audio("text.wav", "audio/text.wav"),
            audio("big.wav", "audio/big.wav"),
            audio("ok.wav", "audio/ok.wav"),
        ),
    );
    let err = refused(&env, "cfg");
    contains_all(
        &err,
        &[
            "× cannot read `audio/folder.wav`: it is a directory, not a regular file",
            "[cfg/a.yaml:2:",
            "× cannot read `audio/pipe.wav`: it is a FIFO (named pipe), not a regular file",
            "[cfg/a.yaml:3:",
            "× `audio/text.wav` does not hold what `contentType: AUDIO_WAV` says: no RIFF/WAVE header",
            "[cfg/a.yaml:4:",
            "declared here",
            "× cannot read `audio/big.wav`: it is 10000001 bytes long; the limit is 10000000 bytes (10 MB)",
            "[cfg/a.yaml:5:",
            "× `audio/ok.wav` does not hold what `contentType: TEXT_HTML` says: not UTF-8 text",
            "[cfg/a.yaml:7:",
            "5 errors",
        ],
    );
    assert!(
        !err.contains("[cfg/a.yaml:6:"),
        "a real WAV declared AUDIO_WAV passes: {err}"
    );
}

// FIFOs, devices and symlinks are Unix notions.
#[cfg(unix)]
#[test]
fn a_fifo_a_device_and_outside_links_among_the_yaml_files_are_refused_without_hanging() {
    let env = Env::new();
    env.write("secret.yaml", "token: SECRET-OUTSIDE\n");
    env.write("cfg/a.yaml", MMP);
    mkfifo(&env, "cfg/p.yaml");
    symlink("/dev/zero", env.path().join("cfg/zero.yaml")).expect("symlink");
    symlink(
        env.path().join("secret.yaml"),
        env.path().join("cfg/s.yaml"),
    )
    .expect("symlink");
    let err = refused(&env, "cfg");
    contains_all(
        &err,
        &[
            "× cannot read cfg/p.yaml: it is a FIFO (named pipe), not a regular file",
            "× cfg/s.yaml leads outside the config folder",
            "× cfg/zero.yaml leads outside the config folder (to /dev/zero)",
            "3 errors",
        ],
    );
    assert!(!err.contains("SECRET"), "{err}");
    // Named directly, a FIFO or a device is refused the same way.
    let run = env.wxcc(&["validate", "cfg/p.yaml"]).expect(1);
    contains_all(
        &run.stderr,
        &["it is a FIFO (named pipe), not a regular file"],
    );
    let run = env.wxcc(&["validate", "/dev/zero"]).expect(1);
    contains_all(
        &run.stderr,
        &["it is a character device, not a regular file"],
    );
}

// FIFOs, devices and symlinks are Unix notions.
#[cfg(unix)]
#[test]
fn a_folder_reached_twice_through_symlinks_is_read_once() {
    let env = Env::new();
    env.write("cfg/profiles/voice.yaml", MMP);
    symlink("..", env.path().join("cfg/profiles/loop")).expect("symlink");
    symlink("profiles", env.path().join("cfg/again")).expect("symlink");
    symlink("voice.yaml", env.path().join("cfg/profiles/alias.yaml")).expect("symlink");
    let run = env.wxcc(&["validate", "cfg"]).expect(0);
    assert!(!run.stderr.contains("defined twice"), "{}", run.stderr);
    contains_all(&run.stdout, &["cfg is valid: 1 object in 1 file."]);
    contains_all(
        &run.stderr,
        &[
            "⚠ skipped cfg/again: it is the folder",
            "⚠ skipped cfg/profiles/loop: it is the folder",
            "⚠ skipped cfg/profiles/alias.yaml: it is cfg/profiles/voice.yaml again",
        ],
    );
}

#[test]
fn a_config_file_over_the_size_cap_is_refused_unread() {
    let env = Env::new();
    env.write("cfg/a.yaml", MMP);
    let big = std::fs::File::create(env.path().join("cfg/big.yaml")).expect("create");
    big.set_len(wxcc::config::MAX_CONFIG_FILE_BYTES + 1)
        .expect("sparse file");
    let err = refused(&env, "cfg");
    contains_all(
        &err,
        &[
            "× cannot read cfg/big.yaml: it is 268435457 bytes long; the limit is 268435456 bytes (256 MiB)",
            "split the objects across several files",
        ],
    );
}

#[test]
fn a_huge_line_is_quoted_elided_around_the_problem() {
    let env = Env::new();
    let long = "x".repeat(10 * 1024 * 1024);
    env.write(
        "c.yaml",
        &format!(
            "{MMP}site:\n  - {{name: Chicago, description: {long}, active: maybe, multimediaProfileId: Voice, note: {long}}}\n"
        ),
    );
    let run = env.wxcc(&["validate", "c.yaml"]).expect(1);
    assert!(
        run.stderr.len() < 8_000,
        "{} bytes of diagnostics",
        run.stderr.len()
    );
    contains_all(
        &run.stderr,
        &[
            "× `description` is too long (10485760 characters)",
            "[c.yaml:12:34]",
            "× `active` must be true or false, not a string",
            "xxxx, active: maybe, multimediaProfileId: Voice, note: xxxx",
            "× unknown field `note` in a site",
            "… xxxx",
            "xxxx …",
        ],
    );
}

#[test]
fn a_huge_value_is_quoted_elided_in_messages() {
    let env = Env::new();
    let name = "k".repeat(1024 * 1024);
    env.write(
        "c.yaml",
        &format!(
            "{MMP}site:\n  - {{name: {name}, active: true, multimediaProfileId: Voice}}\n  - {{name: {name}, active: true, multimediaProfileId: {name}}}\n"
        ),
    );
    let run = env.wxcc(&["validate", "c.yaml"]).expect(1);
    assert!(
        run.stderr.len() < 16_000,
        "{} bytes of diagnostics",
        run.stderr.len()
    );
    let short = format!("{}…{}", "k".repeat(40), "k".repeat(19));
    contains_all(
        &run.stderr,
        &[
            &format!("× site `{short}` is defined twice"),
            &format!("names multimedia-profile `{short}`, which this config does not define"),
            "[c.yaml:13:12]",
        ],
    );
}

#[test]
fn whole_numbers_the_api_cannot_hold_are_refused_with_the_range() {
    let env = Env::new();
    let config = MMP
        .replace("telephony: 1\n", "telephony: 99999999999999999999999\n")
        .replace("    chat: 0\n", "    chat: -2147483649\n");
    env.write("c.yaml", &config);
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `telephony` is too large for the API",
            "[c.yaml:6:16]",
            "`telephony` is a whole number from -2147483648 to 2147483647 (an int32 in the API's schema)",
            "× `chat` is too small for the API",
            "[c.yaml:7:11]",
            "2 errors",
        ],
    );
    // At the edge of the range it is fine.
    env.write(
        "edge.yaml",
        &MMP.replace("telephony: 1\n", "telephony: 2147483647\n"),
    );
    let run = env.wxcc(&["validate", "edge.yaml"]).expect(0);
    assert!(!run.stderr.contains("too large"), "{}", run.stderr);
}

/// A whole number written as a float (`2.0`, `1e2`) is held to its type's range by its value,
/// which fits; a fraction is only "not a whole number" (kills `config/ranges.rs`: `>=` made
/// `<` in `check`'s float case, which took every float below `i64::MAX` for one above it and
/// called `2.0` too large for an int32).
#[test]
fn a_whole_number_written_as_a_float_is_held_to_its_range_by_its_value() {
    let env = Env::new();
    env.write(
        "whole.yaml",
        &MMP.replace("    chat: 0\n", "    chat: 2.0\n")
            .replace("    email: 0\n", "    email: 1e2\n"),
    );
    let run = env.wxcc(&["validate", "whole.yaml"]).expect(0);
    assert!(!run.stderr.contains("too large"), "{}", run.stderr);
    env.write(
        "fraction.yaml",
        &MMP.replace("telephony: 1\n", "telephony: 1.5\n"),
    );
    let err = refused(&env, "fraction.yaml");
    contains_all(
        &err,
        &[
            "× `telephony` must be a whole number, not a number",
            "[fraction.yaml:6:16]",
            "(1 error, 0 warnings)",
        ],
    );
    assert!(!err.contains("for the API"), "{err}");
}

/// A whole number inside a list item (a queue's distribution groups) is held to its type's
/// range like one at the top of the object, and told at its place with its index.
#[test]
fn a_whole_number_in_a_list_item_is_held_to_its_range() {
    let env = Env::new();
    let text = "contact-service-queue:\n  - name: Billing\n    queueType: INBOUND\n    channelType: TELEPHONY\n    queueRoutingType: TEAM_BASED\n    routingType: LONGEST_AVAILABLE_AGENT\n    serviceLevelThreshold: 30\n    maxActiveContacts: 0\n    maxTimeInQueue: 3600\n    active: true\n    monitoringPermitted: true\n    parkingPermitted: true\n    recordingPermitted: true\n    recordingAllCallsPermitted: false\n    pauseRecordingPermitted: true\n    recordingPauseDuration: 10\n    callDistributionGroups:\n      - {order: 1, duration: 0, agentGroups: [{teamId: Billing Team}]}\n      - {order: 2, duration: 9999999999, agentGroups: [{teamId: Billing Team}]}\n";
    env.write("c.yaml", text);
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `callDistributionGroups[1].duration` is too large for the API",
            "[c.yaml:19:30]",
            "`callDistributionGroups[1].duration` is a whole number from -2147483648 to 2147483647 (an int32 in the API's schema)",
        ],
    );
}

/// A whole number beyond 64 bits (YAML reads it as a float) in an int64 field with no
/// `maximum` of its own is out of the int64 range, and said so. Every int64 field of the
/// shipped catalogue's DTOs is server-owned (refused anyway), so the range is checked on one
/// of those, beside that refusal (kills `config/ranges.rs`: `i64::MAX + 1` made
/// `i64::MAX - 1` for such a float, which takes it for a number that fits).
#[test]
fn a_number_beyond_int64_in_an_int64_field_is_refused_with_the_range() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "business-hours:\n  - name: Office\n    timezone: America/Chicago\n    workingHoursCount: 100000000000000000000\n    workingHours: [{name: Week, days: [MON, TUE], startTime: \"09:00\", endTime: \"17:00\"}]\n",
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `workingHoursCount` is set by the server and cannot be written",
            "× `workingHoursCount` is too large for the API",
            "[c.yaml:4:24]",
            "`workingHoursCount` is a whole number from -9223372036854775808 to 9223372036854775807 (an int64 in the API's schema)",
            "2 errors",
        ],
    );
}

#[test]
fn names_that_differ_only_in_case_are_refused_at_validate() {
    let env = Env::new();
    env.write("cfg/a.yaml", MMP);
    env.write(
        "cfg/b.yaml",
        "multimedia-profile:\n  - name: VOICE\n    active: true\n    blendingModeEnabled: false\n    blendingMode: EXCLUSIVE\n    telephony: 1\n    chat: 0\n    email: 0\n    social: 0\n    manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}\n",
    );
    let err = refused(&env, "cfg");
    contains_all(
        &err,
        &[
            "× multimedia-profile `VOICE` differs only in case from multimedia-profile `Voice`",
            "[cfg/b.yaml:2:11]",
            "the same name in other letters",
            "[cfg/a.yaml:2:11]",
            "first defined here",
            "the API treats multimedia-profile `name`s that differ only in case as the same",
        ],
    );
}

#[test]
fn an_empty_config_is_valid_but_said_to_declare_nothing() {
    let env = Env::new();
    env.write("empty/a.yaml", "# nothing here yet\n");
    env.write("empty/b.yaml", "site:\n");
    let run = env.wxcc(&["validate", "empty"]).expect(0);
    contains_all(
        &run.stdout,
        &["empty is valid but declares nothing: 0 objects in 2 files."],
    );
    contains_all(
        &run.stderr,
        &["⚠ empty declares no objects", "--allow-empty-config"],
    );
}

#[test]
fn apply_of_an_empty_config_that_would_delete_needs_allow_empty_config() {
    let env = Env::new();
    env.copy_example("acme");
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    let teams = env.live("team").len();
    env.write("empty/a.yaml", "# emptied by mistake\n");
    let writes = env.writes();
    let delete_teams = [
        "apply",
        "empty",
        "--auto-approve",
        "--delete",
        "team",
        "--max-delete-percent",
        "100",
    ];
    let run = env.wxcc(&delete_teams).expect(1);
    contains_all(
        &run.stderr,
        &[
            "refusing to apply: empty declares no objects, so this plan would delete every live object of the kinds given to --delete (6 team)",
            "pass --allow-empty-config",
            "Nothing was changed.",
        ],
    );
    assert_eq!(env.writes(), writes, "nothing was written");
    assert_eq!(env.live("team").len(), teams);

    let mut allowed = delete_teams.to_vec();
    allowed.push("--allow-empty-config");
    let run = env.wxcc(&allowed).expect(0);
    contains_all(
        &run.stdout,
        &["Apply complete: 0 created, 0 updated, 6 deleted."],
    );
    // One bulk request: the plan reads whole the teams it deletes (§1.8).
    assert_eq!(env.writes(), writes + 1);
    assert_eq!(
        env.live("team").len(),
        teams - 6,
        "only the system default is left"
    );
}

#[test]
fn files_that_are_not_utf8_are_refused_at_the_first_bad_byte() {
    let env = Env::new();
    std::fs::create_dir_all(env.path().join("cfg")).expect("mkdir");
    // Windows-1252 "Zürich" on line 2.
    std::fs::write(
        env.path().join("cfg/latin.yaml"),
        b"site:\n  - name: Z\xFCrich\n    active: true\n",
    )
    .expect("write");
    write_utf16le(&env, "cfg/wide.yaml", "\u{FEFF}site: []\n");
    let err = refused(&env, "cfg");
    contains_all(
        &err,
        &[
            "× cfg/latin.yaml is not UTF-8: byte 0xFC at byte offset 17 is not valid UTF-8; it looks like a legacy 8-bit encoding such as Windows-1252",
            "[cfg/latin.yaml:2:12]",
            "`iconv -f WINDOWS-1252 -t UTF-8 latin.yaml > latin.yaml.utf8`",
            "× cfg/wide.yaml is not UTF-8: byte 0xFF at byte offset 0 is not valid UTF-8; it is UTF-16 (little-endian",
            "[cfg/wide.yaml:1:1]",
            "`iconv -f UTF-16 -t UTF-8 wide.yaml > wide.yaml.utf8`",
            "2 errors",
        ],
    );
    // A UTF-8 byte order mark is fine.
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(MMP.as_bytes());
    std::fs::write(env.path().join("bom.yaml"), with_bom).expect("write");
    env.wxcc(&["validate", "bom.yaml"]).expect(0);
}

/// Team names are unique (regardless of case) per site, not per tenant: `Tier 1` at one
/// site and `TIER 1` at another are two teams, at validate, plan and apply, against a
/// tenant that already has one of them; at one site they clash.
#[test]
fn team_names_differing_in_case_clash_only_within_a_site() {
    let env = Env::new();
    let sites = "site:\n  - {name: Austin, active: true, multimediaProfileId: Default Multimedia Profile}\n  - {name: Dublin, active: true, multimediaProfileId: Default Multimedia Profile}\n";
    let team = |name: &str, site: &str| {
        format!(
            "  - {{name: {name}, siteId: {site}, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}}\n"
        )
    };
    env.write(
        "cfg/a.yaml",
        &format!("{sites}team:\n{}", team("Tier 1", "Austin")),
    );
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    env.write(
        "cfg/a.yaml",
        &format!(
            "{sites}team:\n{}{}",
            team("Tier 1", "Austin"),
            team("TIER 1", "Dublin")
        ),
    );
    env.wxcc(&["validate", "cfg"]).expect(0);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    let names: Vec<String> = env
        .live("team")
        .iter()
        .filter_map(|t| t["name"].as_str().map(str::to_string))
        .filter(|n| n.eq_ignore_ascii_case("tier 1"))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);

    env.write(
        "cfg/a.yaml",
        &format!(
            "{sites}team:\n{}{}",
            team("Tier 1", "Austin"),
            team("tier 1", "Austin")
        ),
    );
    let run = env.wxcc(&["validate", "cfg"]).expect(1);
    contains_all(
        &run.stderr,
        &["× team `tier 1` differs only in case from team `Tier 1`"],
    );
}

/// `..` is applied to the names before the file system is asked: a path that leaves the
/// folder is refused as outside even when nothing is there (kills `config/upload.rs`: the
/// `..` arm of `lexical_join` deleted, which left the path to the file system to judge).
#[test]
fn an_upload_path_leaving_the_folder_is_refused_before_the_disk_is_asked() {
    let env = Env::new();
    env.write(
        "cfg/a.yaml",
        &format!("audio-file:\n{}", audio("gone.wav", "../nowhere/gone.wav")),
    );
    let err = refused(&env, "cfg");
    contains_all(
        &err,
        &[
            "× `../nowhere/gone.wav` is outside the config folder",
            "[cfg/a.yaml:2:",
        ],
    );
    assert!(!err.contains("cannot read"), "{err}");
}

/// A YAML file of a few MiB is read: the cap is 256 MiB (kills `config/load.rs`:
/// `256 * 1024 * 1024` made `256 + 1024 * 1024`, a cap of about 1 MiB).
#[test]
fn a_config_file_of_a_few_mebibytes_is_read() {
    let env = Env::new();
    let comment = format!("# {}\n", "x".repeat(1_000));
    env.write("c.yaml", &format!("{}{MMP}", comment.repeat(3 * 1024)));
    let run = env.wxcc(&["validate", "c.yaml"]).expect(0);
    contains_all(&run.stdout, &["c.yaml is valid: 1 object in 1 file."]);
}

/// A problem longer than the quoted window, deep in a long line, is quoted from a little
/// before its start (kills `config/report.rs`: that lead-in, `MAX_QUOTED_LINE / 4`, made
/// `% 4`, which starts the quote at the problem and hides what it belongs to).
#[test]
fn a_long_problem_deep_in_a_line_is_quoted_with_what_precedes_it() {
    let env = Env::new();
    let name = "n".repeat(60);
    let description = "d".repeat(300);
    env.write(
        "c.yaml",
        &format!(
            "{MMP}site:\n  - {{name: {name}, description: {description}, active: true, multimediaProfileId: Voice}}\n"
        ),
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `description` is too long (300 characters)",
            "[c.yaml:12:87]",
            &format!("… {}, description: {} …", "n".repeat(25), "d".repeat(120)),
        ],
    );
}

/// A short problem deep in a long line is centred in the quoted window: as much of the line
/// before it as after it (kills `config/report.rs`: the guard `free > 0` made `false` in
/// `elide`, which quotes a quarter window before the problem whatever its length).
#[test]
fn a_short_problem_deep_in_a_long_line_is_centred_in_the_quote() {
    let env = Env::new();
    let name = "n".repeat(50);
    let description = "d".repeat(200);
    env.write(
        "c.yaml",
        &format!(
            "{MMP}site:\n  - {{name: {name}, multimediaProfileId: Voice, active: maybe, description: {description}}}\n"
        ),
    );
    let err = refused(&env, "c.yaml");
    // `maybe` is bytes 99..104 of its line: 155 bytes of room, 77 of them before it.
    contains_all(
        &err,
        &[
            "[c.yaml:12:100]",
            &format!(
                "… {}, multimediaProfileId: Voice, active: maybe, description: {} …",
                "n".repeat(39),
                "d".repeat(63)
            ),
        ],
    );
}

/// A problem exactly as long as the quoted window (160 bytes) leaves no room to centre it:
/// it is still shown after a quarter window of what precedes it (kills `config/report.rs`:
/// the guard `free > 0` made `true` in `elide`, which gives it no lead-in at all).
#[test]
fn a_problem_as_long_as_the_quoted_window_is_shown_after_what_precedes_it() {
    let env = Env::new();
    let description = "d".repeat(60);
    let name = "n".repeat(160);
    env.write(
        "c.yaml",
        &format!(
            "{MMP}site:\n  - {{description: {description}, name: {name}, active: true, multimediaProfileId: Voice}}\n"
        ),
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `name` is too long (160 characters)",
            &format!("… {}, name: {} …", "d".repeat(32), "n".repeat(120)),
        ],
    );
}

/// A whole number below int64 in an int64 field is refused with the range, as one above it
/// is (kills `config/ranges.rs`: `i64::MIN - 1` made `+ 1` or `/ 1` in `check`'s float
/// case, which reads such a number as inside the range).
#[test]
fn a_number_below_int64_in_an_int64_field_is_refused_with_the_range() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "business-hours:\n  - name: Office\n    timezone: America/Chicago\n    workingHoursCount: -100000000000000000000\n    workingHours: [{name: Week, days: [MON, TUE], startTime: \"09:00\", endTime: \"17:00\"}]\n",
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `workingHoursCount` is set by the server and cannot be written",
            "× `workingHoursCount` is too small for the API",
            "[c.yaml:4:24]",
            "not between -9223372036854775808 and 9223372036854775807",
            "`workingHoursCount` is a whole number from -9223372036854775808 to 9223372036854775807 (an int64 in the API's schema)",
            "2 errors",
        ],
    );
}

/// UTF-16 without a byte order mark is named as such even when the text starts with a
/// character that is not ASCII (here a no-break space pasted from a web page), so that its
/// first bad byte is that character's, not a NUL (kills `config/encoding.rs`:
/// `nul_every_other_byte` → `false`, or its sample's `len() >= 4` made `< 4`, which call
/// the file legacy 8-bit text and suggest converting it from Windows-1252).
#[test]
fn utf16_without_a_byte_order_mark_is_named_when_its_first_character_is_not_ascii() {
    let env = Env::new();
    write_utf16le(
        &env,
        "cfg/wide.yaml",
        "\u{A0}site:\n  - {name: Austin, active: true}\n",
    );
    let err = refused(&env, "cfg");
    contains_all(
        &err,
        &[
            "× cfg/wide.yaml is not UTF-8: byte 0xA0 at byte offset 0 is not valid UTF-8; it looks like UTF-16 without a byte order mark (NUL bytes between characters)",
            "[cfg/wide.yaml:1:1]",
            "`iconv -f UTF-16LE -t UTF-8 wide.yaml > wide.yaml.utf8`",
        ],
    );
}

/// The config folder of a lone YAML file is the file's own folder: an audio file beside
/// it, in the working directory, is outside and refused unread (kills `config/load.rs`:
/// the guard for a file with a parent made `false` in `collect_files`, which took the
/// working directory for the folder of `cfg/a.yaml` and uploaded the file).
#[test]
fn the_config_folder_of_a_lone_file_is_the_file_s_own_folder() {
    let env = Env::new();
    std::fs::write(env.path().join("outside.wav"), WAV).expect("write");
    env.write(
        "cfg/a.yaml",
        &format!("audio-file:\n{}", audio("outside.wav", "../outside.wav")),
    );
    let err = refused(&env, "cfg/a.yaml");
    contains_all(
        &err,
        &[
            "× `../outside.wav` is outside the config folder",
            "[cfg/a.yaml:2:",
        ],
    );
    // Inside the folder, the same file is read.
    std::fs::write(env.path().join("cfg/inside.wav"), WAV).expect("write");
    env.write(
        "cfg/a.yaml",
        &format!("audio-file:\n{}", audio("inside.wav", "inside.wav")),
    );
    env.wxcc(&["validate", "cfg/a.yaml"]).expect(0);
}
