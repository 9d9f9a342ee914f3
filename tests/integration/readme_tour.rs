//! The README's tour, run as a new user would: every command of its fenced `console`
//! blocks, in order, in a fresh folder holding a copy of `examples/`, against a fresh
//! emulator, each output compared with what the README shows (ids normalised to `…`; a
//! `...` line stands for any number of lines). When the tool's output changes, this fails
//! until the README says the same.

use std::path::Path;
use std::process::Command;

use tempfile::TempDir;

use crate::harness::{WXCC_VARS, copy_dir};

/// One `$ command` and the lines the README shows under it.
struct Step {
    command: String,
    expected: Vec<String>,
}

/// The `$` commands of every ```console block, with their output lines.
fn steps(readme: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut in_console = false;
    for line in readme.lines() {
        if !in_console {
            in_console = line.trim_end() == "```console";
            continue;
        }
        if line.trim_end() == "```" {
            in_console = false;
        } else if let Some(command) = line.strip_prefix("$ ") {
            steps.push(Step {
                command: command.to_string(),
                expected: Vec::new(),
            });
        } else if let Some(step) = steps.last_mut() {
            step.expected.push(line.trim_end().to_string());
        } else {
            panic!("README: output before any `$` command in a console block: {line}");
        }
    }
    steps
}

/// Ids as the README writes them.
fn normalise(text: &str) -> Vec<String> {
    let uuid = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        .expect("regex");
    uuid.replace_all(text, "…")
        .lines()
        .map(|l| l.trim_end().to_string())
        .collect()
}

/// Whether `actual` matches `expected`, where a `...` line matches any run of lines.
fn matches(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual.first() == Some(first) && matches(rest, &actual[1..]),
    }
}

#[test]
fn the_readme_tour_prints_what_the_readme_shows() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(repo.join("README.md")).expect("README.md");
    let steps = steps(&readme);
    assert!(
        steps
            .iter()
            .filter(|s| s.command.starts_with("wxcc "))
            .count()
            >= 8,
        "the README has a tour"
    );

    let dir = TempDir::new().expect("temp dir");
    copy_dir(&repo.join("examples"), &dir.path().join("examples"));
    // `wxcc` on the PATH is the binary under test.
    let bin = dir.path().join(".bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_wxcc"), bin.join("wxcc")).expect("link");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let mut problems = Vec::new();
    for step in &steps {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(&step.command)
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1");
        for var in WXCC_VARS.iter().chain(&["CLICOLOR_FORCE"]) {
            cmd.env_remove(var);
        }
        cmd.env("WXCC_CONFIG_DIR", dir.path().join(".config"));
        let out = cmd.output().expect("run a tour command");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            problems.push(format!(
                "$ {}\nexited {:?}\n{stdout}{stderr}",
                step.command,
                out.status.code()
            ));
            break;
        }
        // What a user at the terminal sees: the output, then anything on stderr.
        let actual = normalise(&format!("{stdout}{stderr}"));
        if !matches(&step.expected, &actual) {
            problems.push(format!(
                "$ {}\n--- the README shows ---\n{}\n--- it printed ---\n{}",
                step.command,
                step.expected.join("\n"),
                actual.join("\n")
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert_eq!(
        std::fs::read(dir.path().join("examples/acme/sites.yaml")).ok(),
        std::fs::read(repo.join("examples/acme/sites.yaml")).ok(),
        "the tour edits a copy, never examples/"
    );
}

#[test]
fn the_elision_matcher_is_strict_outside_elisions() {
    let lines = |s: &[&str]| s.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    assert!(matches(
        &lines(&["a", "...", "d"]),
        &lines(&["a", "b", "c", "d"])
    ));
    assert!(matches(&lines(&["a", "...", "b"]), &lines(&["a", "b"])));
    assert!(!matches(
        &lines(&["a", "...", "d"]),
        &lines(&["a", "b", "c"])
    ));
    assert!(!matches(&lines(&["a"]), &lines(&["a", "b"])));
    assert!(!matches(&lines(&["No changes."]), &lines(&[])));
}
