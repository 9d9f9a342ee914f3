//! How the emulated service treats each kind: paths and versions, the DTO its bodies must
//! follow, the fields that point at other objects (checked on write, guarded on delete),
//! uniqueness, immutable fields, server defaults, derived fields, the fields list rows
//! leave out, and the keyed sub-lists whose elements get their own ids. Written from
//! `docs/api-notes.md` (cited as §n) and the official spec, independently of
//! the client's catalogue, so that a misunderstanding on one side cannot hide behind the
//! same one on the other. The per-kind checks live in `hooks`, the derived fields in
//! `derived`; this file is the table and the emulator's corrections to the spec.

use serde_json::{Map, Value, json};

use super::derived;
use super::hooks;
use super::http::Fail;
use super::store::Org;

/// What a reference field points at.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Target {
    /// An object of this kind.
    Kind(&'static str),
    /// The id of an element of some skill's `enumSkillValues` (§3.3, §3.14).
    EnumSkillValue,
    /// resource-collection `resources[]`: each element's `ids` point at the kind its
    /// `name` names (§3.10; mapping in `resource_kind`).
    ResourceIds,
}

/// A field holding another object's id.
pub struct RefRule {
    /// Dotted path, `[]` for each element (`callDistributionGroups[].agentGroups[].teamId`).
    pub path: &'static str,
    pub target: Target,
}

/// A top-level list (or single object) whose elements the server stores as rows of their
/// own, with their own ids (§1.6, §3.14, §3.19, §3.23).
pub struct SubList {
    pub field: &'static str,
    /// The table name the duplicate-key message names (`active_skill`).
    pub table: &'static str,
    /// The element field the table's unique key is on.
    pub key: &'static str,
    /// A single nested object (`viewableStatistics`) rather than a list.
    pub single: bool,
    /// An element field the server fills with the parent's id (`enumSkillValues[].skillId`).
    pub parent_link: Option<&'static str>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum V1List {
    None,
    Paged,
    Unpaged,
}

/// `POST <kind>/bulk` support (§1.8).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Bulk {
    None,
    /// SAVE creates (an id is refused), DELETE deletes.
    CreateDelete,
    /// SAVE with an id updates too.
    Full,
    /// The POST route answers but carries out nothing: SAVE items fail with 500, DELETE
    /// items with 400 (resource-collection, §1.8).
    Refused,
}

/// What `PATCH <kind>/{id}` does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Patch {
    None,
    /// A plain partial JSON object merged into the stored one (user, §3.24).
    Merge,
    /// `name` and `description` only (audio-file, §3.4).
    NameDescription,
}

/// Adds the fields the server computes on read.
pub type Derive = fn(&Org, &mut Map<String, Value>);

