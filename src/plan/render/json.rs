//! The machine rendering: the plan as data (`--format json`).

use serde_json::{Value, json};

use crate::plan::{Action, Change, Pass, Plan};

pub(super) fn render(plan: &Plan) -> String {
    let mut text = serde_json::to_string_pretty(&document(plan)).unwrap_or_default();
    text.push('\n');
    text
}

/// The plan as a JSON document: the summary, each change, and the request budget.
pub fn document(plan: &Plan) -> Value {
    let changes: Vec<Value> = plan.changes.iter().map(change).collect();
    let mut doc = json!({
        "summary": {
            "create": plan.count(Action::Create),
            "update": plan.count(Action::Update),
            "delete": plan.count(Action::Delete),
        },
        "changes": changes,
    });
    if let (Some(b), Some(map)) = (plan.budget, doc.as_object_mut()) {
        map.insert(
            "budget".into(),
            json!({"requests": b.requests, "seconds": b.seconds(), "ratePerMinute": b.per_minute}),
        );
    }
    doc
}

/// How a pass is named in JSON.
pub fn pass_name(pass: Pass) -> &'static str {
    match pass {
        Pass::Main => "main",
        Pass::BackLinks => "back-links",
        Pass::Cleanup => "cleanup",
    }
}

fn change(c: &Change) -> Value {
    json!({
        "action": c.action.word(),
        "kind": c.kind.name,
        "key": c.key,
        "pass": pass_name(c.pass),
        "id": c.live_id,
        "version": c.live_version,
        "lastUpdatedTime": c.live_last_updated,
        "renamedFrom": c.renamed_from,
        "diffs": c.diffs.iter().map(|d| json!({"path": d.path, "before": d.before, "after": d.after})).collect::<Vec<_>>(),
    })
}
