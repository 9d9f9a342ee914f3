//! The GitHub Actions workflow of `examples/ci/` run as written: its jobs' `run:` steps in
//! order, in a fresh folder per job, against the emulator — with the workflow's own
//! variables pointed at it, a stand-in `gh` that keeps secrets, comments and artifacts in
//! a folder, and the steps that only GitHub can run (`actions/checkout`,
//! `actions/upload-artifact`) done by the test. The one step that installs wxcc is
//! replaced by the binary under test on `PATH`. So the file cannot drift from the tool.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::harness::{Env, WXCC_VARS, contains_all, copy_dir};

/// A stand-in for the GitHub CLI: the calls the workflow makes, against a folder.
const FAKE_GH: &str = r#"#!/bin/sh
set -e
echo "$*" >> "$GH_FAKE/calls"
case "$1 $2" in
  "pr comment")
    file=; while [ $# -gt 0 ]; do [ "$1" = "--body-file" ] && file=$2; shift; done
    cp "$file" "$GH_FAKE/comment.md" ;;
  "secret set") cat > "$GH_FAKE/secret-$3" ;;
  "run list") echo 4242 ;;
  "run download")
    name=; dir=.; while [ $# -gt 0 ]; do
      case "$1" in --name) name=$2; shift;; --dir) dir=$2; shift;; esac; shift
    done
    cp -R "$GH_FAKE/artifact-$name/." "$dir/" ;;
  *) echo "gh stand-in: unexpected call: $*" >&2; exit 1 ;;
esac
"#;

struct Runner<'a> {
    env: &'a Env,
    workflow: Value,
    repo: PathBuf,
    fake: PathBuf,
    path: String,
    expressions: HashMap<&'static str, String>,
}