pub struct KindRule {
    pub name: &'static str,
    pub dto: &'static str,
    /// Version prefix of the enveloped list (`v2`; `v3` for user-profile).
    pub list_version: &'static str,
    /// A second enveloped list with the same shape (`v3/dial-number`).
    pub alt_list_version: Option<&'static str>,
    /// Whether the unprefixed list (bare JSON array) exists, and whether it pages.
    pub v1_list: V1List,
    /// The version prefix item and create paths keep (user-profile: `v3`, §1.2).
    pub item_prefix: Option<&'static str>,
    /// Whether `POST v2/<kind>` and `GET|PUT v2/<kind>/{id}` work too (queue, §1.2).
    pub v2_item: bool,
    pub creatable: bool,
    pub deletable: bool,
    pub patch: Patch,
    /// Create and replace take `multipart/form-data` (audio-file, §3.4).
    pub multipart: bool,
    pub bulk: Bulk,
    /// `PATCH <kind>/bulk`: SAVE items carrying an id, their fields merged into the stored
    /// object (§1.8: queue, auxiliary-code, resource-collection, user).
    pub bulk_patch: bool,
    /// `GET <kind>/bulk-export` (§1.9): how a stored object becomes its export row (the
    /// spec's `*BulkExportDTO`). `None`: the emulator does not serve the kind's export.
    pub bulk_export: Option<super::export::ExportRule>,
    /// The field that names an object: unique per org (or per `unique_within`).
    pub key: &'static str,
    /// Keys are unique within the value of this field (team: per site, §3.21).
    pub unique_within: Option<&'static str>,
    /// Fields `search` looks in.
    pub search: &'static [&'static str],
    pub refs: &'static [RefRule],
    /// Fields that cannot change after create (400 "This configuration cannot be changed").
    pub immutable: &'static [&'static str],
    /// Fields the server computes or owns: dropped from bodies, kept across updates.
    pub read_only: &'static [&'static str],
    /// Fields a PUT that leaves them out does not clear.
    pub retained: &'static [&'static str],
    /// Fields accepted with 200 and never applied (§1.6 "200 ≠ applied").
    pub ignored: &'static [&'static str],
    /// Fields list rows leave out; GET by id has them (docs/api-notes.md §1.5).
    pub list_omits: &'static [&'static str],
    pub sub_lists: &'static [SubList],
    /// Whether objects carry `systemDefault` (§1.11; SkillDTO and UserDTO lack the field
    /// but live skills and users carry it, docs/api-notes.md §1.11).
    pub system_default: bool,
    /// Fills fields a create leaves out.
    pub defaults: fn(&mut Map<String, Value>),
    /// The kind's own checks, with the live error texts.
    pub check: fn(&hooks::Write<'_>) -> Result<(), Fail>,
    /// Reorders what the server reorders (§1.6), given the stored object on update.
    pub normalise: fn(&mut Map<String, Value>, Option<&Value>),
    /// Fields computed on every read.
    pub derive: Derive,
    /// A query flag of GET by id that adds more derived fields, and what it adds.
    pub details: Option<(&'static str, Derive)>,
    /// What a stored write changes in other objects of the org.
    pub after_write: fn(&mut Org, &str),
}

fn no_defaults(_: &mut Map<String, Value>) {}

fn no_normalise(_: &mut Map<String, Value>, _: Option<&Value>) {}

/// The common shape; each row says how its kind differs.
const BASE: KindRule = KindRule {
    name: "",
    dto: "",
    list_version: "v2",
    alt_list_version: None,
    v1_list: V1List::Paged,
    item_prefix: None,
    v2_item: false,
    creatable: true,
    deletable: true,
    patch: Patch::None,
    multipart: false,
    bulk: Bulk::CreateDelete,
    bulk_patch: false,
    bulk_export: None,
    key: "name",
    unique_within: None,
    search: &["name", "description"],
    refs: &[],
    immutable: &[],
    read_only: &[],
    retained: &[],
    ignored: &[],
    list_omits: &[],
    sub_lists: &[],
    system_default: true,
    defaults: no_defaults,
    check: hooks::none,
    normalise: no_normalise,
    derive: derived::none,
    details: None,
    after_write: hooks::no_side_effect,
};

const fn r(path: &'static str, kind: &'static str) -> RefRule {
    RefRule {
        path,
        target: Target::Kind(kind),
    }
}

const fn sub(field: &'static str, table: &'static str, key: &'static str) -> SubList {
    SubList {
        field,
        table,
        key,
        single: false,
        parent_link: None,
    }
}

/// The tenant's time zone, which entry points default to (§3.16).
pub const TENANT_TIMEZONE: &str = "America/New_York";

/// The 20 resource types every resource collection lists (§3.10).
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

/// The kind a resource type's ids point at; `None` for flows, sub-flows and functions,
/// which live outside the config API (docs/api-notes.md §3.10, [INFER]).
pub fn resource_kind(resource: &str) -> Option<&'static str> {
    Some(match resource {
        "audio-prompt" => "audio-file",
        "working-hour" => "business-hours",
        "queue" => "contact-service-queue",
        "idle-wrapup-code" => "auxiliary-code",
        "holiday-list" => "holiday-list",
        "team" => "team",
        "desktop-profile" => "agent-profile",
        "desktop-layout" => "desktop-layout",
        "cad-variable" => "cad-variable",
        "address-book" => "address-book",
        "site" => "site",
        "multimedia-profile" => "multimedia-profile",
        "skill-profile" => "skill-profile",
        "channel" => "entry-point",
        "skill-definition" => "skill",
        "override" => "overrides",
        "outdial-ani" => "outdial-ani",
        _ => return None,
    })
}

