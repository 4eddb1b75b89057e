//! Placement rules 2–5: environment tags, own cwd inside a known worktree,
//! inheritance along ppid, otherwise unassigned. Shared services are never placed
//! and never passed on.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Options;
use crate::model::agent::{AgentKind, Role, classify};
use crate::model::tags::{
    CLAUDE_CODE_SESSION_ID, CLAUDE_PID, CODEX_SESSION_ID, CODEX_THREAD_ID, CONDUCTOR_ROOT_PATH,
    CONDUCTOR_WORKSPACE_NAME, CONDUCTOR_WORKSPACE_PATH, CRYSTAL_SESSION_ID, KILD_KILD_ID,
    KILD_SESSION_BRANCH, SWARMTOP_ATTEMPT, SWARMTOP_PROJECT, SWARMTOP_TASK, VK_ATTEMPT_BRANCH, VK_ATTEMPT_ID,
    VK_WORKSPACE_BRANCH, VK_WORKSPACE_ID,
};
use crate::model::{AssignedBy, AttemptSource, ExternalSession, Process, Snapshot};

/// How firmly the process at the top of an inheritance chain was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// Placed only because its cwd is inside a worktree (e.g. a tmux server
    /// started there): its new-session descendants are not swallowed.
    CwdOnly,
    /// An agent, or placed by tags: its tool processes in sessions of their own stay.
    Strong,
}

/// An attempt: a git worktree of the snapshot, or one named by environment tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttemptRef {
    Worktree(usize),
    Tagged(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaggedAttempt {
    pub project: String,
    pub task: String,
    pub attempt: String,
    /// Registry or environment, whichever named it first.
    pub source: AttemptSource,
    /// The cwd of the first process that named it.
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub attempt: AttemptRef,
    pub by: AssignedBy,
    pub anchor: Anchor,
}

pub struct Placements {
    /// Indexed like `snapshot.processes`.
    pub of: Vec<Option<Placement>>,
    pub roles: Vec<Role>,
    pub tagged: Vec<TaggedAttempt>,
}

impl Placements {
    pub fn is_shared(&self, i: usize) -> bool {
        self.roles[i] == Role::SharedService
    }
}

/// One process's own evidence, before inheritance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direct {
    Placed(Placement),
    /// Never placed, and nothing inherits from it.
    Barrier,
    Unknown,
}

pub fn place_all(snapshot: &Snapshot, index_of_pid: &HashMap<u32, usize>, options: &Options) -> Placements {
    let roles: Vec<Role> = snapshot
        .processes
        .iter()
        .map(|p| match p {
            _ if p.kernel_thread => Role::Plain,
            _ if is_recorded_service(p, snapshot) => Role::SharedService,
            _ => classify(p, &options.agents),
        })
        .collect();
    let by_path: HashMap<&Path, usize> = snapshot
        .worktrees
        .iter()
        .enumerate()
        .flat_map(|(i, w)| {
            std::iter::once((w.path.as_path(), i)).chain(w.layout_dir.as_deref().map(|d| (d, i)))
        })
        .collect();
    let mut tagged: Vec<TaggedAttempt> = Vec::new();
    let mut direct: Vec<Direct> = snapshot
        .processes
        .iter()
        .zip(&roles)
        .map(|(p, role)| direct_evidence(p, role, snapshot, &by_path, options, &mut tagged))
        .collect();
    let mut of = inherit_all(snapshot, index_of_pid, &direct, &roles);

    // Claude's tool processes carry their claude's pid or session: they go where it is.
    let mut changed = false;
    for (i, p) in snapshot.processes.iter().enumerate() {
        if matches!(direct[i], Direct::Placed(Placement { by: AssignedBy::Env, .. }))
            || roles[i] == Role::SharedService
        {
            continue;
        }
        let is_claude = |c: usize| roles[c] == Role::Agent(AgentKind::Claude);
        let claude = claude_of(p, snapshot, index_of_pid).filter(|&c| c != i && is_claude(c));
        if let Some(Some(target)) = claude.map(|c| of[c]) {
            direct[i] = Direct::Placed(Placement {
                attempt: target.attempt,
                by: AssignedBy::Env,
                anchor: Anchor::Strong,
            });
            changed = true;
        }
    }
    if changed {
        of = inherit_all(snapshot, index_of_pid, &direct, &roles);
    }
    Placements { of, roles, tagged }
}

