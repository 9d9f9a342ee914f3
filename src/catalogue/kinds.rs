//! The rows of the catalogue, one per kind, from `docs/api-notes.md` §3 and
//! the official spec. The catalogue's tests check every row against the vendored spec:
//! paths exist with their methods, the DTO exists, every named field is a DTO property.

use super::{FileFormat, KeyedList, Kind, Reference, TextField, UploadParts};

const fn to(field: &'static str, target: &'static str) -> Reference {
    Reference {
        field,
        target,
        within: None,
        deferred: false,
    }
}

/// A back-link that closes a cycle; set in a second pass.
const fn back(field: &'static str, target: &'static str) -> Reference {
    Reference {
        field,
        target,
        within: None,
        deferred: true,
    }
}

/// A reference to an entry of another object's keyed list.
const fn entry(field: &'static str, target: &'static str, within: &'static str) -> Reference {
    Reference {
        field,
        target,
        within: Some(within),
        deferred: false,
    }
}

const fn keyed(field: &'static str, key: &'static str) -> KeyedList {
    KeyedList { field, key }
}

/// The defaults every row starts from; rows override what differs.
/// The largest audio file wxcc uploads. The API notes give no limit for one audio file; the
/// only upload limit they name is 10 MB for a Control Hub bulk file, which carries audio
/// files zipped (docs/api-notes.md §4). A file cannot be larger than the bulk file that
/// holds it, so 10 MB (decimal, the conservative reading) is the cap.
pub const MAX_AUDIO_FILE_BYTES: u64 = 10_000_000;

/// The largest text file (a desktop layout's JSON) wxcc reads into a field. Real layouts
/// are hundreds of kilobytes at most; the API documents no limit (docs/api-notes.md §3.11).
pub const MAX_TEXT_FILE_BYTES: u64 = 4_000_000;

pub const BASE: Kind = Kind {
    name: "",
    summary: "",
    key: "name",
    scope: None,
    list_path: "",
    item_path: "",
    dto: "",
    references: &[],
    read_only: &[],
    unordered: &[],
    keyed_lists: &[],
    immutable: &[],
    list_omits: &[],
    creatable: true,
    deletable: true,
    declarable: true,
    upload: None,
    response_dto: None,
    partial_update: false,
    ignored_on_write: &[],
    text_fields: &[],
};