const QUEUE_INCLUSIONS: &[&str] = &[
    "queueLevelSummariesInclusion",
    "queueLevelSentimentAnalysisInclusion",
    "queueLevelPredictedWaitTimeInclusion",
    "queueLevelAutoCsatInclusion",
    "queueLevelRealTimeTranscriptionsInclusion",
];

fn team_defaults(body: &mut Map<String, Value>) {
    // A team created without a ranking choice does not rank queues (§3.21).
    body.entry("rankQueuesForTeam").or_insert(json!(false));
}

fn skill_defaults(body: &mut Map<String, Value>) {
    // SkillDTO `dynamicSkill` "default false" [SPEC §3.3].
    body.entry("dynamicSkill").or_insert(json!(false));
}

fn auxiliary_code_defaults(body: &mut Map<String, Value>) {
    // §3.13: burnoutInclusion defaults to INCLUDED for idle codes, NOT_APPLICABLE for
    // wrap-up codes.
    let idle = body.get("workTypeCode").and_then(Value::as_str) == Some("IDLE_CODE");
    body.entry("burnoutInclusion").or_insert(json!(if idle {
        "INCLUDED"
    } else {
        "NOT_APPLICABLE"
    }));
}

fn entry_point_defaults(body: &mut Map<String, Value>) {
    // §3.16: the tenant's time zone and no callback unless asked.
    body.entry("timezone").or_insert(json!(TENANT_TIMEZONE));
    body.entry("callbackEnabled").or_insert(json!(false));
}

fn desktop_layout_defaults(body: &mut Map<String, Value>) {
    // §3.11: the layout JSON is not validated at create; it comes back `validated: false`.
    body.entry("validated").or_insert(json!(false));
}

fn queue_defaults(body: &mut Map<String, Value>) {
    // §3.22: the queueLevel*Inclusion switches start EXCLUDED; a create without
    // `queueRoutingType` succeeds live, [INFER] as a team-based queue.
    for f in QUEUE_INCLUSIONS {
        body.entry(*f).or_insert(json!("EXCLUDED"));
    }
    body.entry("queueRoutingType")
        .or_insert(json!("TEAM_BASED"));
}

