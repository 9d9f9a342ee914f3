//! The editor schema (`schemas/wxcc.schema.json`) and the kinds page (`docs/kinds.md`):
//! both are generated from the catalogue by the binary and must match what is committed.
//! Every example must carry the schema modeline and validate against it, and the schema
//! must refuse what `wxcc validate` refuses, so an editor flags it while typing.

use std::path::{Path, PathBuf};

use serde_json::Value;
use wxcc::catalogue::apply_order;

use crate::harness::Env;

const EDITOR_SCHEMA_PATH: &str = "schemas/wxcc.schema.json";
const EDITOR_SCHEMA_COMMAND: &str = "cargo run -- schema > schemas/wxcc.schema.json";
const KINDS_DOC_PATH: &str = "docs/kinds.md";
const KINDS_DOC_COMMAND: &str = "cargo run -- kinds --format markdown > docs/kinds.md";

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Fails with the refresh command unless the committed file is exactly `generated`.
#[track_caller]
fn assert_fresh(rel: &str, generated: &str, command: &str) {
    let committed = std::fs::read_to_string(repo_file(rel)).unwrap_or_default();
    assert!(
        committed == generated,
        "{rel} is stale: it differs from what the catalogue generates. Refresh it with\n\n    {command}\n"
    );
}

fn editor_schema() -> Value {
    let text = std::fs::read_to_string(repo_file(EDITOR_SCHEMA_PATH))
        .unwrap_or_else(|e| panic!("cannot read {EDITOR_SCHEMA_PATH} ({e}); create it with\n\n    {EDITOR_SCHEMA_COMMAND}\n"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{EDITOR_SCHEMA_PATH} is not JSON: {e}"))
}

fn editor_validator() -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .build(&editor_schema())
        .unwrap_or_else(|e| panic!("{EDITOR_SCHEMA_PATH} is not a valid draft-07 schema: {e}"))
}

/// A YAML config as the JSON value an editor's schema check sees.
fn yaml_to_json(text: &str, what: &str) -> Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{what} is not YAML: {e}"))
}

/// Where the editor schema refuses `config`: (instance pointer, message) per problem.
fn editor_errors(config: &str) -> Vec<(String, String)> {
    let validator = editor_validator();
    let instance = yaml_to_json(config, "the test config");
    validator
        .iter_errors(&instance)
        .map(|e| (e.instance_path().as_str().to_string(), e.to_string()))
        .collect()
}

fn example_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            example_files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
    out.sort();
}

/// Every config file under `examples/`; `examples/ci/` holds CI workflows, not configs.
fn all_examples() -> Vec<PathBuf> {
    let mut files = Vec::new();
    example_files(&repo_file("examples"), &mut files);
    files.retain(|f| !f.starts_with(repo_file("examples/ci")));
    assert!(!files.is_empty(), "no examples found");
    files
}

#[test]
fn schema_file_is_fresh() {
    let env = Env::new();
    let run = env.wxcc_bare(&["schema"]).expect(0);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert_fresh(EDITOR_SCHEMA_PATH, &run.stdout, EDITOR_SCHEMA_COMMAND);
}

