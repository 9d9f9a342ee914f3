//! The machine rendering: the plan as data (`--format json`).

use serde_json::{Value, json};

use crate::plan::{Action, Pass, Plan};

pub(super) fn render(plan: &Plan) -> String {
    let changes: Vec<Value> = plan
        .changes
        .iter()
        .map(|c| {
            json!({
                "action": c.action.word(),
                "kind": c.kind.name,
                "key": c.key,
                "pass": match c.pass {
                    Pass::Main => "main",
                    Pass::BackLinks => "back-links",
                    Pass::Cleanup => "cleanup",
                },
                "id": c.live_id,
                "version": c.live_version,
                "lastUpdatedTime": c.live_last_updated,
                "renamedFrom": c.renamed_from,
                "diffs": c.diffs.iter().map(|d| json!({"path": d.path, "before": d.before, "after": d.after})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let doc = json!({
        "summary": {
            "create": plan.count(Action::Create),
            "update": plan.count(Action::Update),
            "delete": plan.count(Action::Delete),
        },
        "changes": changes,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}