pub static KINDS: &[KindRule] = &[
    KindRule {
        name: "multimedia-profile",
        dto: "MultimediaProfileDTO",
        check: hooks::multimedia_profile,
        derive: derived::multimedia_profile,
        ..BASE
    },
    KindRule {
        name: "site",
        dto: "SiteDTO",
        v1_list: V1List::Unpaged,
        refs: &[r("multimediaProfileId", "multimedia-profile")],
        ..BASE
    },
    KindRule {
        name: "team",
        dto: "TeamDTO",
        refs: &[
            r("siteId", "site"),
            r("multiMediaProfileId", "multimedia-profile"),
            r("desktopLayoutId", "desktop-layout"),
            r("skillProfileId", "skill-profile"),
            r("queueRankings[].queueId", "contact-service-queue"),
        ],
        unique_within: Some("siteId"),
        immutable: &["teamType"],
        // §3.21: `userIds` is a read-only mirror of users' `teamIds`.
        read_only: &["userIds", "siteName"],
        list_omits: &["userIds", "queueRankings"],
        sub_lists: &[sub("queueRankings", "queue_ranking", "queueId")],
        defaults: team_defaults,
        derive: derived::team,
        ..BASE
    },
    KindRule {
        name: "work-type",
        dto: "WorkTypeDTO",
        v1_list: V1List::None,
        ..BASE
    },
    KindRule {
        name: "skill",
        dto: "SkillDTO",
        // §3.3: name and type are fixed once created.
        immutable: &["name", "skillType"],
        list_omits: &["enumSkillValues"],
        sub_lists: &[SubList {
            parent_link: Some("skillId"),
            ..sub("enumSkillValues", "enum_skill_value", "name")
        }],
        defaults: skill_defaults,
        check: hooks::skill,
        ..BASE
    },
    KindRule {
        name: "skill-profile",
        dto: "SkillProfileDTO",
        refs: &[
            r("activeSkills[].skillId", "skill"),
            RefRule {
                path: "activeEnumSkills[].enumSkillValueId",
                target: Target::EnumSkillValue,
            },
        ],
        list_omits: &["activeSkills", "activeEnumSkills"],
        sub_lists: &[
            sub("activeSkills", "active_skill", "skillId"),
            sub("activeEnumSkills", "active_enum_skill", "enumSkillValueId"),
        ],
        system_default: false,
        check: hooks::skill_profile,
        // §3.14: names of the skills and enum values only on request.
        details: Some(("includeSkillDetails", derived::skill_details)),
        ..BASE
    },
    KindRule {
        name: "auxiliary-code",
        dto: "AuxiliaryCodeDTO",
        refs: &[r("workTypeId", "work-type")],
        immutable: &["workTypeCode"],
        defaults: auxiliary_code_defaults,
        after_write: hooks::one_default_code,
        // §1.8: partial updates through `PATCH auxiliary-code/bulk`.
        bulk_patch: true,
        ..BASE
    },
    KindRule {
        name: "holiday-list",
        dto: "HolidayListDTO",
        read_only: &["holidaysCount"],
        list_omits: &["holidays"],
        system_default: false,
        check: hooks::holiday_list,
        derive: derived::holiday_list,
        ..BASE
    },
    KindRule {
        name: "overrides",
        dto: "OverridesDTO",
        read_only: &["overridesCount", "latestOverride"],
        list_omits: &["overrides"],
        system_default: false,
        check: hooks::overrides,
        derive: derived::overrides,
        ..BASE
    },
    KindRule {
        name: "business-hours",
        bulk_export: Some(super::export::BUSINESS_HOURS_EXPORT),
        dto: "BusinessHoursDTO",
        refs: &[
            r("holidaysId", "holiday-list"),
            r("overridesId", "overrides"),
        ],
        read_only: &["workingHoursCount"],
        list_omits: &["workingHours"],
        system_default: false,
        check: hooks::business_hours,
        derive: derived::business_hours,
        ..BASE
    },
    // §3.5: the spec's `variableType` enum lists both casings and live data is TitleCase;
    // both are accepted until a probe shows the server refusing one.
    KindRule {
        name: "cad-variable",
        dto: "CadVariableDTO",
        v1_list: V1List::None,
        bulk: Bulk::Full,
        check: hooks::cad_variable,
        ..BASE
    },
    KindRule {
        name: "dial-plan",
        dto: "DialPlanDTO",
        ..BASE
    },
    KindRule {
        // §3.8: one field, `number`; no v1 list; no systemDefault; bulk create/delete only.
        name: "contact-number",
        dto: "ContactNumberDTO",
        v1_list: V1List::None,
        key: "number",
        search: &["number"],
        system_default: false,
        check: hooks::contact_number,
        ..BASE
    },
    KindRule {
        name: "audio-file",
        dto: "AudioFileInfoDTO",
        v1_list: V1List::None,
        patch: Patch::NameDescription,
        multipart: true,
        bulk: Bulk::None,
        // §3.4: `url` is documented but never returned; the blob id is the server's.
        read_only: &["url", "audioFile"],
        ..BASE
    },
    KindRule {
        name: "desktop-layout",
        dto: "DesktopLayoutDTO",
        v1_list: V1List::None,
        refs: &[r("teamIds[]", "team")],
        // docs/api-notes.md §3.11: validation and modification stamps are the server's.
        read_only: &[
            "validated",
            "validatedTime",
            "defaultJsonModifiedTime",
            "modifiedTime",
        ],
        list_omits: &["jsonFileContent", "teamIds"],
        defaults: desktop_layout_defaults,
        ..BASE
    },
    KindRule {
        name: "resource-collection",
        dto: "ResourceCollectionDTO",
        v1_list: V1List::None,
        // §1.8: `PATCH resource-collection/bulk` updates (whole objects); its POST
        // creates fail with 500 and deletes with 400.
        bulk: Bulk::Refused,
        bulk_patch: true,
        refs: &[RefRule {
            path: "resources[]",
            target: Target::ResourceIds,
        }],
        read_only: &["resourceCount"],
        list_omits: &["resources"],
        system_default: false,
        check: hooks::resource_collection,
        derive: derived::resource_collection,
        ..BASE
    },
    KindRule {
        name: "user-profile",
        dto: "UserProfileGranularAccessDTO",
        list_version: "v3",
        v1_list: V1List::None,
        item_prefix: Some("v3"),
        bulk: Bulk::Full,
        refs: &[
            r("resourceCollections[].id", "resource-collection"),
            r("defaultResourceCollectionId", "resource-collection"),
        ],
        immutable: &["profileType"],
        list_omits: &[
            "permissions",
            "resourceCollections",
            "editableFolderIds",
            "viewableFolderIds",
            "nonViewableFolderIds",
        ],
        sub_lists: &[sub("permissions", "user_profile_permission", "name")],
        check: hooks::user_profile,
        ..BASE
    },
    KindRule {
        name: "address-book",
        dto: "AddressBookWithEntriesDTO",
        // §3.18: no `address-book/bulk` (the path parses "bulk" as an id).
        bulk: Bulk::None,
        refs: &[r("siteId", "site")],
        immutable: &["parentType"],
        sub_lists: &[sub("addressBookEntries", "address_book_entry", "name")],
        system_default: false,
        check: hooks::address_book,
        ..BASE
    },
    KindRule {
        name: "outdial-ani",
        bulk_export: Some(super::export::OUTDIAL_ANI_EXPORT),
        dto: "OutdialANIDTO",
        list_omits: &["outdialANIEntries"],
        sub_lists: &[sub("outdialANIEntries", "outdial_ani_entry", "name")],
        system_default: false,
        normalise: hooks::outdial_ani_order,
        check: hooks::outdial_ani,
        ..BASE
    },
    KindRule {
        name: "contact-service-queue",
        dto: "ContactServiceQueueDTO",
        bulk_export: Some(super::export::QUEUE_EXPORT),
        alt_list_version: Some("v3"),
        v2_item: true,
        // §1.8: `v2/bulk` creates and deletes; updates go through `PATCH …/bulk`.
        bulk: Bulk::CreateDelete,
        bulk_patch: true,
        refs: &[
            r("callDistributionGroups[].agentGroups[].teamId", "team"),
            r("queueSkillRequirements[].skillId", "skill"),
            r("agents[].id", "user"),
            r("defaultMusicInQueueMediaFileId", "audio-file"),
        ],
        immutable: &["queueType", "channelType"],
        read_only: &[
            "agentsLastUpdatedByUserName",
            "agentsLastUpdatedByUserEmailPrefix",
            "agentsLastUpdatedTime",
        ],
        // §3.22: the inclusion switches are "retained on update if omitted".
        retained: QUEUE_INCLUSIONS,
        list_omits: &["callDistributionGroups", "queueSkillRequirements", "agents"],
        sub_lists: &[sub(
            "queueSkillRequirements",
            "queue_skill_requirement",
            "skillId",
        )],
        defaults: queue_defaults,
        check: hooks::queue,
        derive: derived::queue,
        ..BASE
    },
    KindRule {
        name: "entry-point",
        dto: "EntryPointDTO",
        bulk: Bulk::Full,
        refs: &[
            r("musicOnHoldId", "audio-file"),
            r("outdialQueueId", "contact-service-queue"),
        ],
        immutable: &["entryPointType", "channelType"],
        read_only: &["dnEpMappingCount"],
        list_omits: &["flowOverrideSettings"],
        defaults: entry_point_defaults,
        check: hooks::entry_point,
        derive: derived::entry_point,
        ..BASE
    },
    KindRule {
        name: "dial-number",
        dto: "DialledNumberEntryPointDTO",
        alt_list_version: Some("v3"),
        bulk: Bulk::Full,
        key: "dialledNumber",
        search: &["dialledNumber"],
        refs: &[r("entryPointId", "entry-point")],
        read_only: &["entryPointName", "dialledNumberDigits"],
        system_default: false,
        check: hooks::dial_number,
        derive: derived::dial_number,
        ..BASE
    },
    KindRule {
        name: "agent-profile",
        bulk_export: Some(super::export::AGENT_PROFILE_EXPORT),
        dto: "AgentProfileDTO",
        refs: &[
            r("siteId", "site"),
            r("wrapUpCodes[]", "auxiliary-code"),
            r("idleCodes[]", "auxiliary-code"),
            r("queues[]", "contact-service-queue"),
            r("entryPoints[]", "entry-point"),
            r("buddyTeams[]", "team"),
            r("outdialEntryPointId", "entry-point"),
            r("outdialANIId", "outdial-ani"),
            r("addressBookId", "address-book"),
            r("dialPlans[]", "dial-plan"),
            r(
                "viewableStatistics.contactServiceQueues[]",
                "contact-service-queue",
            ),
            r("viewableStatistics.teams[]", "team"),
        ],
        list_omits: &[
            "wrapUpCodes",
            "queues",
            "idleCodes",
            "entryPoints",
            "buddyTeams",
            "dialPlans",
            "loginVoiceOptions",
            "viewableStatistics",
            "thresholdRules",
            "agentDNValidationCriterions",
        ],
        sub_lists: &[SubList {
            single: true,
            ..sub("viewableStatistics", "viewable_statistics", "id")
        }],
        check: hooks::agent_profile,
        ..BASE
    },
    KindRule {
        name: "user",
        dto: "UserDTO",
        // §3.24: users come from Control Hub; no create, no delete, no bulk save;
        // §1.8: partial updates through `PATCH user/bulk`.
        creatable: false,
        deletable: false,
        patch: Patch::Merge,
        bulk: Bulk::None,
        bulk_patch: true,
        key: "email",
        search: &["firstName", "lastName", "email"],
        refs: &[
            r("siteId", "site"),
            r("teamIds[]", "team"),
            r("agentProfileId", "agent-profile"),
            r("userProfileId", "user-profile"),
            r("multimediaProfileId", "multimedia-profile"),
            r("skillProfileId", "skill-profile"),
        ],
        // §1.6 / §3.24: "This configuration cannot be changed. Original value is X".
        immutable: &["email", "firstName", "lastName", "ciUserId"],
        read_only: &["siteName", "userProfileType"],
        // §1.6: accepted with 200, not applied.
        ignored: &["userLevelSummariesInclusion", "userLevelAutoCSATInclusion"],
        check: hooks::user,
        normalise: hooks::user_team_order,
        derive: derived::user,
        ..BASE
    },
];

