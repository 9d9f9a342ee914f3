//! The one place where the client corrects the official DTO schemas. Each fix names the
//! defect and the evidence in `docs/api-notes.md` ("live probes beat the
//! spec") or the research behind the catalogue. A fix either tightens the schema to what
//! the live service refuses, or corrects what the spec gets wrong (enum casing, fields it
//! calls required that live does not need and a config could not sensibly set). Rules the
//! schema language says badly carry an `x-wxcc-note` that validation shows as help.

use serde_json::{Map, Value, json};

struct SpecFix {
    schema: &'static str,
    /// What is wrong in the spec, and how we know.
    why: &'static str,
    apply: fn(&mut Value),
}

/// The twenty resource types a resource collection must list (docs/api-notes.md §3.10).
pub const RESOURCE_TYPES: &[&str] = &[
    "audio-prompt",
    "working-hour",
    "queue",
    "idle-wrapup-code",
    "holiday-list",
    "function",
    "sub-flow",
    "team",
    "desktop-profile",
    "desktop-layout",
    "cad-variable",
    "address-book",
    "site",
    "flow",
    "multimedia-profile",
    "skill-profile",
    "channel",
    "skill-definition",
    "override",
    "outdial-ani",
];

static FIXES: &[SpecFix] = &[
    SpecFix {
        schema: "MultimediaProfileDTO",
        why: "`manuallyAssignable` is optional in the spec but a live create without it is refused with 400 (§3.2, LIVE-3P)",
        apply: |s| add_required(s, "manuallyAssignable"),
    },
    SpecFix {
        schema: "MultimediaProfileDTO",
        why: "`blendingMode` is a plain string in the schema; the field text and live 400s limit it to BLENDED, BLENDED_REALTIME, EXCLUSIVE (§3.2)",
        apply: |s| {
            set(
                s,
                "/properties/blendingMode/enum",
                json!(["BLENDED", "BLENDED_REALTIME", "EXCLUSIVE"]),
            )
        },
    },
    SpecFix {
        schema: "ContactNumberDTO",
        why: "a contact number longer than nine characters is refused (400 `should not be more than 9 characters`, §3.8)",
        apply: |s| set(s, "/properties/number/maxLength", json!(9)),
    },
    SpecFix {
        schema: "TeamDTO",
        why: "`rankQueuesForTeam` is listed as required but live creates succeed without it (§3.21, LIVE-3P)",
        apply: |s| remove_required(s, "rankQueuesForTeam"),
    },
    SpecFix {
        schema: "SkillDTO",
        why: "the `skillType` enum says Proficiency|Boolean|Text|enum; the spec's own example and live tenants use BOOLEAN, PROFICIENCY, TEXT, ENUM (§3.3)",
        apply: |s| {
            set(
                s,
                "/properties/skillType/enum",
                json!(["BOOLEAN", "PROFICIENCY", "TEXT", "ENUM"]),
            )
        },
    },
    SpecFix {
        schema: "SkillDTO",
        why: "an ENUM skill must ship at least one value (400 `Enum skill should have atleast one value`, §3.3)",
        apply: |s| {
            add_rule(
                s,
                json!({"properties": {"skillType": {"const": "ENUM"}}, "required": ["skillType"]}),
                json!({"required": ["enumSkillValues"], "properties": {"enumSkillValues": {"minItems": 1}},
                       "x-wxcc-note": "an ENUM skill needs at least one entry in `enumSkillValues`"}),
            )
        },
    },
    SpecFix {
        schema: "SkillProfileDTO",
        why: "`activeSkills` is required, but the field text and live 400 (`Atleast one skill is mandatory.`) ask for at least one of activeSkills / activeEnumSkills (§3.14, §1.6)",
        apply: |s| {
            remove_required(s, "activeSkills");
            if let Value::Object(m) = s {
                m.insert(
                    "anyOf".into(),
                    json!([
                        {"required": ["activeSkills"], "properties": {"activeSkills": {"minItems": 1}}},
                        {"required": ["activeEnumSkills"], "properties": {"activeEnumSkills": {"minItems": 1}}}
                    ]),
                );
                m.insert("x-wxcc-note-anyOf".into(), json!("a skill profile needs at least one entry in `activeSkills` or `activeEnumSkills`"));
            }
        },
    },
    SpecFix {
        schema: "ActiveSkillDTO",
        why: "`booleanValue` is required, but proficiency and text skills carry `proficiencyValue` / `textValue` instead (live create body, docs/api-notes.md §3.14)",
        apply: |s| remove_required(s, "booleanValue"),
    },
    SpecFix {
        schema: "CadVariableDTO",
        why: "the `variableType` enum lists two casings; live data uses String, Integer, DateTime, Boolean, Decimal (§3.5)",
        apply: |s| {
            set(
                s,
                "/properties/variableType/enum",
                json!(["String", "Integer", "DateTime", "Boolean", "Decimal"]),
            )
        },
    },
    SpecFix {
        schema: "CadVariableDTO",
        why: "an agent-viewable variable needs `desktopLabel` (live 400, §3.5)",
        apply: |s| {
            add_rule(
                s,
                json!({"properties": {"agentViewable": {"const": true}}, "required": ["agentViewable"]}),
                json!({"required": ["desktopLabel"], "x-wxcc-note": "a variable agents can see (`agentViewable: true`) needs a `desktopLabel`"}),
            )
        },
    },
    SpecFix {
        schema: "EntryPointDTO",
        why: "`assetId`, `controlFlowScriptUrl`, `imiOrgType`, `overflowNumber`, `socialChannelType` are listed as required, but live creates need only name, entryPointType, channelType, serviceLevelThreshold, active, maximumActiveContacts (§3.16)",
        apply: |s| {
            for f in [
                "assetId",
                "controlFlowScriptUrl",
                "imiOrgType",
                "overflowNumber",
                "socialChannelType",
            ] {
                remove_required(s, f);
            }
        },
    },
    SpecFix {
        schema: "EntryPointDTO",
        why: "`channelType` lacks CUSTOM_MESSAGING and WORK_ITEM, which live tenants use (§3.16)",
        apply: |s| {
            if let Some(Value::Array(e)) = s.pointer_mut("/properties/channelType/enum") {
                for extra in ["CUSTOM_MESSAGING", "WORK_ITEM"] {
                    if !e.iter().any(|v| v == extra) {
                        e.push(json!(extra));
                    }
                }
            }
        },
    },
    SpecFix {
        schema: "DialledNumberEntryPointDTO",
        why: "`entryPointName` is listed as required but is filled by the server; live creates fail without `dialledNumber`, `location` and `regionId` (§3.20)",
        apply: |s| {
            remove_required(s, "entryPointName");
            for f in ["dialledNumber", "location", "regionId"] {
                add_required(s, f);
            }
        },
    },
    SpecFix {
        schema: "DesktopLayoutDTO",
        why: "`validated` is listed as required but is set by the server (layouts come back `validated: false`) and not needed live (§3.11)",
        apply: |s| remove_required(s, "validated"),
    },
    SpecFix {
        schema: "ContactServiceQueueDTO",
        why: "`queueRoutingType` and `checkAgentAvailability` are listed as required but live creates succeed without them (§3.22)",
        apply: |s| {
            remove_required(s, "queueRoutingType");
            remove_required(s, "checkAgentAvailability");
        },
    },
    SpecFix {
        schema: "ContactServiceQueueDTO",
        why: "a TELEPHONY queue needs the five *Permitted flags and `defaultMusicInQueueMediaFileId` (live 400 names them, §3.22)",
        apply: |s| {
            add_rule(
                s,
                json!({"properties": {"channelType": {"const": "TELEPHONY"}}, "required": ["channelType"]}),
                json!({"required": ["monitoringPermitted", "parkingPermitted", "recordingPermitted", "recordingAllCallsPermitted", "pauseRecordingPermitted", "defaultMusicInQueueMediaFileId"],
                       "x-wxcc-note": "a TELEPHONY queue needs monitoringPermitted, parkingPermitted, recordingPermitted, recordingAllCallsPermitted, pauseRecordingPermitted and defaultMusicInQueueMediaFileId"}),
            )
        },
    },
    SpecFix {
        schema: "ContactServiceQueueDTO",
        why: "skills-based routing needs `skillBasedRoutingType` (field text, §3.22)",
        apply: |s| {
            add_rule(
                s,
                json!({"properties": {"routingType": {"const": "SKILLS_BASED"}}, "required": ["routingType"]}),
                json!({"required": ["skillBasedRoutingType"], "x-wxcc-note": "`routingType: SKILLS_BASED` needs `skillBasedRoutingType`"}),
            )
        },
    },
    SpecFix {
        schema: "UserProfileGranularAccessDTO",
        why: "`resourceCollections` items are typed as whole ResourceCollectionDTOs (requiring `name`), but a profile only points at collections by id (§3.17)",
        apply: |s| {
            set(
                s,
                "/properties/resourceCollections/items",
                json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}),
            )
        },
    },
    SpecFix {
        schema: "UserProfileGranularAccessDTO",
        why: "ADMINISTRATOR_ONLY and STANDARD_AGENT profiles need `permissionAccessLevel: SPECIFIC`, and SPECIFIC needs `permissions` (live 400s, §3.17)",
        apply: |s| {
            add_rule(
                s,
                json!({"properties": {"profileType": {"enum": ["ADMINISTRATOR_ONLY", "STANDARD_AGENT"]}}, "required": ["profileType"]}),
                json!({"properties": {"permissionAccessLevel": {"const": "SPECIFIC", "x-wxcc-note": "ADMINISTRATOR_ONLY and STANDARD_AGENT profiles need `permissionAccessLevel: SPECIFIC`"}}}),
            );
            add_rule(
                s,
                json!({"properties": {"permissionAccessLevel": {"const": "SPECIFIC"}}, "required": ["permissionAccessLevel"]}),
                json!({"required": ["permissions"], "properties": {"permissions": {"minItems": 1}}, "x-wxcc-note": "`permissionAccessLevel: SPECIFIC` needs a `permissions` list"}),
            );
        },
    },
    SpecFix {
        schema: "OutdialANIDTO",
        why: "live creates need `outdialANIEntries` (§3.19)",
        apply: |s| {
            add_required(s, "outdialANIEntries");
            set(s, "/properties/outdialANIEntries/minItems", json!(1));
        },
    },
    SpecFix {
        schema: "HolidaysDTO",
        why: "a Yearly holiday needs `recurrence.specificMonth`; a Monthly one `specificDayOfMonth` or `occurrenceInTheMonth` (live 400s, §3.6)",
        apply: |s| {
            add_rule(
                s,
                json!({"properties": {"frequency": {"const": "Yearly"}}, "required": ["frequency"]}),
                json!({"required": ["recurrence"], "properties": {"recurrence": {"required": ["specificMonth"]}},
                       "x-wxcc-note": "a Yearly holiday needs `recurrence` with `specificMonth`"}),
            );
            add_rule(
                s,
                json!({"properties": {"frequency": {"const": "Monthly"}}, "required": ["frequency"]}),
                json!({"required": ["recurrence"], "x-wxcc-note": "a Monthly holiday needs `recurrence` with `specificDayOfMonth` or `occurrenceInTheMonth`"}),
            );
        },
    },
    SpecFix {
        schema: "AgentProfileDTO",
        why: "`autoWrapAfterSeconds` is refused unless `autoWrapUp: true` is in the same request (400 `autoWrapAfterSeconds should be specified when autoWrapUp is true`, §3.23)",
        apply: |s| {
            add_rule(
                s,
                json!({"required": ["autoWrapAfterSeconds"]}),
                json!({"required": ["autoWrapUp"], "properties": {"autoWrapUp": {"const": true, "x-wxcc-note": "`autoWrapAfterSeconds` needs `autoWrapUp: true`"}},
                       "x-wxcc-note": "`autoWrapAfterSeconds` needs `autoWrapUp: true`"}),
            )
        },
    },
    SpecFix {
        schema: "ResourceCollectionDTO",
        why: "live creates need `resources` listing all twenty resource types, and site, channel, team and queue may not be NONE (400s, §3.10)",
        apply: |s| {
            add_required(s, "resources");
            let mut all = Vec::new();
            for name in RESOURCE_TYPES {
                all.push(json!({"contains": {"required": ["name"], "properties": {"name": {"const": name}}},
                                "x-wxcc-note": format!("`resources` needs an entry for `{name}`: a resource collection lists all twenty resource types")}));
            }
            for name in ["site", "channel", "team", "queue"] {
                all.push(json!({"items": {"if": {"properties": {"name": {"const": name}}, "required": ["name"]},
                                          "then": {"properties": {"accessLevel": {"not": {"const": "NONE"}, "x-wxcc-note": format!("the `{name}` resources of a collection cannot be NONE")}}}}}));
            }
            set(s, "/properties/resources/allOf", Value::Array(all));
        },
    },
    SpecFix {
        schema: "EntryPointDTO",
        why: "an OUTBOUND entry point is TELEPHONY only (field text, §3.16)",
        apply: |s| {
            add_rule(
                s,
                json!({"properties": {"entryPointType": {"const": "OUTBOUND"}}, "required": ["entryPointType"]}),
                json!({"properties": {"channelType": {"const": "TELEPHONY", "x-wxcc-note": "an OUTBOUND entry point takes `channelType: TELEPHONY` only; digital channels are INBOUND"}}}),
            )
        },
    },
    SpecFix {
        schema: "AddressBookWithEntriesDTO",
        why: "an address book with `parentType: SITE` names its site in `siteId` (§3.18; the service refuses a SITE book without one)",
        apply: |s| site_parent_needs_site(s, "an address book"),
    },
    SpecFix {
        schema: "AgentProfileDTO",
        why: "a desktop profile with `parentType: SITE` names its site in `siteId` (§3.23, the same rule as address books, §3.18)",
        apply: |s| site_parent_needs_site(s, "a desktop profile"),
    },
    SpecFix {
        schema: "UserProfileGranularAccessDTO",
        why: "`resourceAccessLevel: SPECIFIC` needs at least one entry in `resourceCollections` (§3.17)",
        apply: |s| {
            add_rule(
                s,
                json!({"properties": {"resourceAccessLevel": {"const": "SPECIFIC"}}, "required": ["resourceAccessLevel"]}),
                json!({"required": ["resourceCollections"], "properties": {"resourceCollections": {"minItems": 1}},
                       "x-wxcc-note": "`resourceAccessLevel: SPECIFIC` needs a `resourceCollections` list naming at least one resource collection"}),
            )
        },
    },
    SpecFix {
        schema: "WorkingHoursDTO",
        why: "`startTime` and `endTime` are `HH:MM`, 24-hour (§3.15); the spec types them as free text",
        apply: |s| {
            for f in ["startTime", "endTime"] {
                format(
                    s,
                    f,
                    HOUR_MINUTE,
                    "a 24-hour time `HH:MM`, from 00:00 to 23:59",
                );
            }
        },
    },
    SpecFix {
        schema: "HolidaysDTO",
        why: "holiday dates are `YYYY-MM-DD` and times `HH:MM` (§3.6); the spec types them as free text",
        apply: |s| {
            for f in ["startDate", "endDate"] {
                format(s, f, DATE, "a date `YYYY-MM-DD`");
            }
            for f in ["startTime", "endTime"] {
                format(
                    s,
                    f,
                    HOUR_MINUTE,
                    "a 24-hour time `HH:MM`, from 00:00 to 23:59",
                );
            }
        },
    },
    SpecFix {
        schema: "OverrideDTO",
        why: "override start and end are `YYYY-MM-DDTHH:MM`, no seconds, no zone (§3.7); the spec types them as free text",
        apply: |s| {
            for f in ["startDateTime", "endDateTime"] {
                format(
                    s,
                    f,
                    DATE_TIME_MINUTE,
                    "a date and time `YYYY-MM-DDTHH:MM` (no seconds, no zone)",
                );
            }
        },
    },
];

