//! Pure: what `list_processes` returns — the processes of the caller's attempt (or of
//! its task or project), flat and parents first, each with what a model needs to decide
//! what to stop, and which of them are the caller itself.

use rmcp::schemars;
use serde::Serialize;

use crate::kill::plan::Mine;
use crate::model::text::truncate;
use crate::model::{AttemptNode, Forest, ProcNode};

/// Processes one answer lists at most: a model's context is small.
pub const MAX_LISTED: usize = 500;
/// Characters of a command line an answer keeps.
const MAX_CMD: usize = 400;

/// How far `list_processes` looks (read-only; kills stay in the caller's attempt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// The caller's own attempt.
    #[default]
    Attempt,
    /// Every attempt of the caller's task.
    Task,
    /// Every attempt of the caller's project.
    Project,
}

#[derive(Debug, Serialize)]
pub struct Listed {
    pub pid: u32,
    pub ppid: u32,
    pub name: String,
    /// The command line, cut to 400 characters.
    pub cmd: String,
    pub cwd: Option<String>,
    pub cpu_percent: f32,
    pub memory_bytes: u64,
    /// The ports it listens on (TCP) or is bound to (UDP); null when its sockets could not
    /// be read.
    pub ports: Option<Vec<u16>>,
    /// Seconds since it started.
    pub age_secs: u64,
    /// Its parent is PID 1 or a subreaper: whatever started it is gone.
    pub orphan: bool,
    /// The agent it is (`claude`, `codex`, …), if it is one.
    pub agent: Option<String>,
    pub attempt: String,
    /// It is the MCP client (the agent that runs this server) or one of its ancestors:
    /// never killed.
    pub is_caller: bool,
}

#[derive(Debug, Serialize)]
pub struct Listing {
    pub scope: Scope,
    /// The caller's attempt, task and project ids.
    pub attempt: String,
    pub task: String,
    pub project: String,
    /// Processes in the scope (all of them, also those not listed).
    pub process_count: usize,
    /// Parents before children, at most `MAX_LISTED`.
    pub processes: Vec<Listed>,
    /// More processes than `MAX_LISTED` are in the scope.
    pub truncated: bool,
}

/// The processes of `scope` around the caller's attempt `mine`; None when the attempt is
/// not in `forest`.
pub fn listing(forest: &Forest, mine: &Mine, scope: Scope, self_ancestry: &[u32]) -> Option<Listing> {
    let (project, task, _) = forest.attempts().find(|(_, _, a)| mine.holds_attempt(a))?;
    let attempts: Vec<&AttemptNode> = match scope {
        Scope::Attempt => {
            forest.attempts().filter(|(_, _, a)| mine.holds_attempt(a)).map(|(_, _, a)| a).collect()
        }
        Scope::Task => task.attempts.iter().collect(),
        Scope::Project => project.tasks.iter().flat_map(|t| &t.attempts).collect(),
    };
    let mut processes = Vec::new();
    let mut count = 0;
    for a in attempts {
        for root in &a.processes {
            for (_, n) in root.preorder() {
                count += 1;
                if processes.len() < MAX_LISTED {
                    processes.push(listed(n, a, forest, self_ancestry));
                }
            }
        }
    }
    Some(Listing {
        scope,
        attempt: mine.attempt.to_string(),
        task: task.id.to_string(),
        project: project.id.to_string(),
        process_count: count,
        truncated: count > processes.len(),
        processes,
    })
}

fn listed(n: &ProcNode, a: &AttemptNode, forest: &Forest, self_ancestry: &[u32]) -> Listed {
    let p = &n.process;
    Listed {
        pid: p.pid(),
        ppid: p.ppid,
        name: p.display_name().to_string(),
        cmd: truncate(&p.command_line(), MAX_CMD).into_owned(),
        cwd: p.cwd.as_ref().map(|c| c.to_string_lossy().into_owned()),
        cpu_percent: p.cpu_percent,
        memory_bytes: p.memory_bytes,
        ports: p.ports.as_ref().map(|ports| crate::model::ports::numbers(ports.iter())),
        age_secs: forest.age_secs(p.key.start_time()),
        orphan: n.orphan,
        agent: n.agent.as_ref().map(|a| a.kind.to_string()),
        attempt: a.id.to_string(),
        is_caller: self_ancestry.contains(&p.pid()),
    }
}

