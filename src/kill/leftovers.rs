//! Pure: leftovers — the processes of an attempt whose agent was seen and has exited.
//!
//! No live agent may work in the attempt (any recognised agent process placed there
//! spares all of it). Then a process is a leftover when
//! - this swarmtop saw an agent in the attempt earlier (`PlanContext::agents_seen`: the
//!   TUI remembers every attempt it saw an agent in, for its life): every process of
//!   the attempt; or
//! - its own environment names an agent that is gone: `CLAUDE_PID` names a PID that no
//!   process holds, or one that started after it (the PID was reused); or, without
//!   `CLAUDE_PID`, its `CLAUDE_CODE_SESSION_ID` is no live agent's session while every
//!   live claude has a known session; or its `CODEX_THREAD_ID`/`CODEX_SESSION_ID` is no
//!   live agent's thread (its attempt has no agent left). Such a process's subtree in
//!   the attempt is left over with it.
//!
//! So an attempt that never had an agent — a dev server started by hand in a worktree —
//! has no leftovers, and neither does a process whose only trace of an agent is
//! `CLAUDECODE=1` (which claude started it cannot be told).

use std::collections::HashSet;
use std::path::PathBuf;

use super::index::Index;
use crate::model::agent::AgentKind;
use crate::model::tags::{CLAUDE_CODE_SESSION_ID, CLAUDE_PID, CODEX_THREAD_ID};
use crate::model::{AttemptId, AttemptNode, Forest, ProcNode};

/// Older Codex builds set only this, with the thread id.
const CODEX_SESSION_ID: &str = "CODEX_SESSION_ID";

/// The leftovers of the `wanted` attempts of `forest`, parents before children.
pub(super) fn leftovers<'f>(
    forest: &'f Forest,
    index: &Index<'f>,
    wanted: &[(AttemptId, PathBuf)],
    agents_seen: &[(AttemptId, PathBuf)],
) -> Vec<&'f ProcNode> {
    let live = LiveAgents::of(index);
    let is = |list: &[(AttemptId, PathBuf)], a: &AttemptNode| {
        list.iter().any(|(id, p)| *id == a.id && *p == a.path)
    };
    let mut out = Vec::new();
    for (_, _, a) in forest.attempts().filter(|(_, _, a)| is(wanted, a) && a.agent.is_none()) {
        let remembered = is(agents_seen, a);
        // Each tree with whether its ancestor in the attempt is already left over.
        let mut stack: Vec<(&ProcNode, bool)> = a.processes.iter().rev().map(|n| (n, remembered)).collect();
        while let Some((n, above)) = stack.pop() {
            let left = above || live.gone_agent_started(n, index);
            if left {
                out.push(n);
            }
            stack.extend(n.children.iter().rev().map(|c| (c, left)));
        }
    }
    out
}

/// What is known of the agents alive in the forest.
struct LiveAgents<'f> {
    sessions: HashSet<&'f str>,
    /// A live claude whose session is unknown: it could be any session's agent.
    unlinked_claude: bool,
}

impl<'f> LiveAgents<'f> {
    fn of(index: &Index<'f>) -> LiveAgents<'f> {
        let agents: Vec<_> = index.nodes().filter_map(|n| n.agent.as_deref()).collect();
        LiveAgents {
            sessions: agents.iter().filter_map(|a| a.session_id.as_deref()).collect(),
            unlinked_claude: agents.iter().any(|a| a.kind == AgentKind::Claude && a.session_id.is_none()),
        }
    }

    /// Whether `n`'s environment names the agent that started it, and that agent is gone.
    fn gone_agent_started(&self, n: &ProcNode, index: &Index<'_>) -> bool {
        let p = &n.process;
        if let Some(tag) = p.tag(CLAUDE_PID) {
            let Ok(pid) = tag.parse::<u32>() else { return false };
            // A process holding that PID now and older than `n` is the claude that started it.
            return index.by_pid(pid).is_none_or(|c| c.key().start_time() > p.key.start_time());
        }
        if let Some(session) = p.tag(CLAUDE_CODE_SESSION_ID) {
            return !self.unlinked_claude && !self.sessions.contains(session);
        }
        [CODEX_THREAD_ID, CODEX_SESSION_ID]
            .iter()
            .filter_map(|k| p.tag(k))
            .any(|t| !self.sessions.contains(t))
    }
}

#[cfg(test)]
#[path = "leftovers_tests.rs"]
mod tests;