fn direct_evidence(
    p: &Process,
    role: &Role,
    snapshot: &Snapshot,
    by_path: &HashMap<&Path, usize>,
    options: &Options,
    tagged: &mut Vec<TaggedAttempt>,
) -> Direct {
    if p.kernel_thread || *role == Role::SharedService {
        return Direct::Barrier;
    }
    let strong = |attempt, by| Direct::Placed(Placement { attempt, by, anchor: Anchor::Strong });
    let registered = snapshot.registry.iter().find(|e| e.key == p.key || e.child == Some(p.key));
    if let Some(e) = registered {
        let named = Named {
            project: &e.project,
            task: &e.task,
            attempt: &e.attempt,
            source: AttemptSource::Registry,
        };
        let i = named.index_in(tagged, Some(&e.cwd));
        return strong(AttemptRef::Tagged(i), AssignedBy::Registry);
    }
    if let Some(e) = snapshot.external.iter().find(|e| is_recorded(e, p, snapshot)) {
        if let Some(w) = e.worktree.as_deref().and_then(|wt| by_path.get(wt).copied()) {
            return strong(AttemptRef::Worktree(w), AssignedBy::Registry);
        }
        let named = Named { project: &e.project, task: &e.task, attempt: &e.attempt, source: e.source };
        return strong(AttemptRef::Tagged(named.index_in(tagged, p.cwd.as_deref())), AssignedBy::Registry);
    }
    if let (Some(project), Some(task)) = (p.tag(SWARMTOP_PROJECT), p.tag(SWARMTOP_TASK)) {
        let attempt = p.tag(SWARMTOP_ATTEMPT).unwrap_or("env");
        let named = Named { project, task, attempt, source: AttemptSource::Env };
        return strong(AttemptRef::Tagged(named.index_in(tagged, p.cwd.as_deref())), AssignedBy::Env);
    }
    // Codex threads and Crystal sessions name the directory their processes belong to.
    let codex = p.tag(CODEX_THREAD_ID).or_else(|| p.tag(CODEX_SESSION_ID));
    let named = [(codex, &snapshot.codex_threads), (p.tag(CRYSTAL_SESSION_ID), &snapshot.crystal_sessions)]
        .into_iter()
        .filter_map(|(id, list)| Some((id?, list)))
        .find_map(|(id, list)| list.iter().find(|t| t.id == id && owned_by(t.owner, p)));
    if let Some(w) = named.and_then(|t| t.cwd.ancestors().find_map(|a| by_path.get(a).copied())) {
        return strong(AttemptRef::Worktree(w), AssignedBy::Env);
    }
    // Conductor (docs.conductor.build/tips/conductor-env): the workspace path is the
    // attempt, its root path the project, its name the attempt's name.
    if let Some(path) = p.tag(CONDUCTOR_WORKSPACE_PATH) {
        if let Some(&w) = by_path.get(Path::new(path)) {
            return strong(AttemptRef::Worktree(w), AssignedBy::Env);
        }
        let name = p.tag(CONDUCTOR_WORKSPACE_NAME).or_else(|| Path::new(path).file_name()?.to_str());
        let project = p.tag(CONDUCTOR_ROOT_PATH).and_then(|r| Path::new(r).file_name()?.to_str());
        if let (Some(name), Some(project)) = (name, project) {
            let named = Named { project, task: name, attempt: name, source: AttemptSource::Conductor };
            return strong(
                AttemptRef::Tagged(named.index_in(tagged, Some(Path::new(path)))),
                AssignedBy::Env,
            );
        }
    }
    // vibe-kanban's workspace, or a KILD v2 kild (`KILD_KILD_ID`): the branch of its worktree.
    let vk_id = p.tag(VK_WORKSPACE_ID).or_else(|| p.tag(VK_ATTEMPT_ID)).map(str::to_lowercase);
    let vk_id = vk_id.or_else(|| p.tag(KILD_KILD_ID).map(str::to_string));
    let vk_branch = vk_id.and_then(|id| {
        snapshot
            .task_titles
            .iter()
            .find(|t| t.workspace_id.as_deref() == Some(id.as_str()))
            .map(|t| t.branch.as_str())
    });
    // vibe-kanban's branch (`VK_ATTEMPT_BRANCH` in its builds of 2025-12-04 → 12-18), or
    // KILD v1's (`KILD_SESSION_BRANCH`): the worktree on that branch.
    let branch = p.tag(VK_WORKSPACE_BRANCH).or_else(|| p.tag(VK_ATTEMPT_BRANCH)).or(vk_branch);
    if let Some(branch) = branch.or_else(|| p.tag(KILD_SESSION_BRANCH)) {
        if let Some(w) = snapshot.worktrees.iter().position(|w| w.branch.as_deref() == Some(branch)) {
            return strong(AttemptRef::Worktree(w), AssignedBy::Env);
        }
    }
    let anchor = if matches!(role, Role::Agent(_)) { Anchor::Strong } else { Anchor::CwdOnly };
    let by_cwd = |attempt| Direct::Placed(Placement { attempt, by: AssignedBy::Cwd, anchor });
    let Some(cwd) = p.cwd.as_deref() else { return Direct::Unknown };
    if let Some(m) = options.layouts.iter().find_map(|l| l.matches(cwd)) {
        let named =
            Named { project: &m.project, task: &m.task, attempt: &m.attempt, source: AttemptSource::Layout };
        return by_cwd(AttemptRef::Tagged(named.index_in(tagged, Some(&m.root))));
    }
    match cwd.ancestors().find_map(|a| by_path.get(a).copied()) {
        Some(w) => by_cwd(AttemptRef::Worktree(w)),
        None => Direct::Unknown,
    }
}

