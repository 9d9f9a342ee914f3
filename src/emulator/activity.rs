//! Synthetic contact-center activity for the data APIs: tasks on the org's queues and
//! entry points, handled by its users through its teams, generated deterministically from
//! the configuration and the hour (the same org and window always give the same tasks).
//! Statistics and agent activities are derived from these tasks when asked, so they are
//! consistent with what `GET /v1/tasks` returns.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::store::Org;

/// One synthetic contact, with everything the data APIs report about it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyntheticTask {
    pub id: String,
    pub created_time: i64,
    /// Milliseconds waiting in the queue.
    pub queued_ms: i64,
    /// Milliseconds talking (0 when abandoned).
    pub connected_ms: i64,
    pub hold_ms: i64,
    pub wrapup_ms: i64,
    /// `telephony`, `chat`, `email` or `social`.
    pub channel_type: String,
    pub queue_id: String,
    pub queue_name: String,
    pub entry_point_id: String,
    pub entry_point_name: String,
    /// Empty when the caller abandoned before an agent answered.
    pub agent_id: String,
    pub agent_name: String,
    pub team_id: String,
    pub team_name: String,
    pub site_id: String,
    pub site_name: String,
    pub origin: String,
    pub destination: String,
    pub capture_requested: bool,
}

impl SyntheticTask {
    pub fn abandoned(&self) -> bool {
        self.agent_id.is_empty()
    }

    /// When an agent answered (the end of queueing).
    pub fn answered_time(&self) -> i64 {
        self.created_time + self.queued_ms
    }

    /// When the contact ended (before wrap-up).
    pub fn ended_time(&self) -> i64 {
        self.answered_time() + self.connected_ms + self.hold_ms
    }

    /// When the task was last touched (after wrap-up).
    pub fn last_updated_time(&self) -> i64 {
        self.ended_time() + self.wrapup_ms
    }

    /// The task's status for `GET /v1/tasks` at `now`.
    pub fn status(&self, now: i64) -> &'static str {
        if self.abandoned() {
            if self.answered_time() <= now {
                "abandoned"
            } else {
                "queued"
            }
        } else if self.last_updated_time() <= now {
            "completed"
        } else if self.answered_time() <= now {
            "assigned"
        } else {
            "queued"
        }
    }
}

/// A caller every org's data includes (the first contact of each queue's hour), so the
/// lab's `totalCallsByAni` query, and a search for that caller, always has answers.
pub const LAB_CALLER: &str = "+12344565678";

const HOUR_MS: i64 = 3_600_000;
/// Tasks per queue and hour when not asked otherwise.
pub const DEFAULT_PER_HOUR: u32 = 6;
/// The most days one generation covers (the search API looks back 36 months at most).
pub const MAX_DAYS: u32 = 400;

/// Replaces the org's activity with `days` days of tasks ending at the hour before `now`,
/// about `per_hour` tasks per queue and hour. Returns how many tasks there are.
pub fn generate(org: &mut Org, org_id: &str, days: u32, per_hour: u32, now: i64) -> usize {
    let end_hour = now.div_euclid(HOUR_MS);
    let start_hour = end_hour - i64::from(days) * 24;
    let queues = queues(org);
    let agents = agents(org);
    let mut tasks = Vec::new();
    for hour in start_hour..end_hour {
        for queue in &queues {
            let mut rng = Rng::new(&format!("{org_id}/{}/{hour}", queue.id));
            // Between half and one and a half times `per_hour`: `per_hour` on average.
            let low = per_hour / 2;
            let count = low + rng.below(2 * u64::from(per_hour - low) + 1) as u32;
            let mut offsets: Vec<i64> = (0..count)
                .map(|_| rng.below(HOUR_MS as u64) as i64)
                .collect();
            offsets.sort_unstable();
            for (i, offset) in offsets.into_iter().enumerate() {
                let created = hour * HOUR_MS + offset;
                tasks.push(task(&mut rng, org, queue, &agents, created, i == 0));
            }
        }
    }
    tasks.sort_by(|a, b| a.created_time.cmp(&b.created_time).then(a.id.cmp(&b.id)));
    let n = tasks.len();
    org.activity = tasks;
    n
}

struct Queue {
    id: String,
    name: String,
    channel: String,
    teams: Vec<String>,
}

struct Agent {
    id: String,
    name: String,
    teams: Vec<String>,
    site: String,
}

fn queues(org: &Org) -> Vec<Queue> {
    org.all("contact-service-queue")
        .filter(|(_, q)| q.get("queueType").and_then(Value::as_str) != Some("OUTBOUND"))
        .map(|(id, q)| Queue {
            id: id.clone(),
            name: text(q, "name"),
            channel: text(q, "channelType").to_lowercase(),
            teams: q
                .get("callDistributionGroups")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|g| g.get("agentGroups").and_then(Value::as_array))
                .flatten()
                .filter_map(|g| g.get("teamId").and_then(Value::as_str).map(str::to_string))
                .collect(),
        })
        .collect()
}

