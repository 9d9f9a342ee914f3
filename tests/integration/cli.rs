//! The command line as a new user meets it: exit statuses, help, colour, completions,
//! whoami with CI credentials, the confirmation prompt, progress on a terminal, and the
//! emulator's state (one owner at a time, and a reset).

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::harness::{Env, Run, WXCC_VARS, contains_all};

/// `wxcc` in the test folder against the emulator, with the harness's clean environment
/// but without its `NO_COLOR`, so colour tests set the variables themselves.
fn colour_run(env: &Env, args: &[&str], vars: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wxcc"));
    for var in WXCC_VARS {
        cmd.env_remove(var);
    }
    cmd.args(args)
        .current_dir(env.path())
        .stdin(Stdio::null())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .env("WXCC_CONFIG_DIR", env.config_dir())
        .env("WXCC_BASE_URL", &env.url)
        .env("WXCC_ACCESS_TOKEN", &env.token)
        .envs(vars.iter().copied());
    Run::from(cmd.output().expect("run wxcc"))
}

const ESC: &str = "\u{1b}[";

#[test]
fn usage_errors_exit_1_and_only_detailed_exitcode_exits_2() {
    let env = Env::new();
    for args in [
        &["plan"][..],
        &["frobnicate"],
        &["plan", "x.yaml", "--no-such-flag"],
        &["plan", "x.yaml", "--format", "xml"],
        &[],
    ] {
        let run = env.wxcc(args);
        assert_eq!(run.code, 1, "wxcc {args:?}\n{}", run.stderr);
        assert!(!run.stderr.is_empty(), "wxcc {args:?} says why");
    }
    let help = env.wxcc(&["--help"]).expect(0);
    contains_all(
        &help.stdout,
        &[
            "Exit status:",
            "0    success",
            "1    any error, usage errors included",
            "2    only with plan --detailed-exitcode",
            "130  interrupted",
        ],
    );
    env.wxcc(&["--version"]).expect(0);
    env.copy_example("acme");
    env.wxcc(&["plan", "acme", "--detailed-exitcode"]).expect(2);
}

#[test]
fn color_always_colours_a_pipe_and_the_environment_is_honoured() {
    let env = Env::new();
    env.copy_example("acme");
    let plan = |args: &[&str], vars: &[(&str, &str)]| {
        let mut all = vec!["plan", "acme"];
        all.extend_from_slice(args);
        colour_run(&env, &all, vars).expect(0).stdout
    };
    assert!(
        plan(&["--color", "always"], &[]).contains(ESC),
        "--color always on a pipe"
    );
    assert!(
        plan(&["--color", "always"], &[("NO_COLOR", "1")]).contains(ESC),
        "an explicit --color always wins over NO_COLOR"
    );
    assert!(
        plan(&[], &[("CLICOLOR_FORCE", "1")]).contains(ESC),
        "CLICOLOR_FORCE"
    );
    assert!(!plan(&[], &[]).contains(ESC), "auto: a pipe gets no colour");
    assert!(
        !plan(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains(ESC),
        "NO_COLOR wins over CLICOLOR_FORCE"
    );
    assert!(
        !plan(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]).contains(ESC),
        "--color never"
    );
    // Errors on stderr follow the same policy.
    let bad = colour_run(&env, &["plan", "missing.yaml", "--color", "always"], &[]).expect(1);
    assert!(bad.stderr.contains(ESC), "{}", bad.stderr);
}

#[test]
fn connection_flags_are_only_on_commands_that_connect_under_their_own_heading() {
    let env = Env::new();
    for command in ["plan", "apply", "login"] {
        let help = env.wxcc(&[command, "--help"]).expect(0).stdout;
        let heading = help
            .find("\nConnection:\n")
            .unwrap_or_else(|| panic!("{command} --help has a Connection heading:\n{help}"));
        for flag in [
            "--emulator",
            "--profile",
            "--org",
            "--region",
            "--base-url",
            "--auth-url",
        ] {
            let at = help
                .find(&format!("  {flag} "))
                .unwrap_or_else(|| panic!("{command} {flag}"));
            assert!(
                at > heading,
                "{command}: {flag} is under Connection:\n{help}"
            );
        }
        assert!(!help.contains("=]"), "unset variables show no `=`:\n{help}");
    }
    for command in ["plan", "apply"] {
        let help = env.wxcc(&[command, "--help"]).expect(0).stdout;
        let heading = help.find("\nConnection:\n").expect("heading");
        for own in ["--delete", "--max-delete-percent"] {
            let at = help.find(&format!("  {own} ")).expect(own);
            assert!(
                at < heading,
                "{command}: {own} is the command's own:\n{help}"
            );
        }
    }
    let plan_help = env.wxcc(&["plan", "--help"]).expect(0).stdout;
    let heading = plan_help.find("\nConnection:\n").expect("heading");
    assert!(plan_help.find("--detailed-exitcode").expect("flag") < heading);
    for (command, flag) in [
        ("validate", "--region"),
        ("validate", "--emulator"),
        ("kinds", "--region"),
        ("schema", "--profile"),
        ("logout", "--base-url"),
        ("whoami", "--rate-limit"),
    ] {
        let help = env.wxcc(&[command, "--help"]).expect(0).stdout;
        assert!(
            !help.contains(flag),
            "{command} --help lists {flag}:\n{help}"
        );
    }
    env.write("c.yaml", "site: []\n");
    let kinds = env.wxcc_bare(&["kinds", "--region", "eu9"]).expect(1);
    contains_all(&kinds.stderr, &["unexpected argument '--region'"]);
    env.wxcc_bare(&["validate", "c.yaml", "--emulator"])
        .expect(1);
    assert_eq!(env.total_requests(), 0);
}

