//! Pure: what one kill target names in a forest. With `--mine` a target resolves only
//! inside the caller's attempt: a target that names a process or an attempt elsewhere
//! is refused, saying where that is; `name:` and `orphans` look only inside it.

use std::path::PathBuf;

use super::index::{Index, Place};
use super::narrow::Mine;
use super::plan::{PlanError, Resolved};
use super::suggest::close_matches;
use crate::model::tags::{CLAUDE_CODE_SESSION_ID, CODEX_THREAD_ID};
use crate::model::{AttemptId, AttemptNode, Forest, NodeId, ProcNode, ProjectNode, TaskNode};

/// The variables through which a session names what it started (older Codex builds set
/// only `CODEX_SESSION_ID`, with the thread id).
const SESSION_VARS: [&str; 3] = [CLAUDE_CODE_SESSION_ID, CODEX_THREAD_ID, "CODEX_SESSION_ID"];

/// Processes named elsewhere that a refusal lists, at most.
const ELSEWHERE_SHOWN: usize = 3;

pub(super) fn resolve(
    target: &NodeId,
    forest: &Forest,
    index: &Index<'_>,
    mine: Option<&Mine>,
    agents_seen: &[(AttemptId, PathBuf)],
) -> Result<Vec<Resolved>, PlanError> {
    let unknown =
        || PlanError::UnknownTarget { target: target.clone(), close: close_matches(target, forest) };
    let outside = |m: &Mine, lives: String| PlanError::OutsideMine {
        target: target.clone(),
        mine: Box::new(m.clone()),
        lives,
    };
    // A process target: the process must be in the caller's attempt.
    let process = |pid: u32| -> Result<&ProcNode, PlanError> {
        let node = index.by_pid(pid).ok_or_else(unknown)?;
        match mine {
            Some(m) if !m.holds(index.place(node.key())) => {
                Err(outside(m, format!("it is {}", index.place(node.key()))))
            }
            _ => Ok(node),
        }
    };
    let attempts = |wanted: &dyn Fn(&ProjectNode, &TaskNode, &AttemptNode) -> bool| {
        forest
            .attempts()
            .filter(|(p, t, a)| wanted(p, t, a))
            .map(|(_, _, a)| (a.id.clone(), a.path.clone()))
            .collect::<Vec<_>>()
    };
    // A group target: every attempt it covers must be the caller's.
    let groups = |found: Vec<(AttemptId, PathBuf)>| -> Result<Vec<Resolved>, PlanError> {
        if found.is_empty() {
            return Err(unknown());
        }
        if let Some(m) = mine {
            if let Some((id, _)) = found.iter().find(|(id, path)| *id != m.attempt || *path != m.path) {
                return Err(outside(m, format!("it covers {id}")));
            }
        }
        Ok(vec![Resolved::Attempts(found)])
    };
    let in_mine = |a: &AttemptNode| mine.is_none_or(|m| m.holds_attempt(a));
    let left_over = |found: Vec<(AttemptId, PathBuf)>| {
        let seen = agents_seen.iter().filter(|s| found.contains(s)).cloned().collect();
        Resolved::Leftovers(found, seen)
    };
    match target {
        NodeId::Pid(pid) => Ok(vec![Resolved::Process(process(*pid)?.key())]),
        NodeId::Tree(pid) => Ok(vec![Resolved::Tree(process(*pid)?.key())]),
        NodeId::Project(id) => groups(attempts(&|p, _, _| p.id == *id)),
        NodeId::Task(id) => groups(attempts(&|_, t, _| t.id == *id)),
        NodeId::Attempt(id) => groups(attempts(&|_, _, a| a.id == *id)),
        NodeId::Orphans(None) => Ok(vec![Resolved::Orphans(attempts(&|_, _, a| in_mine(a)))]),
        NodeId::Leftovers(None) => Ok(vec![left_over(attempts(&|_, _, a| in_mine(a)))]),
        NodeId::Orphans(Some(id)) | NodeId::Leftovers(Some(id)) => {
            let found = match mine {
                _ if !forest.projects.iter().any(|p| p.id == *id) => return Err(unknown()),
                Some(m) if m.project != *id => {
                    return Err(outside(m, format!("your attempt is in {}", m.project)));
                }
                _ => attempts(&|p, _, a| p.id == *id && in_mine(a)),
            };
            Ok(vec![match target {
                NodeId::Orphans(_) => Resolved::Orphans(found),
                _ => left_over(found),
            }])
        }
        NodeId::Name(pattern) => {
            let matching = by_name(pattern, index);
            let (inside, elsewhere): (Vec<&ProcNode>, Vec<&ProcNode>) =
                matching.into_iter().partition(|n| mine.is_none_or(|m| m.holds(index.place(n.key()))));
            match mine {
                Some(m) if inside.is_empty() && !elsewhere.is_empty() => Err(PlanError::NothingInMine {
                    target: target.clone(),
                    mine: Box::new(m.clone()),
                    elsewhere: shown(&elsewhere, index),
                }),
                _ => Ok(inside.into_iter().map(|n| Resolved::Process(n.key())).collect()),
            }
        }
        NodeId::Port(port) => {
            // Like so many `pid:` targets: the holders in the forest, no one else.
            let holders = crate::model::ports::holders(forest, *port);
            if holders.is_empty() {
                let unreadable = forest.unowned_ports.iter().any(|p| p.port == *port);
                return Err(if unreadable { PlanError::Unreadable(target.clone()) } else { unknown() });
            }
            let (inside, elsewhere): (Vec<&ProcNode>, Vec<&ProcNode>) =
                holders.into_iter().partition(|n| mine.is_none_or(|m| m.holds(index.place(n.key()))));
            match mine {
                Some(m) if inside.is_empty() => Err(PlanError::NothingInMine {
                    target: target.clone(),
                    mine: Box::new(m.clone()),
                    elsewhere: shown(&elsewhere, index),
                }),
                _ => Ok(inside.into_iter().map(|n| Resolved::Process(n.key())).collect()),
            }
        }
        NodeId::Session(id) => {
            let (agents, started) = session(id, index);
            if agents.is_empty() && started.is_empty() {
                return Err(unknown());
            }
            if let Some(m) = mine {
                // The agent itself must be the caller's; what it started elsewhere is
                // skipped (as a tree's descendants in another attempt are).
                let refused = agents.iter().find(|n| !m.holds(index.place(n.key())));
                let none_inside = !agents.iter().chain(&started).any(|n| m.holds(index.place(n.key())));
                if let Some(n) = refused.or(none_inside.then(|| started.first()).flatten()) {
                    let place = index.place(n.key());
                    return Err(outside(m, format!("pid {} is {place}", n.process.pid())));
                }
            }
            Ok(agents.into_iter().chain(started).map(|n| Resolved::Tree(n.key())).collect())
        }
    }
}