#[test]
fn every_example_validates_against_the_editor_schema() {
    let validator = editor_validator();
    let root = repo_file("");
    let mut problems = Vec::new();
    for file in all_examples() {
        let shown = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{shown}: {e}"));
        let instance = yaml_to_json(&text, &shown);
        for error in validator.iter_errors(&instance) {
            problems.push(format!("{shown}: {}: {error}", error.instance_path()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_example_carries_the_schema_modeline() {
    let root = repo_file("");
    for file in all_examples() {
        let rel = file.strip_prefix(&root).unwrap_or(&file);
        let depth = rel.components().count() - 1;
        let schema_from_file = format!("{}{EDITOR_SCHEMA_PATH}", "../".repeat(depth));
        let expected = format!("# yaml-language-server: $schema={schema_from_file}");
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let first = text.lines().next().unwrap_or_default();
        assert_eq!(
            first,
            expected,
            "{} must start with the modeline",
            rel.display()
        );
        let parent = file.parent().unwrap_or(&root);
        assert!(
            parent.join(&schema_from_file).is_file(),
            "{} points at a schema that is not there",
            rel.display()
        );
    }
}

const VALID: &str = "\
multimedia-profile:
  - name: Voice
    active: true
    blendingModeEnabled: false
    blendingMode: EXCLUSIVE
    telephony: 1
    chat: 0
    email: 0
    social: 0
    manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}
site:
  - name: Chicago
    active: true
    multimediaProfileId: Voice
team:
  - name: Tier 1
    siteId: Chicago
    teamType: AGENT
    teamStatus: IN_SERVICE
    active: true
    rankQueuesForTeam: false
    x-wxcc: {formerNames: [Tier One], protect: false}
";

#[test]
fn the_editor_schema_accepts_what_validate_accepts() {
    let env = Env::new();
    env.write("c.yaml", VALID);
    env.wxcc(&["validate", "c.yaml"]).expect(0);
    assert_eq!(editor_errors(VALID), Vec::new());
}

/// `VALID` with `from` replaced by `to`: exactly one problem.
fn broken(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "{from:?} is not in the valid config");
    VALID.replacen(from, to, 1)
}

#[track_caller]
fn refused_by_both(env: &Env, config: &str, validate_says: &str, pointer: &str, schema_says: &str) {
    env.write("c.yaml", config);
    let run = env.wxcc(&["validate", "c.yaml"]).expect(1);
    assert!(run.stderr.contains(validate_says), "{}", run.stderr);
    let errors = editor_errors(config);
    assert!(
        errors
            .iter()
            .any(|(at, message)| at == pointer && message.contains(schema_says)),
        "the editor schema should refuse {pointer} ({schema_says}); it said {errors:?}"
    );
}

#[test]
fn the_editor_schema_refuses_an_unknown_field() {
    let env = Env::new();
    let config = broken(
        "    multimediaProfileId: Voice\n",
        "    multimediaProfileId: Voice\n    descripton: HQ\n",
    );
    refused_by_both(
        &env,
        &config,
        "unknown field `descripton` in a site",
        "/site/0",
        "'descripton' was unexpected",
    );
}

#[test]
fn the_editor_schema_refuses_a_server_owned_field() {
    let env = Env::new();
    let config = broken(
        "  - name: Chicago\n",
        "  - name: Chicago\n    id: 5f1c9a2e\n",
    );
    refused_by_both(
        &env,
        &config,
        "`id` is set by the server and cannot be written",
        "/site/0",
        "'id' was unexpected",
    );
    let nested = broken("social: 0}", "social: 0, version: 3}");
    refused_by_both(
        &env,
        &nested,
        "`manuallyAssignable.version` is set by the server",
        "/multimedia-profile/0/manuallyAssignable",
        "'version' was unexpected",
    );
}

#[test]
fn the_editor_schema_refuses_a_wrong_enum() {
    let env = Env::new();
    let config = broken("teamType: AGENT", "teamType: AGENTS");
    refused_by_both(
        &env,
        &config,
        "`teamType` has a value the API does not accept",
        "/team/0/teamType",
        "\"AGENTS\" is not one of",
    );
    assert_eq!(env.total_requests(), 0);
}

#[test]
fn kinds_lists_every_catalogue_kind_in_apply_order() {
    let env = Env::new();
    let run = env.wxcc_bare(&["kinds"]).expect(0);
    let mut lines = run.stdout.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        ["order", "kind", "key", "references"],
        "{}",
        run.stdout
    );
    let listed: Vec<(usize, String, String)> = lines
        .filter_map(|line| {
            let mut cells = line.split_whitespace();
            let order = cells.next()?.parse().ok()?;
            Some((order, cells.next()?.to_string(), cells.next()?.to_string()))
        })
        .collect();
    let expected: Vec<(usize, String, String)> = apply_order()
        .iter()
        .enumerate()
        .map(|(i, k)| (i + 1, k.name.to_string(), k.key.to_string()))
        .collect();
    assert_eq!(listed, expected, "{}", run.stdout);
    for kind in apply_order() {
        for reference in kind.references {
            let shown = format!("{} → {}", reference.field, reference.target);
            assert!(
                run.stdout.contains(&shown),
                "missing {shown}:\n{}",
                run.stdout
            );
        }
    }
}

#[test]
fn kinds_doc_is_fresh() {
    let env = Env::new();
    let run = env.wxcc_bare(&["kinds", "--format", "markdown"]).expect(0);
    assert_fresh(KINDS_DOC_PATH, &run.stdout, KINDS_DOC_COMMAND);
}