#[test]
fn completions_and_man_page_cover_the_real_commands() {
    let env = Env::new();
    for (shell, marker) in [
        ("bash", "_wxcc()"),
        ("zsh", "#compdef wxcc"),
        ("fish", "complete -c wxcc"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[wxcc]"),
    ] {
        let run = env.wxcc_bare(&["completions", shell]).expect(0);
        contains_all(&run.stdout, &[marker, "detailed-exitcode", "auto-approve"]);
    }
    env.wxcc_bare(&["completions", "tcsh"]).expect(1);
    let man = env.wxcc_bare(&["man"]).expect(0).stdout;
    contains_all(&man, &[".TH wxcc", "validate", "plan", "emulator"]);
}

#[test]
fn whoami_describes_ci_credentials_without_showing_them() {
    let env = Env::new();
    let token = format!("c2VjcmV0LWFjY2Vzcw_PF84_{}", env.org);
    let who = env
        .wxcc_with(&["whoami"], &[("WXCC_ACCESS_TOKEN", &token)])
        .expect(0);
    contains_all(
        &who.stdout,
        &[
            "WXCC_ACCESS_TOKEN",
            &format!("{} (from the token)", env.org),
        ],
    );
    assert!(!who.stdout.contains("c2VjcmV0") && !who.stderr.contains("c2VjcmV0"));

    let refresh = format!("cmVmcmVzaC1zZWNyZXQ_PF84_{}", env.org);
    let who = env
        .wxcc_with(
            &["whoami"],
            &[
                ("WXCC_REFRESH_TOKEN", &refresh),
                ("WXCC_CLIENT_ID", "C-integration-id"),
                ("WXCC_CLIENT_SECRET", "s3cret-value"),
            ],
        )
        .expect(0);
    contains_all(
        &who.stdout,
        &[
            "WXCC_REFRESH_TOKEN",
            "C-integration-id",
            &format!("{} (from the token)", env.org),
        ],
    );
    for secret in ["cmVmcmVzaC", "s3cret-value"] {
        assert!(!who.stdout.contains(secret) && !who.stderr.contains(secret));
    }
    assert_eq!(
        env.counters()["tokenRequests"],
        0,
        "whoami is offline: it does not spend the refresh token"
    );

    // An org given explicitly is the one plan would use.
    let who = env
        .wxcc_with(
            &["whoami"],
            &[("WXCC_ACCESS_TOKEN", "opaque"), ("WXCC_ORG_ID", "o-1")],
        )
        .expect(0);
    contains_all(&who.stdout, &["o-1 (WXCC_ORG_ID)"]);

    let nothing = env.wxcc_bare(&["whoami"]).expect(1);
    contains_all(&nothing.stderr, &["not signed in", "wxcc login"]);
}

#[test]
fn whoami_and_login_agree_about_the_emulator() {
    let env = Env::new();
    let who = env.wxcc_bare(&["whoami", "--emulator"]).expect(0);
    let login = env.wxcc_bare(&["login", "--emulator"]).expect(1);
    let sentence = "--emulator needs no `wxcc login`";
    contains_all(&who.stdout, &[sentence, "wxcc-emulator-quickstart"]);
    contains_all(&login.stderr, &[sentence]);
    assert!(!who.stdout.contains("run `wxcc login`"), "{}", who.stdout);
}

#[test]
fn validate_alone_does_not_mention_the_tenant() {
    let env = Env::new();
    env.write("bad.yaml", "site:\n  - name: X\n    active: maybe\n");
    let validate = env.wxcc(&["validate", "bad.yaml"]).expect(1);
    contains_all(&validate.stderr, &["the config is not valid"]);
    assert!(!validate.stderr.contains("tenant"), "{}", validate.stderr);
    let plan = env.wxcc(&["plan", "bad.yaml"]).expect(1);
    contains_all(&plan.stderr, &["nothing was sent to the tenant"]);
    assert_eq!(env.total_requests(), 0);
}

/// The emulator's state is owned by one process: a running `wxcc emulator serve` refuses
/// an `--emulator` run (which would otherwise write the file the server then overwrites),
/// saying who holds it, and `emulator reset` too; once it stops, both work.
#[test]
fn a_running_server_owns_the_emulator_state() {
    let env = Env::new();
    env.copy_example("acme");
    let mut server = env.spawn(&["emulator", "serve", "--port", "0"], &[]);
    let url = server_url(&mut server);
    let pid = server.id();

    let apply = env.wxcc_bare(&["apply", "acme", "--emulator", "--auto-approve"]);
    let reset = env.wxcc_bare(&["emulator", "reset"]);
    let stopped = stop(server);
    let apply = apply.expect(1);
    contains_all(
        &apply.stderr,
        &[
            ".wxcc/emulator.json is in use by `wxcc emulator serve`",
            &format!("pid {pid}"),
            &url,
        ],
    );
    contains_all(
        &reset.expect(1).stderr,
        &["in use by `wxcc emulator serve`"],
    );
    assert!(!stopped.contains("panicked"), "{stopped}");

    let state = std::fs::read_to_string(env.path().join(".wxcc/emulator.json")).expect("state");
    assert!(
        !state.contains("Chicago"),
        "the refused apply wrote nothing"
    );
    let applied = env
        .wxcc_bare(&["apply", "acme", "--emulator", "--auto-approve"])
        .expect(0);
    contains_all(&applied.stdout, &["Apply complete: 11 created"]);
}

#[test]
fn emulator_reset_starts_a_new_tenant() {
    let env = Env::new();
    env.copy_example("acme");
    env.wxcc_bare(&["apply", "acme", "--emulator", "--auto-approve"])
        .expect(0);
    let again = env.wxcc_bare(&["plan", "acme", "--emulator"]).expect(0);
    assert_eq!(again.stdout, "No changes.\n");
    let state = env.path().join(".wxcc/emulator.json");
    assert!(state.is_file());
    let reset = env.wxcc_bare(&["emulator", "reset"]).expect(0);
    contains_all(&reset.stdout, &["(.wxcc/emulator.json) is reset"]);
    assert!(!state.exists(), "the state file is gone");
    let fresh = env.wxcc_bare(&["plan", "acme", "--emulator"]).expect(0);
    assert!(
        fresh.stdout.ends_with(
            "Plan: 11 to create, 0 to update, 0 to delete.\nApply: ~3 requests, ~1 s at 300/min\n"
        ),
        "{}",
        fresh.stdout
    );
    // Reset twice in a row: nothing to remove is not an error.
    env.wxcc_bare(&["emulator", "reset"]).expect(0);
    env.wxcc_bare(&["emulator", "reset"]).expect(0);
    assert!(!state.exists());
}

/// Reads the server's banner up to its URL.
fn server_url(server: &mut Child) -> String {
    let mut out = server.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"\n") {
        match out.read(&mut byte) {
            Ok(1) => seen.push(byte[0]),
            _ => panic!("the server stopped: {}", String::from_utf8_lossy(&seen)),
        }
    }
    let line = String::from_utf8_lossy(&seen).into_owned();
    line.trim()
        .rsplit(' ')
        .next()
        .expect("url in the banner")
        .to_string()
}