/// Processes whose name (`comm`) or argv[0]'s basename matches `pattern`, parents
/// first. Never any other argument: `name:node` does not match `vim node.txt`.
fn by_name<'f>(pattern: &str, index: &Index<'f>) -> Vec<&'f ProcNode> {
    // Checked when the id was parsed; a pattern that does not compile matches nothing.
    let Ok(glob) = glob::Pattern::new(pattern) else { return Vec::new() };
    let mut found: Vec<&ProcNode> = index
        .nodes()
        .filter(|n| {
            let facts = &n.process.facts;
            let argv0 =
                facts.cmd.first().map(|a| a.rsplit('/').next().unwrap_or(a)).filter(|a| !a.is_empty());
            glob.matches(&facts.name) || argv0.is_some_and(|a| glob.matches(a))
        })
        .collect();
    found.sort_by_key(|n| (index.depth(n.process.pid()), n.process.pid()));
    found
}

/// The agents whose session is `id` (a Claude session id, or a Codex thread id once
/// linked), and the outermost processes that carry it in their environment
/// (`CLAUDE_CODE_SESSION_ID`, `CODEX_THREAD_ID`, `CODEX_SESSION_ID`): what the session
/// started, also once orphaned or under Codex's shared daemon.
fn session<'f>(id: &str, index: &Index<'f>) -> (Vec<&'f ProcNode>, Vec<&'f ProcNode>) {
    let carries = |n: &ProcNode| SESSION_VARS.iter().any(|k| n.process.tag(k) == Some(id));
    let is_agent = |n: &ProcNode| n.agent.as_ref().is_some_and(|a| a.session_id.as_deref() == Some(id));
    let mut agents: Vec<&ProcNode> = index.nodes().filter(|n| is_agent(n)).collect();
    // Outermost: its parent neither carries the id nor is the session's agent.
    let mut started: Vec<&ProcNode> = index
        .nodes()
        .filter(|n| carries(n) && !is_agent(n))
        .filter(|n| !index.parent(n).is_some_and(|p| carries(p) || is_agent(p)))
        .collect();
    let order = |n: &&ProcNode| (index.depth(n.process.pid()), n.process.pid());
    agents.sort_by_key(order);
    started.sort_by_key(order);
    (agents, started)
}

/// `4242 (attempt:…)` for the first few processes, and how many more.
fn shown(nodes: &[&ProcNode], index: &Index<'_>) -> Vec<String> {
    let mut out: Vec<String> = nodes
        .iter()
        .take(ELSEWHERE_SHOWN)
        .map(|n| {
            let place = match index.place(n.key()) {
                Place::Attempt(_, a) => a.id.to_string(),
                Place::Shared => "shared service".to_string(),
                Place::Outside => "no attempt".to_string(),
            };
            format!("pid {} in {place}", n.process.pid())
        })
        .collect();
    if nodes.len() > ELSEWHERE_SHOWN {
        out.push(format!("{} more", nodes.len() - ELSEWHERE_SHOWN));
    }
    out
}

#[cfg(test)]
#[path = "mine_tests.rs"]
mod tests;