impl Runner<'_> {
    fn secret(&self, name: &str) -> String {
        std::fs::read_to_string(self.fake.join(format!("secret-{name}"))).unwrap_or_default()
    }

    /// `${{ … }}` replaced by what GitHub would put there; an expression the test does not
    /// know fails the test, so the workflow cannot use one unseen.
    fn expand(&self, text: &str) -> String {
        let re = regex::Regex::new(r"\$\{\{\s*(.*?)\s*\}\}").expect("regex");
        re.replace_all(text, |c: &regex::Captures| {
            let expr = &c[1];
            match expr.strip_prefix("secrets.") {
                Some(name) => self.secret(name),
                None => self
                    .expressions
                    .get(expr)
                    .cloned()
                    .unwrap_or_else(|| panic!("the test does not know `{expr}`")),
            }
        })
        .into_owned()
    }

    fn env_of(&self, node: &Value) -> Vec<(String, String)> {
        node["env"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                        (k.clone(), self.expand(&v))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Runs one job in a folder of its own, its steps in order; returns the folder.
    fn job(&self, name: &str) -> PathBuf {
        let job = &self.workflow["jobs"][name];
        let dir = self.env.path().join(format!("job-{name}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let steps = job["steps"].as_array().expect("steps");
        for step in steps {
            if let Some(uses) = step["uses"].as_str() {
                self.uses(uses, step, &dir);
                continue;
            }
            let script = step["run"].as_str().expect("a step runs or uses");
            if step["id"] == "install-wxcc" {
                assert!(script.contains("cargo install --locked"), "{script}");
                continue;
            }
            match step["if"].as_str() {
                None | Some("always()") => {}
                Some(other) => panic!("step condition the test does not know: {other}"),
            }
            let mut cmd = Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
                .arg(self.expand(script))
                .current_dir(&dir);
            for var in WXCC_VARS {
                cmd.env_remove(var);
            }
            cmd.env("PATH", &self.path)
                .env("GH_FAKE", &self.fake)
                .env("NO_COLOR", "1")
                .env("WXCC_NO_BROWSER", "1")
                .env("WXCC_CONFIG_DIR", dir.join(".config"));
            for node in [&self.workflow, job, step] {
                cmd.envs(self.env_of(node));
            }
            let out = cmd.output().expect("bash");
            assert!(
                out.status.success(),
                "step `{}` of job {name} failed:\n{script}\n--- stdout ---\n{}\n--- stderr ---\n{}",
                step["name"].as_str().unwrap_or(""),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        dir
    }

    /// The `uses:` steps, done as GitHub would.
    fn uses(&self, uses: &str, step: &Value, dir: &Path) {
        if uses.starts_with("actions/checkout@") {
            copy_dir(&self.repo, dir);
        } else if uses.starts_with("actions/upload-artifact@") {
            let name = step["with"]["name"].as_str().expect("artifact name");
            let file = step["with"]["path"].as_str().expect("artifact path");
            let store = self.fake.join(format!("artifact-{name}"));
            std::fs::create_dir_all(&store).expect("mkdir");
            std::fs::copy(dir.join(file), store.join(file)).expect("artifact");
        } else {
            panic!("a step the test cannot stand in for: {uses}");
        }
    }
}

#[test]
fn the_github_workflow_plans_a_pull_request_and_applies_the_reviewed_plan_on_merge() {
    let env = Env::new();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci/github-actions.yml");
    let text = std::fs::read_to_string(source).expect("workflow");
    let workflow: Value = serde_saphyr::from_str(&text).expect("the workflow is YAML");
    assert_eq!(
        workflow["concurrency"]["group"],
        "wxcc-${{ vars.WXCC_ORG_ID }}"
    );
    assert_eq!(workflow["concurrency"]["cancel-in-progress"], false);
    assert_eq!(
        workflow["jobs"]["plan"]["if"],
        "github.event.action != 'closed'"
    );
    assert_eq!(
        workflow["jobs"]["apply"]["if"],
        "github.event.action == 'closed' && github.event.pull_request.merged"
    );

    // The repository: the config under the folder the workflow names.
    let repo = env.path().join("repo");
    let config = workflow["env"]["WXCC_CONFIG"]
        .as_str()
        .expect("WXCC_CONFIG");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme"),
        &repo.join(config),
    );
    // The integration and its refresh token, as the repository's secrets.
    let made = env.admin(
        "POST",
        "/clients",
        Some(json!({"redirectUris": ["http://localhost:8765/callback"]})),
    );
    let client_id = made["clientId"].as_str().expect("id");
    let minted = env.admin("POST", "/tokens", Some(json!({"clientId": client_id})));
    let seed = minted["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();
    let fake = env.path().join("github");
    let bin = fake.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    for (name, value) in [
        ("WXCC_CLIENT_ID", client_id),
        (
            "WXCC_CLIENT_SECRET",
            made["clientSecret"].as_str().expect("secret"),
        ),
        ("WXCC_REFRESH_TOKEN", &seed),
        ("WXCC_SECRETS_TOKEN", "secrets-writer"),
    ] {
        std::fs::write(fake.join(format!("secret-{name}")), value).expect("secret");
    }
    std::fs::write(bin.join("gh"), FAKE_GH).expect("gh");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(bin.join("gh"), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
    }
    let wxcc_dir = Path::new(env!("CARGO_BIN_EXE_wxcc"))
        .parent()
        .expect("bin dir");
    let path = format!(
        "{}:{}:{}",
        bin.display(),
        wxcc_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let expressions = HashMap::from([
        ("vars.WXCC_ORG_ID", env.org.clone()),
        ("vars.WXCC_REGION", String::new()),
        ("vars.WXCC_BASE_URL", env.url.clone()),
        ("vars.WXCC_AUTH_URL", env.url.clone()),
        ("github.token", "pull-request-token".to_string()),
        ("github.event.pull_request.number", "7".to_string()),
        ("github.event.pull_request.head.sha", "c0ffee".to_string()),
    ]);
    let runner = Runner {
        env: &env,
        workflow,
        repo,
        fake: fake.clone(),
        path,
        expressions,
    };

    // The pull request: validated, planned, commented, the plan kept; nothing written.
    runner.job("plan");
    assert_eq!(env.writes(), 0, "a pull request only plans");
    let comment = std::fs::read_to_string(fake.join("comment.md")).expect("a comment");
    contains_all(
        &comment,
        &[
            "### wxcc plan",
            "**Plan: 11 to create, 0 to update, 0 to delete.**",
            "| site | 3 | 0 | 0 |",
        ],
    );
    assert!(fake.join("artifact-wxcc-plan/plan.json").is_file());
    let rotated = runner.secret("WXCC_REFRESH_TOKEN");
    assert_ne!(
        rotated.trim(),
        seed,
        "the rotated refresh token was written back"
    );

    // The merge: the reviewed plan fetched and applied, with the token the plan job kept.
    let applied = runner.job("apply");
    assert!(applied.join("plan.json").is_file());
    let calls = std::fs::read_to_string(fake.join("calls")).expect("gh calls");
    contains_all(
        &calls,
        &[
            "pr comment 7 --body-file plan.md",
            "--commit c0ffee",
            "run download 4242 --name wxcc-plan",
        ],
    );
    assert_eq!(
        env.live("site").len(),
        4,
        "the default site and acme's three"
    );
    env.live_named("team", "Billing Tier 2");
    assert_ne!(
        runner.secret("WXCC_REFRESH_TOKEN"),
        rotated,
        "rotated again"
    );
    let now = env.wxcc(&["plan", "repo/tenant"]).expect(0);
    assert_eq!(now.stdout, "No changes.\n");
}

/// The workflow sets `WXCC_BASE_URL` and `WXCC_AUTH_URL` from repository variables, which
/// GitHub templates as empty strings when they are not configured: empty means unset.
#[test]
fn empty_connection_variables_count_as_unset() {
    let env = Env::new();
    env.copy_example("acme");
    let run = env
        .wxcc_with(
            &["plan", "acme", "--emulator"],
            &[
                ("WXCC_BASE_URL", ""),
                ("WXCC_AUTH_URL", ""),
                ("WXCC_REGION", ""),
            ],
        )
        .expect(0);
    contains_all(&run.stdout, &["Plan: 11 to create"]);
}
