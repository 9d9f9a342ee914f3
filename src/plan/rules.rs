//! The catalogue's rules across objects (`catalogue::RULES`), checked at plan time against
//! desired and live together, before anything is written: a user's teams, the value
//! fields of a skill profile's skills, and renames of objects others point at.

use serde_json::Value;

use crate::catalogue::{Check, KINDS, Kind, Rule, SKILL_VALUE_FIELDS, rules_for};
use crate::model::{Desired, DesiredObject, Diagnostic, KeyIndex, Live, LiveObject, ids_to_keys};

/// Desired and live together, in key space.
pub(super) struct World<'a> {
    pub desired: &'a Desired,
    pub live: &'a Live,
    pub index: &'a KeyIndex,
}

impl World<'_> {
    /// A field of the object `key` of `kind` as it will be after the apply: the declared
    /// value if the config declares it, else the live one (references as keys).
    fn field(&self, kind: &'static Kind, key: &str, field: &str) -> Option<Value> {
        if let Some(d) = self.desired.find(kind.name, key)
            && let Some(v) = d.body.get(field)
        {
            return Some(v.clone());
        }
        let live = self.live_object(kind, key)?;
        let mut body = Value::Object(live.body.clone());
        ids_to_keys(kind, &mut body, self.index);
        body.get(field).cloned()
    }

    fn live_object(&self, kind: &'static Kind, key: &str) -> Option<&LiveObject> {
        // The index knows qualified keys (`Site/Name`) and renames.
        if let Some(o) = self
            .index
            .id_of(kind.name, key)
            .and_then(|id| self.live.by_id(kind.name, id))
        {
            return Some(o);
        }
        // A declared object renamed from a former name.
        let d = self.desired.find(kind.name, key)?;
        d.settings.former_names.iter().find_map(|f| {
            let found = self.live.by_key(kind.name, f);
            (found.len() == 1).then(|| found[0])
        })
    }
}

/// Every breach of a rule across objects by the declared `object`.
pub(super) fn cross_object(object: &DesiredObject, world: &World<'_>) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for rule in rules_for(object.kind.name) {
        match rule.check {
            Check::TeamsAtUserSite => user_teams(object, world, rule, false, &mut diags),
            Check::NoCapacityTeams => user_teams(object, world, rule, true, &mut diags),
            Check::SkillValueMatchesType => skill_values(object, world, rule, &mut diags),
            _ => {}
        }
    }
    diags
}

fn help(rule: &Rule) -> String {
    format!("{} ({})", rule.says, rule.evidence)
}

fn user_teams(
    object: &DesiredObject,
    world: &World<'_>,
    rule: &Rule,
    capacity: bool,
    diags: &mut Vec<Diagnostic>,
) {
    let (Some(team_kind), Some(user_kind)) = (Kind::named("team"), Kind::named("user")) else {
        return;
    };
    // Teams the config leaves out stay as they are live, and the service checks them
    // against the user's new site all the same.
    let declared = object.body.get("teamIds").is_some();
    let Some(Value::Array(teams)) = world.field(user_kind, &object.key, "teamIds") else {
        return;
    };
    let site = world.field(user_kind, &object.key, "siteId");
    let site = site.as_ref().and_then(Value::as_str);
    for (i, team) in teams.iter().enumerate() {
        let Some(team) = team.as_str() else { continue };
        let pointer = if declared {
            format!("/teamIds/{i}")
        } else {
            "/siteId".to_string()
        };
        let kept = if declared {
            ""
        } else {
            " (kept from live: `teamIds` is not declared)"
        };
        if capacity {
            let team_type = world.field(team_kind, team, "teamType");
            if team_type.as_ref().and_then(Value::as_str) == Some("CAPACITY") {
                diags.push(
                    Diagnostic::error(
                        format!("team `{team}`{kept} is a CAPACITY team, which takes no users"),
                        object.value_span(&pointer),
                        "a CAPACITY team",
                    )
                    .with_help(format!(
                        "remove it from `teamIds`, or name an AGENT team; {}",
                        help(rule)
                    )),
                );
            }
            continue;
        }
        let team_site = world.field(team_kind, team, "siteId");
        let team_site = team_site.as_ref().and_then(Value::as_str);
        if let (Some(site), Some(team_site)) = (site, team_site)
            && site != team_site
        {
            diags.push(
                Diagnostic::error(
                    format!(
                        "team `{team}`{kept} is at site `{team_site}`, but user `{}` is at site `{site}`",
                        object.key
                    ),
                    object.value_span(&pointer),
                    "a team of another site",
                )
                .with_help(format!(
                    "declare `teamIds` with teams of site `{site}`, or move the user with `siteId: {team_site}`; {}",
                    help(rule)
                )),
            );
        }
    }
}

