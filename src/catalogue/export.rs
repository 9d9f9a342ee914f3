//! Bulk exports as a read source (docs/api-notes.md §1.9): for a kind whose list rows leave
//! out fields that its `bulk-export` DTO carries, a plan reads those fields a page of
//! objects at a time instead of one item read per object. Each export says, field by
//! field, which item-DTO field it fills from which export-DTO field and how (copied,
//! renamed, a team given as `{siteName, teamName}` turned back into its id); a field the
//! export does not map, or maps only for some of its sub-fields, is read by item.

/// A kind's `bulk-export` endpoint and the item-DTO fields it fills.
#[derive(Debug)]
pub struct BulkExport {
    pub kind: &'static str,
    /// Catalogue path under `/organization/{orgid}/`.
    pub path: &'static str,
    /// The page size asked for (the spec's default for this export).
    pub page_size: u32,
    /// The export field holding the kind's key (rows carry no id; matched by name).
    pub key: &'static str,
    /// Item-DTO fields the list leaves out, and where in the export row each comes from.
    pub fields: &'static [Carried],
    /// The export carries every field the list leaves out, with every sub-field its item
    /// DTO gives them (the server's own bookkeeping aside): a list row plus its export row
    /// is the whole object, so `export` reads the kind through it too.
    pub whole: bool,
}

/// One item-DTO field filled from an export row (or from an entry of a list in it).
#[derive(Debug)]
pub struct Carried {
    /// The field as the item DTO (and so the config) spells it.
    pub field: &'static str,
    pub from: Source,
}

/// How an item-DTO field's value is made from the export's.
#[derive(Debug)]
pub enum Source {
    /// The export field of this name holds the same JSON as the item's field.
    Same(&'static str),
    /// A list of `{siteName, teamName}` (`SiteTeamPairDTO`) under this export field: the
    /// item's list of team ids.
    TeamIds(&'static str),
    /// The entry itself is `{siteName: .., teamName: ..}` (fields named here): the item's
    /// team id.
    TeamId {
        site: &'static str,
        team: &'static str,
    },
    /// A list of objects under this export field, each entry's fields mapped.
    Entries(&'static str, &'static [Carried]),
    /// An object of the item made from fields of the same export row.
    Object(&'static [Carried]),
}

const fn same(field: &'static str) -> Carried {
    Carried {
        field,
        from: Source::Same(field),
    }
}

const fn renamed(field: &'static str, from: &'static str) -> Carried {
    Carried {
        field,
        from: Source::Same(from),
    }
}

/// The exports a plan reads, with the evidence for each mapping (all from the vendored
/// spec, docs/api-notes.md §1.9). Fields left out on purpose are named beside each; the
/// other kinds' exports carry none of what their lists omit (see §1.9).
pub const BULK_EXPORTS: &[BulkExport] = &[
    // ContactServiceQueueBulkExportDTO. `agents` (strings: names or ids, the spec does not
    // say) is not mapped; a queue's agents are not config anyway.
    BulkExport {
        kind: "contact-service-queue",
        whole: false,
        path: "contact-service-queue/bulk-export",
        page_size: 100,
        key: "name",
        fields: &[
            Carried {
                field: "callDistributionGroups",
                // CallDistributionGroupBulkExportDTO {agentGroups[AgentGroupsBulkExportDTO
                // {teamName, siteName}], order, duration}.
                from: Source::Entries(
                    "callDistributionGroups",
                    &[
                        Carried {
                            field: "agentGroups",
                            from: Source::Entries(
                                "agentGroups",
                                &[Carried {
                                    field: "teamId",
                                    from: Source::TeamId {
                                        site: "siteName",
                                        team: "teamName",
                                    },
                                }],
                            ),
                        },
                        same("order"),
                        same("duration"),
                    ],
                ),
            },
            // QueueSkillRequirementDTO, the item's own entry type.
            same("queueSkillRequirements"),
        ],
    },
    // BusinessHoursBulkExportDTO.workingHours[WorkingHoursBulkExportDTO {workingHourName,
    // startTime, endTime, days[]}]: WorkingHoursDTO {name, days, startTime, endTime} with
    // `name` renamed.
    BulkExport {
        kind: "business-hours",
        whole: true,
        path: "business-hours/bulk-export",
        page_size: 10,
        key: "name",
        fields: &[Carried {
            field: "workingHours",
            from: Source::Entries(
                "workingHours",
                &[
                    renamed("name", "workingHourName"),
                    same("days"),
                    same("startTime"),
                    same("endTime"),
                ],
            ),
        }],
    },
    // OutdialANIBulkExportDTO.entryDetails[OutdialANIEntryDetailsDTO {entryName,
    // entryNumber}]: OutdialANIEntryDTO's `name` and `number`. `defaultANIEntry` is not
    // in the export: an entry declaring it is read by item.
    BulkExport {
        kind: "outdial-ani",
        whole: false,
        path: "outdial-ani/bulk-export",
        page_size: 50,
        key: "name",
        fields: &[Carried {
            field: "outdialANIEntries",
            from: Source::Entries(
                "entryDetails",
                &[
                    renamed("name", "entryName"),
                    renamed("number", "entryNumber"),
                ],
            ),
        }],
    },
    // AgentProfileBulkExportDTO. Mapped: what the spec pins down — teams as
    // SiteTeamPairDTO, `loginVoiceOptions` with the item's own enum, the statistics
    // flags under the item's names. Not mapped (read by item when declared): wrapUpCodes,
    // idleCodes, queues, entryPoints, dialPlans, viewableStatsQueue, thresholdRules and
    // agentDNValidationCriterions, plain strings under the item's field names whose
    // content (names or ids) the spec does not say.
    BulkExport {
        kind: "agent-profile",
        whole: false,
        path: "agent-profile/bulk-export",
        page_size: 100,
        key: "name",
        fields: &[
            Carried {
                field: "buddyTeams",
                from: Source::TeamIds("buddyTeamsList"),
            },
            same("loginVoiceOptions"),
            Carried {
                field: "viewableStatistics",
                from: Source::Object(&[
                    same("agentStats"),
                    same("accessQueueStats"),
                    same("loggedInTeamStats"),
                    same("accessTeamStats"),
                    Carried {
                        field: "teams",
                        from: Source::TeamIds("viewableStatsTeam"),
                    },
                ]),
            },
        ],
    },
];

/// The export of `kind`, if it has one a plan reads.
pub fn bulk_export_of(kind: &str) -> Option<&'static BulkExport> {
    BULK_EXPORTS.iter().find(|e| e.kind == kind)
}

/// The export that fills every one of `declared` fields (with their declared values, whose
/// nested keys must be mapped too) for `kind`, if there is one.
pub fn bulk_export_for<'a>(
    kind: &str,
    mut declared: impl Iterator<Item = (&'a str, &'a serde_json::Value)>,
) -> Option<&'static BulkExport> {
    let export = bulk_export_of(kind)?;
    declared
        .all(|(field, value)| {
            export
                .fields
                .iter()
                .any(|c| c.field == field && c.from.covers(value))
        })
        .then_some(export)
}