/// What `who_listens` returns: every socket listening on `port`, with its process and
/// where that process is placed, and whether it is in the caller's attempt.
pub fn who_listens(
    forest: &Forest,
    port: u16,
    listeners: Vec<serde_json::Value>,
    mine: Option<&Mine>,
) -> serde_json::Value {
    let yours = mine.map(|m| m.attempt.to_string());
    let listeners: Vec<serde_json::Value> = listeners
        .into_iter()
        .map(|mut row| {
            let in_yours = yours.is_some() && row["attempt"].as_str() == yours.as_deref();
            row["in_your_attempt"] = serde_json::Value::Bool(in_yours);
            row
        })
        .collect();
    serde_json::json!({
        "port": port,
        "your_attempt": yours,
        "listeners": listeners,
        "sampled_at_ms": forest.sampled_at_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::associate::{Options, associate};
    use crate::kill::plan::caller_attempt_in;
    use crate::model::fixture::swarm_snapshot;

    #[test]
    fn the_callers_attempt_its_task_or_its_project_flat_and_parents_first() {
        let f = associate(&swarm_snapshot(), &Options::default());
        // swarmtop 9999 is a child of the claude (100) of attempt 1a2b.
        let ancestry = [9999, 100, 90, 1];
        let mine = caller_attempt_in(&f, &ancestry).unwrap();
        let l = listing(&f, &mine, Scope::Attempt, &ancestry).unwrap();
        let pids: Vec<u32> = l.processes.iter().map(|p| p.pid).collect();
        assert_eq!(pids, [100, 101, 102, 103]);
        assert!(l.processes[0].is_caller && !l.processes[1].is_caller);
        assert_eq!(l.processes[0].agent.as_deref(), Some("claude"));
        assert_eq!(
            (l.attempt.as_str(), l.task.as_str()),
            ("attempt:alpha/add-login/1a2b", "task:alpha/add-login")
        );
        assert_eq!(listing(&f, &mine, Scope::Task, &ancestry).unwrap().process_count, 7);
        assert_eq!(listing(&f, &mine, Scope::Project, &ancestry).unwrap().process_count, 9);
        let orphan = listing(&f, &mine, Scope::Task, &ancestry).unwrap();
        assert!(orphan.processes.iter().any(|p| p.pid == 112 && p.orphan));
    }

    #[test]
    fn who_listens_marks_the_listeners_in_the_callers_attempt_only() {
        let f = associate(&swarm_snapshot(), &Options::default());
        let mine = caller_attempt_in(&f, &[9999, 100, 90, 1]).unwrap();
        let rows = vec![
            serde_json::json!({"pid": 101, "group": "attempt", "attempt": "attempt:alpha/add-login/1a2b"}),
            serde_json::json!({"pid": 111, "group": "attempt", "attempt": "attempt:alpha/add-login/3c4d"}),
            serde_json::json!({"pid": 7, "group": "shared", "attempt": null}),
            serde_json::json!({"pid": null, "group": null, "attempt": null}),
        ];
        let doc = who_listens(&f, 3000, rows.clone(), Some(&mine));
        let marks: Vec<bool> =
            doc["listeners"].as_array().unwrap().iter().map(|r| r["in_your_attempt"] == true).collect();
        assert_eq!(marks, [true, false, false, false]);
        assert_eq!(doc["your_attempt"], "attempt:alpha/add-login/1a2b");
        // A caller in no attempt: nothing is its own, and nothing is marked as such.
        let nobody = who_listens(&f, 3000, rows, None);
        assert!(nobody["listeners"].as_array().unwrap().iter().all(|r| r["in_your_attempt"] == false));
        assert_eq!(nobody["your_attempt"], serde_json::Value::Null);
    }
}