/// Stops a spawned server; its stderr.
fn stop(mut child: Child) -> String {
    let _ = child.kill();
    let out = child.wait_with_output().expect("wait");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A run of `wxcc` on a pseudo-terminal (stdin, stdout and stderr), as a user at a terminal
/// sees it.
struct Terminal {
    child: Child,
    master: std::fs::File,
    seen: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Terminal {
    fn start(env: &Env, args: &[&str]) -> Terminal {
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize {
            ws_row: 40,
            ws_col: 160,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two descriptors into the given integers; the name and
        // termios pointers may be null.
        let made = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(made, 0, "openpty");
        // SAFETY: both descriptors were just opened and are owned here alone.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wxcc"));
        for var in WXCC_VARS {
            cmd.env_remove(var);
        }
        cmd.args(args)
            .current_dir(env.path())
            .env("NO_COLOR", "1")
            .env("TERM", "xterm-256color")
            .env("WXCC_CONFIG_DIR", env.config_dir())
            .env("WXCC_BASE_URL", &env.url)
            .env("WXCC_ACCESS_TOKEN", &env.token)
            .stdin(Stdio::from(slave.try_clone().expect("dup")))
            .stdout(Stdio::from(slave.try_clone().expect("dup")))
            .stderr(Stdio::from(slave));
        // SAFETY: only async-signal-safe calls between fork and exec: a new session, with
        // the terminal on stdin as its controlling terminal.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                libc::ioctl(0, libc::TIOCSCTTY, 0);
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn wxcc");
        drop(cmd);
        let master = std::fs::File::from(master);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut reading = master.try_clone().expect("dup master");
        let sink = seen.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // Ends with EIO once the child and every copy of the terminal are gone.
            while let Ok(n) = reading.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().expect("lock").extend_from_slice(&buf[..n]);
            }
        });
        Terminal {
            child,
            master,
            seen,
            reader: Some(reader),
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.seen.lock().expect("lock")).into_owned()
    }

    /// Waits until the terminal shows `what` (the run fails after a minute, never sooner).
    fn wait_for(&self, what: &str) {
        let start = Instant::now();
        while !self.text().contains(what) {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "never showed {what:?}:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn type_keys(&mut self, keys: &str) {
        self.master.write_all(keys.as_bytes()).expect("type");
    }

    /// Waits for the run to end; its exit code and everything it showed.
    fn finish(mut self) -> (i32, String) {
        let status = self.child.wait().expect("wait");
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        (status.code().unwrap_or(-1), self.text())
    }
}

/// Runs `wxcc` on a terminal, answers its question with `n`; what it showed (it must fail).
fn answer_no(env: &Env, args: &[&str]) -> String {
    let mut run = Terminal::start(env, args);
    run.wait_for("?");
    run.type_keys("n");
    let (code, shown) = run.finish();
    assert_eq!(code, 1, "{shown}");
    shown
}

#[test]
fn the_confirmation_prompt_counts_changes_and_calls_out_deletes() {
    let env = Env::new();
    let acme = env.copy_example("acme");
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    let writes = env.writes();
    env.write(
        "acme/sites.yaml",
        "site:\n  - name: Chicago\n    description: Moved\n    active: true\n    multimediaProfileId: Voice Only\n",
    );
    let shown = answer_no(&env, &["apply", "acme"]);
    contains_all(
        &shown,
        &["Apply this change to http://127.0.0.1", "apply cancelled"],
    );
    assert!(!shown.contains("these 1 changes"), "{shown}");

    // One team kept and changed, the other five deleted: six changes, five of them deletes.
    assert!(acme.join("teams.yaml").is_file());
    env.write(
        "acme/teams.yaml",
        "team:\n  - name: Billing Tier 1\n    description: Kept\n    siteId: Chicago\n    teamType: AGENT\n    teamStatus: IN_SERVICE\n    active: true\n    rankQueuesForTeam: false\n",
    );
    std::fs::remove_file(acme.join("sites.yaml")).expect("rm");
    let shown = answer_no(
        &env,
        &[
            "apply",
            "acme",
            "--delete",
            "team",
            "--max-delete-percent",
            "100",
        ],
    );
    contains_all(
        &shown,
        &["Apply these 6 changes (5 of them DELETES) to http://127.0.0.1"],
    );
    assert_eq!(env.writes(), writes, "nothing was applied");
}

fn throttle(env: &Env) {
    env.admin(
        "PUT",
        "/settings",
        Some(json!({"rateLimit": {"requests": 2, "windowSeconds": 3}})),
    );
}

#[test]
fn progress_shows_on_a_terminal_with_rate_limit_waits_and_nowhere_else() {
    let env = Env::new();
    env.copy_example("acme");
    throttle(&env);
    let (code, shown) = Terminal::start(&env, &["plan", "acme"]).finish();
    assert_eq!(code, 0, "{shown}");
    contains_all(
        &shown,
        &[
            "reading the tenant:",
            "kinds",
            "requests",
            "waiting",
            "Retry-After",
            "Plan: 11 to create",
        ],
    );
    assert!(env.counters()["rateLimited"].as_u64().unwrap_or(0) > 0);

    // Off a terminal: nothing but the plan, even while rate-limited.
    let env = Env::new();
    env.copy_example("acme");
    throttle(&env);
    let piped = env.wxcc(&["plan", "acme"]).expect(0);
    assert_eq!(piped.stderr, "", "nothing extra off a terminal");
    assert!(env.counters()["rateLimited"].as_u64().unwrap_or(0) > 0);

    // --quiet on a terminal: no progress either.
    let env = Env::new();
    env.copy_example("acme");
    throttle(&env);
    let (code, shown) = Terminal::start(&env, &["plan", "acme", "--quiet"]).finish();
    assert_eq!(code, 0, "{shown}");
    assert!(!shown.contains("reading the tenant"), "{shown}");
    assert!(!shown.contains("waiting"), "{shown}");
    contains_all(&shown, &["Plan: 11 to create"]);
}