fn agents(org: &Org) -> Vec<Agent> {
    org.all("user")
        .filter(|(_, u)| u.get("contactCenterEnabled").and_then(Value::as_bool) == Some(true))
        .map(|(id, u)| Agent {
            id: id.clone(),
            name: format!("{} {}", text(u, "firstName"), text(u, "lastName")),
            teams: u
                .get("teamIds")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect(),
            site: text(u, "siteId"),
        })
        .collect()
}

fn text(object: &Value, field: &str) -> String {
    object
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// One contact on `queue`; the first of each queue's hour (`first`) is the lab caller's,
/// so every hour of every queue has one.
fn task(
    rng: &mut Rng,
    org: &Org,
    queue: &Queue,
    agents: &[Agent],
    created: i64,
    first: bool,
) -> SyntheticTask {
    let eligible: Vec<&Agent> = agents
        .iter()
        .filter(|a| queue.teams.is_empty() || a.teams.iter().any(|t| queue.teams.contains(t)))
        .collect();
    let abandoned = eligible.is_empty() || rng.below(10) == 0;
    let agent = (!abandoned).then(|| eligible[rng.below(eligible.len() as u64) as usize]);
    let team_id = agent
        .and_then(|a| {
            a.teams
                .iter()
                .find(|t| queue.teams.contains(t))
                .or(a.teams.first())
        })
        .cloned()
        .unwrap_or_default();
    let team_name = org
        .get("team", &team_id)
        .map(|t| text(t, "name"))
        .unwrap_or_default();
    let site_id = agent.map(|a| a.site.clone()).unwrap_or_default();
    let site_name = org
        .get("site", &site_id)
        .map(|s| text(s, "name"))
        .unwrap_or_default();
    let (entry_point_id, entry_point_name) = org
        .all("entry-point")
        .find(|(_, e)| e.get("entryPointType").and_then(Value::as_str) != Some("OUTBOUND"))
        .map(|(id, e)| (id.clone(), text(e, "name")))
        .unwrap_or_default();
    let caller = rng.below(40);
    let origin = if first || caller == 0 {
        LAB_CALLER.to_string()
    } else {
        format!("+1312555{:04}", 2000 + caller)
    };
    let id = rng.uuid();
    SyntheticTask {
        id,
        created_time: created,
        queued_ms: 5_000 + rng.below(120_000) as i64,
        connected_ms: if abandoned {
            0
        } else {
            60_000 + rng.below(540_000) as i64
        },
        hold_ms: if abandoned || rng.below(3) != 0 {
            0
        } else {
            rng.below(60_000) as i64
        },
        wrapup_ms: if abandoned {
            0
        } else {
            10_000 + rng.below(50_000) as i64
        },
        channel_type: if queue.channel.is_empty() {
            "telephony".into()
        } else {
            queue.channel.clone()
        },
        queue_id: queue.id.clone(),
        queue_name: queue.name.clone(),
        entry_point_id,
        entry_point_name,
        agent_id: agent.map(|a| a.id.clone()).unwrap_or_default(),
        agent_name: agent.map(|a| a.name.clone()).unwrap_or_default(),
        team_id,
        team_name,
        site_id,
        site_name,
        origin,
        destination: "+18005550100".into(),
        capture_requested: !abandoned,
    }
}

/// A small deterministic generator (splitmix64) seeded from a SHA-256 of a label, so the
/// data does not depend on any library's choice of algorithm.
struct Rng(u64);

impl Rng {
    fn new(label: &str) -> Rng {
        let digest = Sha256::digest(label.as_bytes());
        let mut seed = [0u8; 8];
        seed.copy_from_slice(&digest[..8]);
        Rng(u64::from_le_bytes(seed))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn uuid(&mut self) -> String {
        let bytes = ((u128::from(self.next())) << 64) | u128::from(self.next());
        uuid::Builder::from_random_bytes(bytes.to_le_bytes())
            .into_uuid()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn org() -> Org {
        let mut org = Org::default();
        org.put("team", "t1", json!({"name": "Team-1"}));
        org.put(
            "contact-service-queue",
            "q1",
            json!({"name": "Queue-1", "queueType": "INBOUND", "channelType": "TELEPHONY",
                   "callDistributionGroups": [{"agentGroups": [{"teamId": "t1"}]}]}),
        );
        org.put(
            "user",
            "u1",
            json!({"firstName": "Ana", "lastName": "Lopez", "contactCenterEnabled": true,
                   "teamIds": ["t1"]}),
        );
        org
    }

    #[test]
    fn the_same_org_and_window_give_the_same_tasks() {
        let (mut a, mut b) = (org(), org());
        let now = 1_800_000_000_000;
        let n = generate(&mut a, "o", 1, 10, now);
        generate(&mut b, "o", 1, 10, now);
        assert!(n >= 24 * 5, "about 10 an hour: {n}");
        let ids = |o: &Org| o.activity.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&a), ids(&b));
        assert!(
            a.activity
                .windows(2)
                .all(|w| w[0].created_time <= w[1].created_time)
        );
        assert!(
            a.activity
                .iter()
                .all(|t| t.created_time < now - now % HOUR_MS)
        );
        assert!(
            a.activity
                .iter()
                .any(|t| t.agent_id == "u1" && t.team_name == "Team-1")
        );
    }
}
