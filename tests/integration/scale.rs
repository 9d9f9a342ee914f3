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