/// `HH:MM`, 00:00 to 23:59.
const HOUR_MINUTE: &str = "^([01][0-9]|2[0-3]):[0-5][0-9]$";
/// `YYYY-MM-DD` with a month 01..12 and a day 01..31.
const DATE: &str = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
/// `YYYY-MM-DDTHH:MM`.
const DATE_TIME_MINUTE: &str =
    "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]$";

/// The `why` of every fix to a DTO or to the DTOs it nests, for `docs/kinds.md`.
pub fn fixes_for(dto: &str) -> Vec<&'static str> {
    let mut names = vec![dto.to_string()];
    let mut i = 0;
    while i < names.len() {
        if let Some(d) = super::DtoSchemas::get().dto(&names[i]) {
            nested_dtos(d.schema(), &mut names);
        }
        i += 1;
    }
    FIXES
        .iter()
        .filter(|f| names.iter().any(|n| n == f.schema))
        .map(|f| f.why)
        .collect()
}

fn nested_dtos(schema: &Value, names: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/definitions/"))
                && !names.iter().any(|n| n == name)
            {
                names.push(name.to_string());
            }
            map.values().for_each(|v| nested_dtos(v, names));
        }
        Value::Array(items) => items.iter().for_each(|v| nested_dtos(v, names)),
        _ => {}
    }
}