pub static KINDS: &[Kind] = &[
    Kind {
        name: "multimedia-profile",
        summary: "how many contacts of each channel an agent handles at once",
        list_path: "v2/multimedia-profile",
        item_path: "multimedia-profile",
        dto: "MultimediaProfileDTO",
        ..BASE
    },
    Kind {
        name: "site",
        summary: "a contact-center location that teams belong to",
        list_path: "v2/site",
        item_path: "site",
        dto: "SiteDTO",
        references: &[to("multimediaProfileId", "multimedia-profile")],
        ..BASE
    },
    Kind {
        name: "work-type",
        summary: "the idle and wrap-up families aux codes belong to (owned by Cisco; reference only)",
        list_path: "v2/work-type",
        item_path: "work-type",
        dto: "WorkTypeDTO",
        creatable: false,
        deletable: false,
        declarable: false,
        ..BASE
    },
    Kind {
        name: "skill",
        summary: "a skill definition: boolean, proficiency, text or enum (with its values)",
        list_path: "v2/skill",
        item_path: "skill",
        dto: "SkillDTO",
        read_only: &["enumSkillValues[].skillId"],
        keyed_lists: &[keyed("enumSkillValues", "name")],
        immutable: &["name", "skillType"],
        list_omits: &["enumSkillValues"],
        ..BASE
    },
    Kind {
        name: "skill-profile",
        summary: "a set of skill values assigned to agents",
        list_path: "v2/skill-profile",
        item_path: "skill-profile",
        dto: "SkillProfileDTO",
        references: &[
            to("activeSkills[].skillId", "skill"),
            entry(
                "activeEnumSkills[].enumSkillValueId",
                "skill",
                "enumSkillValues",
            ),
        ],
        read_only: &[
            "activeSkills[].skillName",
            "activeEnumSkills[].enumSkillName",
            "activeEnumSkills[].enumSkillValue",
            "activeEnumSkills[].enumSkillId",
        ],
        keyed_lists: &[
            keyed("activeSkills", "skillId"),
            keyed("activeEnumSkills", "enumSkillValueId"),
        ],
        list_omits: &["activeSkills", "activeEnumSkills"],
        ..BASE
    },
    Kind {
        name: "auxiliary-code",
        summary: "an idle or wrap-up code agents choose",
        list_path: "v2/auxiliary-code",
        item_path: "auxiliary-code",
        dto: "AuxiliaryCodeDTO",
        references: &[to("workTypeId", "work-type")],
        ..BASE
    },
    Kind {
        name: "holiday-list",
        summary: "days the contact center is closed",
        list_path: "v2/holiday-list",
        item_path: "holiday-list",
        dto: "HolidayListDTO",
        read_only: &["holidaysCount"],
        unordered: &["holidays[].recurrence.daysOfWeek"],
        keyed_lists: &[keyed("holidays", "name")],
        list_omits: &["holidays"],
        ..BASE
    },
    Kind {
        name: "overrides",
        summary: "one-off openings and closures that override business hours",
        list_path: "v2/overrides",
        item_path: "overrides",
        dto: "OverridesDTO",
        read_only: &["overridesCount", "latestOverride"],
        unordered: &["overrides[].recurrence.daysOfWeek"],
        keyed_lists: &[keyed("overrides", "name")],
        list_omits: &["overrides"],
        ..BASE
    },
    Kind {
        name: "business-hours",
        summary: "weekly opening hours, with a holiday list and overrides",
        list_path: "v2/business-hours",
        item_path: "business-hours",
        dto: "BusinessHoursDTO",
        references: &[
            to("holidaysId", "holiday-list"),
            to("overridesId", "overrides"),
        ],
        read_only: &["workingHoursCount"],
        unordered: &["workingHours[].days"],
        keyed_lists: &[keyed("workingHours", "name")],
        list_omits: &["workingHours"],
        ..BASE
    },
    Kind {
        name: "cad-variable",
        summary: "a global variable flows set and agents may see",
        list_path: "v2/cad-variable",
        item_path: "cad-variable",
        dto: "CadVariableDTO",
        ..BASE
    },
    Kind {
        name: "dial-plan",
        summary: "a dialling rule for outdial (deprecated, still seeded)",
        list_path: "v2/dial-plan",
        item_path: "dial-plan",
        dto: "DialPlanDTO",
        ..BASE
    },
    Kind {
        name: "contact-number",
        summary: "an internal caller id number (up to nine digits)",
        key: "number",
        list_path: "v2/contact-number",
        item_path: "contact-number",
        dto: "ContactNumberDTO",
        ..BASE
    },
    Kind {
        name: "audio-file",
        summary: "a prompt or hold music, uploaded from a local .wav and compared by content",
        list_path: "v2/audio-file",
        item_path: "audio-file",
        dto: "AudioFileInfoDTO",
        read_only: &["blobId", "url"],
        upload: Some(UploadParts {
            file: "audioFile",
            info: "audioFileInfo",
            mime: "audio/wav",
            max_bytes: MAX_AUDIO_FILE_BYTES,
            format_field: "contentType",
            // The values of AudioFileInfoDTO.contentType (docs/api-notes.md §3.4).
            formats: &[
                ("AUDIO_WAV", FileFormat::RiffWave),
                ("AUDIO_X_WAV", FileFormat::RiffWave),
                ("TEXT_HTML", FileFormat::Text),
                ("TEXT_PHP", FileFormat::Text),
                ("APPLICATION_OCTET_STREAM", FileFormat::Binary),
            ],
            // The stored file is served at `blob/{blobId}`, a route the spec does not list
            // (docs/api-notes.md §1.11, §3.4).
            stored_id: "blobId",
            stored_route: "blob",
        }),
        ..BASE
    },
    Kind {
        name: "desktop-layout",
        summary: "the agent desktop's layout JSON, assigned to teams",
        list_path: "v2/desktop-layout",
        item_path: "desktop-layout",
        dto: "DesktopLayoutDTO",
        references: &[back("teamIds[]", "team")],
        read_only: &[
            "validated",
            "validatedTime",
            "defaultJsonModifiedTime",
            "modifiedTime",
        ],
        unordered: &["teamIds"],
        list_omits: &["jsonFileContent", "teamIds"],
        // The layout JSON as a string (docs/api-notes.md §3.11): kept in layouts/*.json.
        text_fields: &[TextField {
            field: "jsonFileContent",
            json: true,
            max_bytes: MAX_TEXT_FILE_BYTES,
        }],
        ..BASE
    },
    Kind {
        name: "team",
        summary: "a group of agents at a site; names are unique per site, so a name two sites share is written `Site/Name`",
        scope: Some("siteId"),
        list_path: "v2/team",
        item_path: "team",
        dto: "TeamDTO",
        references: &[
            to("siteId", "site"),
            to("multiMediaProfileId", "multimedia-profile"),
            to("desktopLayoutId", "desktop-layout"),
            to("skillProfileId", "skill-profile"),
            back("queueRankings[].queueId", "contact-service-queue"),
        ],
        read_only: &["siteName", "userIds"],
        keyed_lists: &[keyed("queueRankings", "queueId")],
        immutable: &["teamType"],
        list_omits: &["userIds", "queueRankings"],
        response_dto: Some("TeamResponseDTO"),
        ..BASE
    },
    Kind {
        name: "resource-collection",
        summary: "which resources of each type a user profile can see (ids in `resources` stay raw)",
        list_path: "v2/resource-collection",
        item_path: "resource-collection",
        dto: "ResourceCollectionDTO",
        read_only: &["resourceCount"],
        unordered: &["resources[].ids"],
        keyed_lists: &[keyed("resources", "name")],
        list_omits: &["resources"],
        ..BASE
    },
    Kind {
        name: "user-profile",
        summary: "an administrator's or agent's access rights (v3)",
        list_path: "v3/user-profile",
        item_path: "v3/user-profile",
        dto: "UserProfileGranularAccessDTO",
        references: &[
            to("resourceCollections[].id", "resource-collection"),
            to("defaultResourceCollectionId", "resource-collection"),
        ],
        unordered: &[
            "editableFolderIds",
            "viewableFolderIds",
            "nonViewableFolderIds",
        ],
        keyed_lists: &[
            keyed("permissions", "name"),
            keyed("resourceCollections", "id"),
        ],
        immutable: &["profileType"],
        list_omits: &[
            "permissions",
            "resourceCollections",
            "editableFolderIds",
            "viewableFolderIds",
            "nonViewableFolderIds",
        ],
        ..BASE
    },
    Kind {
        name: "address-book",
        summary: "speed-dial numbers for agents, for the org or one site",
        list_path: "v2/address-book",
        item_path: "address-book",
        dto: "AddressBookWithEntriesDTO",
        references: &[to("siteId", "site")],
        keyed_lists: &[keyed("addressBookEntries", "name")],
        immutable: &["parentType"],
        ..BASE
    },
    Kind {
        name: "outdial-ani",
        summary: "caller ids agents may present when dialling out",
        list_path: "v2/outdial-ani",
        item_path: "outdial-ani",
        dto: "OutdialANIDTO",
        keyed_lists: &[keyed("outdialANIEntries", "name")],
        list_omits: &["outdialANIEntries"],
        ..BASE
    },
    Kind {
        name: "contact-service-queue",
        summary: "a queue: routing to teams, skills or agents",
        list_path: "v2/contact-service-queue",
        item_path: "contact-service-queue",
        dto: "ContactServiceQueueDTO",
        references: &[
            to("callDistributionGroups[].agentGroups[].teamId", "team"),
            to("queueSkillRequirements[].skillId", "skill"),
            to("defaultMusicInQueueMediaFileId", "audio-file"),
            back("agents[].id", "user"),
        ],
        read_only: &[
            "agentsLastUpdatedByUserName",
            "agentsLastUpdatedByUserEmailPrefix",
            "agentsLastUpdatedTime",
            "queueSkillRequirements[].skillName",
            "queueSkillRequirements[].skillType",
            "agents[].ciUserId",
        ],
        unordered: &[
            "agents",
            "callDistributionGroups",
            "callDistributionGroups[].agentGroups",
        ],
        keyed_lists: &[keyed("queueSkillRequirements", "skillId")],
        immutable: &["queueType", "channelType"],
        list_omits: &["callDistributionGroups", "queueSkillRequirements", "agents"],
        ..BASE
    },
    Kind {
        name: "entry-point",
        summary: "where contacts arrive: a number's entry point or a digital channel",
        list_path: "v2/entry-point",
        item_path: "entry-point",
        dto: "EntryPointDTO",
        references: &[
            to("musicOnHoldId", "audio-file"),
            to("outdialQueueId", "contact-service-queue"),
        ],
        read_only: &["dnEpMappingCount"],
        keyed_lists: &[keyed("flowOverrideSettings", "name")],
        immutable: &["entryPointType", "channelType"],
        list_omits: &["flowOverrideSettings"],
        ..BASE
    },
    Kind {
        name: "dial-number",
        summary: "a Webex Calling number mapped to an entry point",
        key: "dialledNumber",
        list_path: "v2/dial-number",
        item_path: "dial-number",
        dto: "DialledNumberEntryPointDTO",
        references: &[to("entryPointId", "entry-point")],
        read_only: &["dialledNumberDigits", "entryPointName"],
        ..BASE
    },
    Kind {
        name: "agent-profile",
        summary: "a desktop profile: what agents may do and see",
        list_path: "v2/agent-profile",
        item_path: "agent-profile",
        dto: "AgentProfileDTO",
        references: &[
            to("siteId", "site"),
            to("wrapUpCodes[]", "auxiliary-code"),
            to("idleCodes[]", "auxiliary-code"),
            to("queues[]", "contact-service-queue"),
            to("entryPoints[]", "entry-point"),
            to("buddyTeams[]", "team"),
            to("outdialEntryPointId", "entry-point"),
            to("outdialANIId", "outdial-ani"),
            to("addressBookId", "address-book"),
            to("dialPlans[]", "dial-plan"),
            to(
                "viewableStatistics.contactServiceQueues[]",
                "contact-service-queue",
            ),
            to("viewableStatistics.teams[]", "team"),
        ],
        unordered: &[
            "wrapUpCodes",
            "idleCodes",
            "queues",
            "entryPoints",
            "buddyTeams",
            "dialPlans",
            "loginVoiceOptions",
            "agentDNValidationCriterions",
            "thresholdRules",
            "viewableStatistics.contactServiceQueues",
            "viewableStatistics.teams",
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
        response_dto: Some("AgentProfileResponseDTO"),
        ..BASE
    },
    Kind {
        name: "user",
        summary: "an agent or supervisor (update only: users are created in Control Hub)",
        key: "email",
        list_path: "v2/user",
        item_path: "user",
        dto: "UserDTO",
        references: &[
            to("siteId", "site"),
            to("teamIds[]", "team"),
            to("agentProfileId", "agent-profile"),
            to("userProfileId", "user-profile"),
            to("multimediaProfileId", "multimedia-profile"),
            to("skillProfileId", "skill-profile"),
        ],
        read_only: &[
            "siteName",
            "userProfileType",
            "dbId",
            "queuesCount",
            "skillProfileUpdatedBy",
            "skillProfileUpdatedTime",
            "dynamicSkillsUpdatedBy",
            "dynamicSkillsUpdatedTime",
            "dynamicSkillsLimitReached",
            "dynamicSkillAssigned",
            "userProfileData",
            "userProfileGranularAccessData",
        ],
        unordered: &["teamIds"],
        immutable: &["email", "firstName", "lastName", "ciUserId"],
        creatable: false,
        deletable: false,
        response_dto: Some("UserResponseDTO"),
        partial_update: true,
        ignored_on_write: &["userLevelSummariesInclusion", "userLevelAutoCSATInclusion"],
        ..BASE
    },
];