fn skill_values(
    object: &DesiredObject,
    world: &World<'_>,
    rule: &Rule,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(Value::Array(entries)) = object.body.get("activeSkills") else {
        return;
    };
    let Some(skill_kind) = Kind::named("skill") else {
        return;
    };
    for (i, entry) in entries.iter().enumerate() {
        let Some(skill) = entry.get("skillId").and_then(Value::as_str) else {
            continue;
        };
        let Some(skill_type) = world
            .field(skill_kind, skill, "skillType")
            .and_then(|v| v.as_str().map(str::to_string))
        else {
            continue;
        };
        let own = SKILL_VALUE_FIELDS
            .iter()
            .find(|(t, _)| *t == skill_type)
            .map(|(_, f)| *f);
        let Some(own) = own else {
            diags.push(
                Diagnostic::error(
                    format!(
                        "skill `{skill}` is an {skill_type} skill, which `activeSkills` cannot hold"
                    ),
                    object.value_span(&format!("/activeSkills/{i}/skillId")),
                    format!("an {skill_type} skill"),
                )
                .with_help(format!(
                    "list its value under `activeEnumSkills` as `{skill}/<value>`; {}",
                    help(rule)
                )),
            );
            continue;
        };
        for (_, other) in SKILL_VALUE_FIELDS.iter().filter(|(_, f)| *f != own) {
            if entry.get(*other).is_some() {
                diags.push(
                    Diagnostic::error(
                        format!(
                            "`{other}` does not apply to skill `{skill}`, a {skill_type} skill"
                        ),
                        object.field_span(&format!("/activeSkills/{i}/{other}")),
                        format!("not a {skill_type} value"),
                    )
                    .with_help(format!("write `{own}` instead; {}", help(rule))),
                );
            }
        }
    }
}

/// A rename of `live_object` (from `from` to the object's key): refused while live objects
/// point at it, unless the kind's renames are unchecked, which is a warning naming the risk.
pub(super) fn rename(
    object: &DesiredObject,
    live_object: &LiveObject,
    from: &str,
    world: &World<'_>,
) -> Vec<Diagnostic> {
    let kind = object.kind;
    let mut diags = Vec::new();
    for rule in rules_for(kind.name) {
        match rule.check {
            Check::RenameUnchecked { risk } => {
                return vec![
                    Diagnostic::warning(
                        format!("{} `{from}` is renamed to `{}`", kind.name, object.key),
                        object.key_span,
                        "renamed",
                    )
                    .with_help(format!("{risk} ({})", rule.evidence)),
                ];
            }
            Check::RenameReferenced => {
                let referrers = referrers(kind, live_object, world);
                if !referrers.is_empty() {
                    diags.push(
                        Diagnostic::error(
                            format!(
                                "{} `{from}` cannot be renamed to `{}` while other objects point at it: {}",
                                kind.name,
                                object.key,
                                referrers.join(", ")
                            ),
                            object.key_span,
                            "a referenced object",
                        )
                        .with_help(format!(
                            "the API refuses the rename (412); keep the name `{from}`, or declare a new {} under `{}`, point those objects at it, and delete `{from}` in a later run ({})",
                            kind.name, object.key, rule.evidence
                        )),
                    );
                }
            }
            _ => {}
        }
    }
    diags
}

/// The live objects that point at `target`, as "team `Tier 1` (siteId)".
fn referrers(target_kind: &Kind, target: &LiveObject, world: &World<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for kind in KINDS {
        for reference in kind
            .references
            .iter()
            .filter(|r| r.target == target_kind.name && r.within.is_none())
        {
            for o in world.live.of_kind(kind.name) {
                let mut points = false;
                crate::model::FieldPath::parse(reference.field)
                    .visit(&Value::Object(o.body.clone()), &mut |_, v| {
                        points |= v.as_str() == Some(target.id.as_str())
                    });
                if points {
                    let key = o.key.clone().unwrap_or_else(|| o.id.clone());
                    out.push(format!("{} `{key}` ({})", kind.name, reference.field));
                }
            }
        }
    }
    out
}