/// A string field gets a format pattern and a note saying it in words.
fn format(schema: &mut Value, field: &str, pattern: &str, words: &str) {
    set(
        schema,
        &format!("/properties/{field}/pattern"),
        json!(pattern),
    );
    set(
        schema,
        &format!("/properties/{field}/x-wxcc-note"),
        json!(format!("`{field}` must be {words}")),
    );
}

/// `parentType: SITE` requires a non-empty `siteId`.
fn site_parent_needs_site(schema: &mut Value, what: &str) {
    add_rule(
        schema,
        json!({"properties": {"parentType": {"const": "SITE"}}, "required": ["parentType"]}),
        json!({"required": ["siteId"], "properties": {"siteId": {"minLength": 1}},
               "x-wxcc-note": format!("{what} with `parentType: SITE` needs `siteId`: the site it belongs to (or use `parentType: ORGANIZATION`)")}),
    )
}

/// Applies every fix to the definitions.
pub(super) fn apply(definitions: &mut Map<String, Value>) {
    // SiteDTO and ResourceCollectionDTO name patterns `^[a-zA-Z\d-_\s]+$` are not valid
    // ECMA-262 classes (`\d-_` makes a range from a class). The server's Java regex reads
    // the `-` as a literal, allowing letters, digits, `-`, `_` and whitespace (§3.10, §3.12),
    // so every such pattern is rewritten with the `-` escaped.
    for schema in definitions.values_mut() {
        escape_class_ranges(schema);
    }
    for fix in FIXES {
        debug_assert!(!fix.why.is_empty());
        if let Some(schema) = definitions.get_mut(fix.schema) {
            (fix.apply)(schema);
        }
    }
}

