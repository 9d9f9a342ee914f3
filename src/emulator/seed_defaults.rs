//! The system defaults a new tenant ships beyond its site, team and multimedia profile
//! (docs/api-notes.md §1.11): work types, idle and wrap-up codes, dial
//! plans, the global desktop layout, the music-on-hold file and its blob, the two default
//! queues, the outdial entry point, the default desktop profile, the user profiles and the
//! global variables. Names marked [INFER] are the research's best guess.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::rules::TENANT_TIMEZONE;
use super::seed::{insert, new_id};
use super::store::Org;

pub const MUSIC_ON_HOLD: &str = "defaultmusic_on_hold.wav";
pub const DESKTOP_PROFILE: &str = "Default Desktop Profile";
pub const AGENT_USER_PROFILE: &str = "Premium Agent";

/// Adds the defaults to `org`, pointing at its `Site-1` and `Team-1` when they exist.
pub fn add(org: &mut Org, org_id: &str) {
    work_types_and_codes(org, org_id);
    dial_plans(org, org_id);
    insert(
        org,
        org_id,
        "desktop-layout",
        json!({
            "name": "Global Layout", "description": "Global desktop layout",
            "editedBy": "System", "jsonFileName": "Desktop Layout.json",
            "jsonFileContent": default_layout(), "global": true, "status": true,
            "defaultJsonModified": false, "validated": true, "teamIds": [],
        }),
    );
    let blob_id = format!("audio-file_{}", new_id());
    let music = insert(
        org,
        org_id,
        "audio-file",
        json!({
            "name": MUSIC_ON_HOLD, "description": "Default music on hold",
            "contentType": "AUDIO_X_WAV", "blobId": blob_id,
        }),
    );
    org.blobs.insert(blob_id, STANDARD.encode(tone_wav()));
    let outdial_queue = queues(org, org_id, &music);
    let outdial_entry_point = outdial_queue.map(|queue| {
        insert(
            org,
            org_id,
            "entry-point",
            json!({
                "name": "Outdial Entry Point-1", "entryPointType": "OUTBOUND",
                "channelType": "TELEPHONY", "serviceLevelThreshold": 30,
                "maximumActiveContacts": 100, "active": true, "timezone": TENANT_TIMEZONE,
                "callbackEnabled": false, "outdialQueueId": queue,
            }),
        )
    });
    let mut profile = json!({
        "name": DESKTOP_PROFILE, "description": "Default desktop profile",
        "parentType": "ORGANIZATION", "active": true,
        "screenPopup": false, "lastAgentRouting": false, "autoWrapUp": false,
        "autoAnswer": false, "agentAvailableAfterOutdial": false,
        "allowAutoWrapUpExtension": false, "consultToQueue": true,
        "accessWrapUpCode": "ALL", "accessIdleCode": "ALL", "accessQueue": "ALL",
        "accessEntryPoint": "ALL", "accessBuddyTeam": "ALL",
        "outdialEnabled": true, "dialPlanEnabled": false,
        "agentDNValidation": "ALL",
        "loginVoiceOptions": ["AGENT_DN", "EXTENSION", "BROWSER"],
        "viewableStatistics": {
            "id": new_id(), "agentStats": true, "accessQueueStats": "ALL",
            "loggedInTeamStats": true, "accessTeamStats": "ALL",
        },
        "timeoutDesktopInactivityCustomEnabled": false,
    });
    if let Some(ep) = outdial_entry_point {
        profile["outdialEntryPointId"] = json!(ep);
    }
    insert(org, org_id, "agent-profile", profile);
    user_profiles(org, org_id);
    for (name, value) in [
        ("Global_Language", "en-US"),
        ("Global_VoiceName", "en-US-Standard-D"),
    ] {
        insert(
            org,
            org_id,
            "cad-variable",
            json!({
                "name": name, "variableType": "String", "defaultValue": value,
                "active": true, "agentEditable": false, "agentViewable": false,
                "reportable": false, "sensitive": false,
            }),
        );
    }
}

/// §3.1 / §3.13: one work type per family; RONA (a system code), `Meeting` and `Sale` as
/// the family defaults [INFER which is default].
fn work_types_and_codes(org: &mut Org, org_id: &str) {
    let idle = insert(
        org,
        org_id,
        "work-type",
        json!({"name": "Default Idle Work Type", "description": "Default Idle Code Work Type",
               "workTypeCode": "IDLE_CODE", "active": true}),
    );
    let wrap_up = insert(
        org,
        org_id,
        "work-type",
        json!({"name": "Default Wrapup Work Type", "description": "Default Wrapup Code Work Type",
               "workTypeCode": "WRAP_UP_CODE", "active": true}),
    );
    for (name, description, work_type, code, default, system, burnout) in [
        (
            "RONA",
            "Redirection on no answer",
            &idle,
            "IDLE_CODE",
            false,
            true,
            "INCLUDED",
        ),
        (
            "Meeting",
            "In a meeting",
            &idle,
            "IDLE_CODE",
            true,
            false,
            "INCLUDED",
        ),
        (
            "Sale",
            "Sale made",
            &wrap_up,
            "WRAP_UP_CODE",
            true,
            false,
            "NOT_APPLICABLE",
        ),
    ] {
        insert(
            org,
            org_id,
            "auxiliary-code",
            json!({
                "name": name, "description": description, "active": true,
                "defaultCode": default, "isSystemCode": system, "workTypeId": work_type,
                "workTypeCode": code, "burnoutInclusion": burnout,
            }),
        );
    }
}