pub fn kind(name: &str) -> Option<&'static KindRule> {
    KINDS.iter().find(|k| k.name == name)
}

/// The emulator's corrections to the official schemas, each with its evidence. The live
/// service, not the document, is what the emulator imitates.
pub fn fix_schemas(definitions: &mut Map<String, Value>) {
    // §3.2: a live multimedia-profile create without `manuallyAssignable` is a 400, and
    // `blendingMode` takes only three values.
    push_required(definitions, "MultimediaProfileDTO", "manuallyAssignable");
    set_enum(
        definitions,
        "MultimediaProfileDTO",
        "blendingMode",
        json!(["BLENDED", "BLENDED_REALTIME", "EXCLUSIVE"]),
    );
    // §3.21: live team creates need name, active, siteId, teamStatus, teamType only.
    drop_required(definitions, "TeamDTO", &["rankQueuesForTeam"]);
    // §3.3: live tenants use upper-case skill types (the spec's own example is `BOOLEAN`);
    // the spec enum `Proficiency|Boolean|Text|enum` is never seen.
    set_enum(
        definitions,
        "SkillDTO",
        "skillType",
        json!(["BOOLEAN", "PROFICIENCY", "TEXT", "ENUM"]),
    );
    // §3.14: "at least one of activeSkills/activeEnumSkills" (400 `Atleast one skill is
    // mandatory.`, checked in `hooks::skill_profile`), and a proficiency entry needs no
    // `booleanValue` (live create body `{skillId, proficiencyValue}`, docs/api-notes.md §3.14).
    drop_required(definitions, "SkillProfileDTO", &["activeSkills"]);
    drop_required(definitions, "ActiveSkillDTO", &["booleanValue"]);
    // §1.6: empty working hours / holidays / overrides answer with their own texts
    // (checked in `hooks`), not with bean validation's size message.
    drop_min_items(definitions, "BusinessHoursDTO", "workingHours");
    drop_min_items(definitions, "HolidayListDTO", "holidays");
    drop_min_items(definitions, "OverridesDTO", "overrides");
    // §3.6: `Yearly` needs `recurrence.specificMonth`; `Monthly` needs a day of the month
    // or an occurrence in the month.
    add_all_of(
        definitions,
        "HolidaysDTO",
        json!([
            {"if": {"properties": {"frequency": {"const": "Yearly"}}, "required": ["frequency"]},
             "then": {"required": ["recurrence"],
                      "properties": {"recurrence": {"required": ["specificMonth"]}}}},
            {"if": {"properties": {"frequency": {"const": "Monthly"}}, "required": ["frequency"]},
             "then": {"required": ["recurrence"],
                      "properties": {"recurrence": {"anyOf": [
                          {"required": ["specificDayOfMonth"]},
                          {"required": ["occurrenceInTheMonth"]}]}}}},
        ]),
    );
    // §3.5: a variable shown to agents needs its desktop label.
    add_all_of(
        definitions,
        "CadVariableDTO",
        json!([{"if": {"properties": {"agentViewable": {"const": true}}, "required": ["agentViewable"]},
                "then": {"required": ["desktopLabel"]}}]),
    );
    // §3.16: live creates need only name, entryPointType, channelType,
    // serviceLevelThreshold, active, maximumActiveContacts; the live channel sweep also
    // meets CUSTOM_MESSAGING and WORK_ITEM.
    drop_required(
        definitions,
        "EntryPointDTO",
        &[
            "assetId",
            "controlFlowScriptUrl",
            "imiOrgType",
            "overflowNumber",
            "socialChannelType",
        ],
    );
    set_enum(
        definitions,
        "EntryPointDTO",
        "channelType",
        json!([
            "TELEPHONY",
            "EMAIL",
            "FAX",
            "CHAT",
            "VIDEO",
            "OTHERS",
            "SOCIAL_CHANNEL",
            "CUSTOM_MESSAGING",
            "WORK_ITEM"
        ]),
    );
    // §3.20: `entryPointName` is the server's; missing `location` or `regionId` is a 400.
    drop_required(
        definitions,
        "DialledNumberEntryPointDTO",
        &["entryPointName"],
    );
    for f in ["dialledNumber", "location", "regionId"] {
        push_required(definitions, "DialledNumberEntryPointDTO", f);
    }
    // §3.11: `validated` is not required live (it comes back false).
    drop_required(definitions, "DesktopLayoutDTO", &["validated"]);
    // §3.22: queueRoutingType and checkAgentAvailability are not required live; a
    // TELEPHONY queue needs the five *Permitted flags and its music; SKILLS_BASED routing
    // needs its skill-based routing type.
    drop_required(
        definitions,
        "ContactServiceQueueDTO",
        &["queueRoutingType", "checkAgentAvailability"],
    );
    add_all_of(
        definitions,
        "ContactServiceQueueDTO",
        json!([
            {"if": {"properties": {"channelType": {"const": "TELEPHONY"}}, "required": ["channelType"]},
             "then": {"required": ["monitoringPermitted", "parkingPermitted", "recordingPermitted",
                                   "recordingAllCallsPermitted", "pauseRecordingPermitted",
                                   "defaultMusicInQueueMediaFileId"]}},
            {"if": {"properties": {"routingType": {"const": "SKILLS_BASED"}}, "required": ["routingType"]},
             "then": {"required": ["skillBasedRoutingType"]}},
        ]),
    );
    // §3.19: a live create needed its entries.
    push_required(definitions, "OutdialANIDTO", "outdialANIEntries");
    // docs/api-notes.md §3.17: a profile's `resourceCollections` carry ids of
    // collections, not whole collections.
    if let Some(items) = definitions
        .get_mut("UserProfileGranularAccessDTO")
        .and_then(|s| s.pointer_mut("/properties/resourceCollections/items"))
    {
        *items =
            json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}});
    }
    // §3.12 / §3.10: `[a-zA-Z\d-_\s]` is Java's reading of the site and resource-collection
    // name classes (`-` literal); ECMA-262 engines refuse the class as written.
    for schema in definitions.values_mut() {
        rewrite_patterns(schema);
    }
}