fn escape_class_ranges(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(p) if key == "pattern" && p.contains("\\d-_") => {
                        *p = p.replace("\\d-_", "\\d\\-_");
                    }
                    other => escape_class_ranges(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(escape_class_ranges),
        _ => {}
    }
}

fn set(schema: &mut Value, pointer: &str, value: Value) {
    let (parent, last) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    if let Some(Value::Object(map)) = schema.pointer_mut(parent) {
        map.insert(last.to_string(), value);
    }
}

fn add_required(schema: &mut Value, field: &str) {
    if let Value::Object(map) = schema {
        let required = map.entry("required").or_insert_with(|| json!([]));
        if let Value::Array(list) = required
            && !list.iter().any(|v| v == field)
        {
            list.push(json!(field));
        }
    }
}

fn remove_required(schema: &mut Value, field: &str) {
    if let Some(Value::Array(list)) = schema.get_mut("required") {
        list.retain(|v| v != field);
    }
}

/// Adds a conditional rule (`if` … `then` …) to a schema's `allOf`.
fn add_rule(schema: &mut Value, condition: Value, then: Value) {
    if let Value::Object(map) = schema {
        let all = map.entry("allOf").or_insert_with(|| json!([]));
        if let Value::Array(list) = all {
            list.push(json!({"if": condition, "then": then}));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fix_targets_a_real_schema() {
        let doc = crate::spec::document();
        for fix in FIXES {
            assert!(
                doc.pointer(&format!("/components/schemas/{}", fix.schema))
                    .is_some(),
                "fix for missing schema {}",
                fix.schema
            );
        }
    }

    fn valid(dto: &str, body: Value) -> bool {
        super::super::DtoSchemas::get()
            .validator(dto)
            .expect("validator")
            .is_valid(&body)
    }

    #[test]
    fn conditional_rules_hold() {
        let skill = json!({"name": "Tier", "active": true, "serviceLevelThreshold": 30, "skillType": "ENUM"});
        assert!(!valid("SkillDTO", skill.clone()));
        let mut with_values = skill.clone();
        with_values["enumSkillValues"] = json!([{"name": "Gold"}]);
        assert!(valid("SkillDTO", with_values));
        assert!(!valid("SkillProfileDTO", json!({"name": "P"})));
        assert!(valid(
            "SkillProfileDTO",
            json!({"name": "P", "activeEnumSkills": [{"enumSkillValueId": "x"}]})
        ));
        assert!(!valid(
            "AgentProfileDTO",
            json!({"name": "A", "parentType": "ORGANIZATION", "active": true, "accessWrapUpCode": "ALL", "accessIdleCode": "ALL", "accessQueue": "ALL", "accessEntryPoint": "ALL", "accessBuddyTeam": "ALL", "agentDNValidation": "ALL", "viewableStatistics": {"accessQueueStats": "ALL", "accessTeamStats": "ALL"}, "autoWrapAfterSeconds": 5})
        ));
        let mut resources: Vec<Value> = RESOURCE_TYPES
            .iter()
            .map(|n| json!({"name": n, "accessLevel": "ALL"}))
            .collect();
        assert!(valid(
            "ResourceCollectionDTO",
            json!({"name": "R", "resources": resources.clone()})
        ));
        resources.pop();
        assert!(!valid(
            "ResourceCollectionDTO",
            json!({"name": "R", "resources": resources.clone()})
        ));
        resources.push(json!({"name": "outdial-ani", "accessLevel": "ALL"}));
        resources[2] = json!({"name": "queue", "accessLevel": "NONE"});
        assert!(!valid(
            "ResourceCollectionDTO",
            json!({"name": "R", "resources": resources})
        ));
    }
}