/// §3.9: `US` and `Any Format` [INFER expressions].
fn dial_plans(org: &mut Org, org_id: &str) {
    insert(
        org,
        org_id,
        "dial-plan",
        json!({"name": "US", "regularExpression": "1[0-9]{3}[2-9][0-9]{6}", "prefix": "1",
               "strippedChars": "( )-", "active": true}),
    );
    insert(
        org,
        org_id,
        "dial-plan",
        json!({"name": "Any Format", "regularExpression": "([0-9a-zA-Z]+[-._])*[0-9a-zA-Z]+",
               "active": true}),
    );
}

/// §1.11: `Queue-1` (inbound, team-based to `Team-1`) and `Outdial Queue-1`; returns the
/// outdial queue's id. Without `Team-1` there is nothing to distribute to and neither is made.
fn queues(org: &mut Org, org_id: &str, music: &str) -> Option<String> {
    let team = org.id_where("team", "name", "Team-1")?;
    let queue = |name: &str, queue_type: &str| {
        json!({
            "name": name, "queueType": queue_type, "channelType": "TELEPHONY",
            "queueRoutingType": "TEAM_BASED", "routingType": "LONGEST_AVAILABLE_AGENT",
            "serviceLevelThreshold": 30, "maxActiveContacts": 0, "maxTimeInQueue": 3600,
            "checkAgentAvailability": false, "active": true, "timezone": TENANT_TIMEZONE,
            "monitoringPermitted": true, "parkingPermitted": true, "recordingPermitted": true,
            "recordingAllCallsPermitted": true, "pauseRecordingPermitted": true,
            "recordingPauseDuration": 10, "defaultMusicInQueueMediaFileId": music,
            "outdialCampaignEnabled": false, "manuallyAssignable": false,
            "callDistributionGroups": [{"agentGroups": [{"teamId": team}], "order": 1, "duration": 0}],
            "queueLevelSummariesInclusion": "EXCLUDED",
            "queueLevelSentimentAnalysisInclusion": "EXCLUDED",
            "queueLevelPredictedWaitTimeInclusion": "EXCLUDED",
            "queueLevelAutoCsatInclusion": "EXCLUDED",
            "queueLevelRealTimeTranscriptionsInclusion": "EXCLUDED",
        })
    };
    insert(
        org,
        org_id,
        "contact-service-queue",
        queue("Queue-1", "INBOUND"),
    );
    Some(insert(
        org,
        org_id,
        "contact-service-queue",
        queue("Outdial Queue-1", "OUTBOUND"),
    ))
}

/// §3.17: six profiles, as on a sample tenant [INFER names]; the agent-only and admin-only
/// ones grant specific permissions ([INFER] permission names, §7 "unresolved").
fn user_profiles(org: &mut Org, org_id: &str) {
    let permissions = |list: &[(&str, &str)]| -> Value {
        Value::Array(
            list.iter()
                .map(|(name, access)| json!({"id": new_id(), "name": name, "access": access}))
                .collect(),
        )
    };
    let profiles = [
        ("Administrator", "ADMINISTRATOR", None),
        ("Supervisor", "SUPERVISOR", None),
        (AGENT_USER_PROFILE, "PREMIUM_AGENT", None),
        (
            "Standard Agent",
            "STANDARD_AGENT",
            Some(permissions(&[
                ("site", "VIEW"),
                ("team", "VIEW"),
                ("queue", "VIEW"),
            ])),
        ),
        (
            "Administrator Only",
            "ADMINISTRATOR_ONLY",
            Some(permissions(&[
                ("site", "EDIT"),
                ("team", "EDIT"),
                ("queue", "EDIT"),
                ("entry-point", "EDIT"),
                ("user", "EDIT"),
                ("resource-collection", "EDIT"),
            ])),
        ),
        ("Analyzer User", "ANALYZER_USER", None),
    ];
    for (name, profile_type, specific) in profiles {
        let mut profile = json!({
            "name": name, "description": format!("{name} user profile"),
            "profileType": profile_type, "active": true,
            "permissionAccessLevel": "ALL", "resourceAccessLevel": "ALL",
        });
        if let Some(p) = specific {
            profile["permissionAccessLevel"] = json!("SPECIFIC");
            profile["permissions"] = p;
        }
        insert(org, org_id, "user-profile", profile);
    }
}

/// A small desktop layout, as the JSON string the API carries (§3.11).
fn default_layout() -> String {
    json!({
        "version": "0.0.6",
        "appTitle": "Webex Contact Center",
        "logo": "",
        "dragDropEnabled": false,
        "notificationTimer": 8,
        "maximumNotificationCount": 3,
        "browserNotificationTimer": 8,
        "area": {"headless": {}, "panel": {}, "navigation": [], "header": {}},
    })
    .to_string()
}

/// A quarter second of a quiet 440 Hz tone: 8 kHz, 8-bit unsigned, mono PCM WAV.
pub(super) fn tone_wav() -> Vec<u8> {
    const RATE: u32 = 8_000;
    let samples: Vec<u8> = (0..RATE / 4)
        .map(|i| {
            let t = f64::from(i) / f64::from(RATE);
            (128.0 + 32.0 * (2.0 * std::f64::consts::PI * 440.0 * t).sin()) as u8
        })
        .collect();
    let data_len = samples.len() as u32;
    let mut wav = Vec::with_capacity(44 + samples.len());
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&RATE.to_le_bytes());
    wav.extend_from_slice(&RATE.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&8u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    wav.extend_from_slice(&samples);
    wav
}