fn push_required(definitions: &mut Map<String, Value>, dto: &str, field: &str) {
    if let Some(map) = definitions.get_mut(dto).and_then(Value::as_object_mut) {
        let list = map.entry("required").or_insert_with(|| json!([]));
        if let Some(list) = list.as_array_mut()
            && !list.iter().any(|f| f == field)
        {
            list.push(json!(field));
        }
    }
}

fn drop_required(definitions: &mut Map<String, Value>, dto: &str, fields: &[&str]) {
    if let Some(Value::Array(req)) = definitions.get_mut(dto).and_then(|s| s.get_mut("required")) {
        req.retain(|f| !fields.iter().any(|d| f == d));
    }
}

fn set_enum(definitions: &mut Map<String, Value>, dto: &str, field: &str, values: Value) {
    if let Some(p) = definitions
        .get_mut(dto)
        .and_then(|s| s.pointer_mut(&format!("/properties/{field}")))
        .and_then(Value::as_object_mut)
    {
        p.insert("enum".into(), values);
    }
}

fn drop_min_items(definitions: &mut Map<String, Value>, dto: &str, field: &str) {
    if let Some(p) = definitions
        .get_mut(dto)
        .and_then(|s| s.pointer_mut(&format!("/properties/{field}")))
        .and_then(Value::as_object_mut)
    {
        p.remove("minItems");
    }
}