impl Source {
    /// Whether this source gives every part of `declared` (a config value).
    pub fn covers(&self, declared: &serde_json::Value) -> bool {
        use serde_json::Value;
        let fields_cover = |fields: &[Carried], object: &Value| match object {
            Value::Object(m) => m.iter().all(|(k, v)| {
                fields
                    .iter()
                    .any(|c| c.field == k.as_str() && c.from.covers(v))
            }),
            _ => false,
        };
        match self {
            Source::Same(_) => true,
            Source::TeamIds(_) => matches!(declared, Value::Array(_)),
            Source::TeamId { .. } => declared.is_string(),
            Source::Entries(_, fields) => match declared {
                Value::Array(items) => items.iter().all(|item| fields_cover(fields, item)),
                _ => false,
            },
            Source::Object(fields) => fields_cover(fields, declared),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Kind;
    use serde_json::json;

    /// Every mapped field is one the kind's list leaves out, and a field of its item DTO.
    #[test]
    fn exports_fill_only_what_lists_omit() {
        for export in BULK_EXPORTS {
            let kind = Kind::named(export.kind).expect("a catalogued kind");
            for c in export.fields {
                assert!(kind.list_omits(c.field), "{}.{}", export.kind, c.field);
            }
        }
    }

    /// Every mapping names a field of the item DTO and a field of the export's DTO in the
    /// vendored spec, at the same depth (entries of a list: the list's item schema).
    #[test]
    fn mappings_name_fields_both_dtos_have() {
        let doc = crate::spec::document();
        let schemas = &doc["components"]["schemas"];
        let deref = |schema: &serde_json::Value| -> serde_json::Value {
            let schema = if schema["type"] == "array" {
                &schema["items"]
            } else {
                schema
            };
            match schema["$ref"].as_str() {
                Some(r) => schemas[r.trim_start_matches("#/components/schemas/")].clone(),
                None => schema.clone(),
            }
        };
        fn check(
            fields: &[Carried],
            item: &serde_json::Value,
            row: &serde_json::Value,
            deref: &dyn Fn(&serde_json::Value) -> serde_json::Value,
            at: &str,
        ) {
            for c in fields {
                let item_field = &item["properties"][c.field];
                assert!(
                    item_field.is_object(),
                    "{at}: item DTO has no `{}`",
                    c.field
                );
                let has = |f: &str| row["properties"][f].is_object();
                match &c.from {
                    Source::Same(f) | Source::TeamIds(f) => {
                        assert!(has(f), "{at}: export DTO has no `{f}`");
                    }
                    Source::TeamId { site, team } => {
                        assert!(has(site) && has(team), "{at}: export DTO has no team pair");
                    }
                    Source::Entries(f, inner) => {
                        assert!(has(f), "{at}: export DTO has no `{f}`");
                        let at = format!("{at}.{}", c.field);
                        check(
                            inner,
                            &deref(item_field),
                            &deref(&row["properties"][*f]),
                            deref,
                            &at,
                        );
                    }
                    Source::Object(inner) => {
                        let at = format!("{at}.{}", c.field);
                        check(inner, &deref(item_field), row, deref, &at);
                    }
                }
            }
        }
        let paths = &doc["paths"];
        for export in BULK_EXPORTS {
            let kind = Kind::named(export.kind).expect("a catalogued kind");
            let get = &paths[format!("/organization/{{orgid}}/{}", export.path)]["get"];
            let envelope = deref(&get["responses"]["200"]["content"]["*/*"]["schema"]);
            let row = deref(&envelope["properties"]["resources"]);
            assert!(row["properties"][export.key].is_object(), "{}", export.kind);
            let default = get["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|p| p["name"] == "pageSize")
                .and_then(|p| p["schema"]["default"].as_u64());
            assert_eq!(
                default,
                Some(u64::from(export.page_size)),
                "{}",
                export.kind
            );
            check(export.fields, &schemas[kind.dto], &row, &deref, export.kind);
        }
    }

    /// `whole` is true exactly when every field the list omits is mapped, and every
    /// property of a mapped entry's item DTO is too (ids, versions, timestamps and the org
    /// aside).
    #[test]
    fn whole_exports_map_every_omitted_field_and_sub_field() {
        const BOOKKEEPING: &[&str] = &[
            "organizationId",
            "id",
            "version",
            "createdTime",
            "lastUpdatedTime",
        ];
        let doc = crate::spec::document();
        let schemas = &doc["components"]["schemas"];
        let entry_dto = |schema: &serde_json::Value| {
            let r = schema["items"]["$ref"].as_str().unwrap_or_default();
            schemas[r.trim_start_matches("#/components/schemas/")].clone()
        };
        fn entries_whole(
            fields: &[Carried],
            dto: &serde_json::Value,
            entry_dto: &dyn Fn(&serde_json::Value) -> serde_json::Value,
        ) -> bool {
            fields.iter().all(|c| match &c.from {
                Source::Entries(_, inner) => {
                    let sub = entry_dto(&dto["properties"][c.field]);
                    sub["properties"].as_object().is_some_and(|props| {
                        props.keys().all(|p| {
                            BOOKKEEPING.contains(&p.as_str())
                                || inner.iter().any(|i| i.field == p.as_str())
                        })
                    }) && entries_whole(inner, &sub, entry_dto)
                }
                _ => true,
            })
        }
        for export in BULK_EXPORTS {
            let kind = Kind::named(export.kind).expect("a catalogued kind");
            let all_mapped = kind
                .list_omits
                .iter()
                .all(|f| export.fields.iter().any(|c| c.field == *f));
            let whole = all_mapped && entries_whole(export.fields, &schemas[kind.dto], &entry_dto);
            assert_eq!(export.whole, whole, "{}", export.kind);
        }
    }

    #[test]
    fn a_declared_sub_field_the_export_lacks_means_no_export() {
        let entries = json!([{"name": "Main", "number": "+15550100"}]);
        assert!(
            bulk_export_for("outdial-ani", [("outdialANIEntries", &entries)].into_iter()).is_some()
        );
        let with_default =
            json!([{"name": "Main", "number": "+15550100", "defaultANIEntry": true}]);
        assert!(
            bulk_export_for(
                "outdial-ani",
                [("outdialANIEntries", &with_default)].into_iter()
            )
            .is_none()
        );
        let stats = json!({"accessQueueStats": "SPECIFIC", "contactServiceQueues": ["Q"]});
        assert!(
            bulk_export_for(
                "agent-profile",
                [("viewableStatistics", &stats)].into_iter()
            )
            .is_none()
        );
        let codes = json!(["Lunch"]);
        assert!(bulk_export_for("agent-profile", [("wrapUpCodes", &codes)].into_iter()).is_none());
        let teams = json!(["North/Blue"]);
        assert!(bulk_export_for("agent-profile", [("buddyTeams", &teams)].into_iter()).is_some());
    }
}