/// Whether an orchestrator's record names this very process: same pid, and the same
/// `comm` and start time (to the second, ±2 s) where it recorded them.
fn is_recorded(e: &ExternalSession, p: &Process, snapshot: &Snapshot) -> bool {
    let started = snapshot.boot_time_secs + p.key.start_time() / snapshot.ticks_per_second.max(1);
    e.pid == p.pid()
        && owned_by(e.owner, p)
        && e.comm.as_ref().is_none_or(|c| **c == *p.facts.name)
        && e.start_epoch_secs.is_none_or(|s| s.abs_diff(started) <= 2)
}

/// Whether a state file names this very process as a shared service (Codex's daemon pid
/// files, Claude's daemon status and roster): same pid and start, a file of its user's.
fn is_recorded_service(p: &Process, snapshot: &Snapshot) -> bool {
    snapshot.services.iter().any(|s| {
        s.pid == p.pid()
            && owned_by(s.owner, p)
            && s.start.matches(p.key.start_time(), snapshot.boot_time_secs, snapshot.ticks_per_second)
    })
}

/// Whether a row read from a directory owned by `owner` may speak of `p`: one user's files
/// never describe another user's processes (root's may).
pub fn owned_by(owner: Option<u32>, p: &Process) -> bool {
    owner.is_none_or(|o| o == 0 || Some(o) == p.facts.uid)
}

/// An attempt named by the registry or by tags.
struct Named<'a> {
    project: &'a str,
    task: &'a str,
    attempt: &'a str,
    source: AttemptSource,
}

impl Named<'_> {
    /// Its index among the tagged attempts, added on first sight.
    fn index_in(&self, tagged: &mut Vec<TaggedAttempt>, cwd: Option<&Path>) -> usize {
        let same =
            |t: &TaggedAttempt| t.project == self.project && t.task == self.task && t.attempt == self.attempt;
        tagged.iter().position(same).unwrap_or_else(|| {
            tagged.push(TaggedAttempt {
                project: self.project.to_string(),
                task: self.task.to_string(),
                attempt: self.attempt.to_string(),
                source: self.source,
                path: cwd.map(Path::to_path_buf),
            });
            tagged.len() - 1
        })
    }
}

/// The index of the claude process a tool process names by `CLAUDE_PID` or by
/// `CLAUDE_CODE_SESSION_ID` (through a trusted session file).
fn claude_of(p: &Process, snapshot: &Snapshot, index_of_pid: &HashMap<u32, usize>) -> Option<usize> {
    if let Some(pid) = p.tag(CLAUDE_PID).and_then(|v| v.parse::<u32>().ok()) {
        if let Some(&i) = index_of_pid.get(&pid) {
            return Some(i);
        }
    }
    let session = p.tag(CLAUDE_CODE_SESSION_ID)?;
    snapshot.claude_sessions.iter().filter(|s| s.session_id == session).find_map(|s| {
        let &i = index_of_pid.get(&s.pid)?;
        let claude = &snapshot.processes[i];
        (s.proc_start == Some(claude.key.start_time()) && owned_by(s.owner, claude)).then_some(i)
    })
}

fn inherit_all(
    snapshot: &Snapshot,
    index_of_pid: &HashMap<u32, usize>,
    direct: &[Direct],
    roles: &[Role],
) -> Vec<Option<Placement>> {
    // Some(x) = resolved to x; None = not yet resolved.
    let mut resolved: Vec<Option<Option<Placement>>> = direct
        .iter()
        .map(|d| match d {
            Direct::Placed(p) => Some(Some(*p)),
            Direct::Barrier => Some(None),
            Direct::Unknown => None,
        })
        .collect();
    let n = snapshot.processes.len();
    let mut chain = Vec::new();
    for start in 0..n {
        if resolved[start].is_some() {
            continue;
        }
        chain.clear();
        let mut current = start;
        let top = loop {
            if let Some(r) = resolved[current] {
                break r;
            }
            chain.push(current);
            if chain.len() > n {
                break None; // a ppid cycle can only come from inconsistent input
            }
            let ppid = snapshot.processes[current].ppid;
            match index_of_pid.get(&ppid) {
                Some(&parent) if ppid != snapshot.processes[current].pid() => current = parent,
                _ => break None,
            }
        };
        let mut above = top;
        for &i in chain.iter().rev() {
            let placed = above.and_then(|parent| inherit(&snapshot.processes[i], &roles[i], parent));
            resolved[i] = Some(placed);
            above = placed;
        }
    }
    resolved.into_iter().map(Option::flatten).collect()
}

fn inherit(p: &Process, role: &Role, parent: Placement) -> Option<Placement> {
    let new_session = p.sid == p.pid();
    if new_session && parent.anchor == Anchor::CwdOnly {
        return None;
    }
    let anchor = if matches!(role, Role::Agent(_)) { Anchor::Strong } else { parent.anchor };
    Some(Placement { by: AssignedBy::Inherited, anchor, ..parent })
}