fn add_all_of(definitions: &mut Map<String, Value>, dto: &str, conditions: Value) {
    if let (Some(map), Value::Array(mut new)) = (
        definitions.get_mut(dto).and_then(Value::as_object_mut),
        conditions,
    ) {
        let list = map.entry("allOf").or_insert_with(|| json!([]));
        if let Some(list) = list.as_array_mut() {
            list.append(&mut new);
        }
    }
}

fn rewrite_patterns(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(p)) = map.get_mut("pattern") {
                *p = p.replace(r"\d-_", r"\d\-_");
            }
            for (k, v) in map.iter_mut() {
                if k != "pattern" {
                    rewrite_patterns(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_patterns),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_compilable_dto_and_known_targets() {
        let mut definitions = crate::spec::draft07_definitions();
        fix_schemas(&mut definitions);
        for rule in KINDS {
            assert!(
                crate::spec::compile(&definitions, rule.dto).is_ok(),
                "{}",
                rule.dto
            );
            for r in rule.refs {
                if let Target::Kind(k) = r.target {
                    assert!(kind(k).is_some(), "{} → {k}", rule.name);
                }
            }
        }
        for t in RESOURCE_TYPES {
            if let Some(k) = resource_kind(t) {
                assert!(kind(k).is_some(), "{t} → {k}");
            }
        }
    }
}
