//! Assembles placed processes into the Forest: ids, trees, roll-ups, orphan flags,
//! agents and shared services.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use super::naming::{Claim, attempt_claim, attempt_name, project_name, unique_names};
use super::placement::{AttemptRef, Placements, owned_by};
use crate::model::agent::{AgentKind, Role};
use crate::model::forest::{Preorder, build_bottom_up};
use crate::model::{
    AgentInfo, AttemptNode, AttemptSource, Forest, ProcKey, ProcNode, ProjectId, ProjectNode, Rollup,
    Snapshot, TaskNode, TaskTitle,
};

/// Which group a process landed in; trees never cross groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Group {
    Attempt(AttemptRef),
    Shared,
    Unassigned,
    Hidden,
}

/// A project is a repository path, or a name given by tags that matches no repository.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum ProjectKey {
    Path(PathBuf),
    Named(String),
}

pub struct Builder<'a> {
    pub snapshot: &'a Snapshot,
    pub placements: &'a Placements,
    pub index_of_pid: &'a HashMap<u32, usize>,
    pub orphan: &'a [bool],
}

impl Builder<'_> {
    pub fn build(&self) -> Forest {
        let procs = &self.snapshot.processes;
        let group: Vec<Group> = (0..procs.len())
            .map(|i| match self.placements.of[i] {
                _ if procs[i].kernel_thread => Group::Hidden,
                _ if self.placements.is_shared(i) => Group::Shared,
                Some(pl) => Group::Attempt(pl.attempt),
                None => Group::Unassigned,
            })
            .collect();

        let mut children: Vec<Vec<usize>> = vec![Vec::new(); procs.len()];
        let mut roots: HashMap<Group, Vec<usize>> = HashMap::new();
        for (i, p) in procs.iter().enumerate() {
            if group[i] == Group::Hidden {
                continue;
            }
            match self.index_of_pid.get(&p.ppid) {
                Some(&parent) if parent != i && group[parent] == group[i] => children[parent].push(i),
                _ => roots.entry(group[i]).or_default().push(i),
            }
        }
        // Sorted once by key here, so every tree below is built in display order.
        let keys: Vec<ProcKey> = procs.iter().map(|p| p.key).collect();
        for kids in children.iter_mut().filter(|k| k.len() > 1) {
            kids.sort_by_key(|&c| keys[c]);
        }
        let node = |i: usize| self.tree(i, &children);

        let mut totals = Rollup::default();
        for (i, p) in procs.iter().enumerate() {
            if group[i] != Group::Hidden {
                totals.add(&Rollup::of_process(p, self.orphan[i]));
            }
        }
        let attempts: Vec<(AttemptRef, Vec<ProcNode>)> = roots
            .iter()
            .filter_map(|(g, rs)| match g {
                // In ProcKey order like every other list of trees: the wire (remote::wire)
                // sends trees as parent links and rebuilds them in that order.
                Group::Attempt(a) => Some((*a, sorted(rs.iter().map(|&i| node(i)).collect()))),
                _ => None,
            })
            .collect();
        let trees = |g: Group| {
            sorted(roots.get(&g).map(|rs| rs.iter().map(|&i| node(i)).collect()).unwrap_or_default())
        };
        Forest {
            host: self.snapshot.host.clone(),
            sampled_at_ms: self.snapshot.sampled_at_ms,
            ticks_per_second: self.snapshot.ticks_per_second,
            boot_time_secs: self.snapshot.boot_time_secs,
            self_pid: self.snapshot.self_pid,
            totals,
            projects: self.projects(attempts),
            shared: trees(Group::Shared),
            unassigned: trees(Group::Unassigned),
            unowned_ports: self.snapshot.unowned_ports.clone(),
        }
    }

    /// The tree of process `i`, built without recursion (a chain can be 100,000 deep).
    fn tree(&self, i: usize, children: &[Vec<usize>]) -> ProcNode {
        let made = build_bottom_up(i, |j| children[j].iter().copied(), |j, kids| Some(self.node(j, kids)));
        // `node` never declines, so the root is always made.
        made.unwrap_or_else(|| self.node(i, Vec::new()))
    }

    fn node(&self, i: usize, kids: Vec<ProcNode>) -> ProcNode {
        let p = &self.snapshot.processes[i];
        let mut rollup = Rollup::of_process(p, self.orphan[i]);
        for k in &kids {
            rollup.add(&k.rollup);
        }
        ProcNode {
            process: p.clone(),
            orphan: self.orphan[i],
            assigned_by: self.placements.of[i].map(|pl| pl.by),
            agent: self.agent(i),
            children: kids,
            rollup,
        }
    }

    /// Agent facts for an agent process, unless its parent is an agent of the same kind
    /// (Codex's node launcher and its native binary are one agent).
    fn agent(&self, i: usize) -> Option<Box<AgentInfo>> {
        let Role::Agent(kind) = &self.placements.roles[i] else { return None };
        let p = &self.snapshot.processes[i];
        let parent = self.index_of_pid.get(&p.ppid).copied();
        if parent.is_some_and(|j| j != i && self.placements.roles[j] == Role::Agent(kind.clone())) {
            return None;
        }
        let session = (*kind == AgentKind::Claude)
            .then(|| {
                self.snapshot.claude_sessions.iter().find(|s| {
                    s.pid == p.pid() && s.proc_start == Some(p.key.start_time()) && owned_by(s.owner, p)
                })
            })
            .flatten();
        // A background job's state (`working`, `blocked`, `done`) says more than its
        // session's `idle`.
        let job = session
            .and_then(|s| s.job_id.as_deref())
            .and_then(|id| self.snapshot.claude_jobs.iter().find(|j| j.id == id));
        Some(Box::new(AgentInfo {
            kind: kind.clone(),
            session_id: session.map(|s| s.session_id.clone()),
            session_name: session.and_then(|s| s.name.clone()).or_else(|| job.and_then(|j| j.name.clone())),
            status: job.and_then(|j| j.state.clone()).or_else(|| session.and_then(|s| s.status.clone())),
            // A job's state has no time of change; the session's status has.
            status_since_ms: session.filter(|_| job.is_none()).and_then(|s| s.status_since_ms),
            waiting_for: session.and_then(|s| s.waiting_for.clone()),
            tmux: session.and_then(|s| s.tmux.clone()),
        }))
    }

    fn projects(&self, attempts: Vec<(AttemptRef, Vec<ProcNode>)>) -> Vec<ProjectNode> {
        // Tagged projects that name a repository join it; of namesakes, the first path
        // (not the first discovered, so the choice does not change with the order).
        let mut repos: Vec<&PathBuf> = self.snapshot.worktrees.iter().map(|w| &w.project_path).collect();
        repos.sort_by(|a, b| b.cmp(a));
        let repo_by_name: BTreeMap<String, PathBuf> =
            repos.into_iter().map(|p| (project_name(p), p.clone())).collect();
        // project → (path, task name → attempts)
        let mut tree: BTreeMap<ProjectKey, (PathBuf, BTreeMap<String, Vec<Unnamed>>)> = BTreeMap::new();
        for (attempt, processes) in attempts {
            let (key, path, task, node) = self.attempt_node(attempt, processes, &repo_by_name);
            tree.entry(key).or_insert_with(|| (path, BTreeMap::new())).1.entry(task).or_default().push(node);
        }
        let claims: Vec<(String, Claim<'_>)> = tree
            .iter()
            .map(|(key, (path, _))| match key {
                ProjectKey::Path(_) => (project_name(path), Claim::Path(path)),
                ProjectKey::Named(name) => (name.clone(), Claim::Tagged { label: "tags", path }),
            })
            .collect();
        let names = unique_names(&claims);
        let mut projects: Vec<ProjectNode> = tree
            .into_iter()
            .zip(names)
            .map(|((_, (path, tasks)), project)| {
                let id = ProjectId::new(&project);
                let tasks: Vec<TaskNode> = tasks
                    .into_iter()
                    .map(|(task, attempts)| build_task(&id, task, attempts, &self.snapshot.task_titles))
                    .collect();
                ProjectNode {
                    id,
                    rollup: Rollup::sum(tasks.iter().map(|t| &t.rollup)),
                    name: project,
                    path,
                    tasks,
                }
            })
            .collect();
        projects.sort_by(|a, b| a.name.cmp(&b.name));
        projects
    }

    fn attempt_node(
        &self,
        attempt: AttemptRef,
        processes: Vec<ProcNode>,
        repo_by_name: &BTreeMap<String, PathBuf>,
    ) -> (ProjectKey, PathBuf, String, Unnamed) {
        let agent = outermost_agent(&processes);
        let rollup = Rollup::sum(processes.iter().map(|n| &n.rollup));
        match attempt {
            AttemptRef::Worktree(w) => {
                let wt = &self.snapshot.worktrees[w];
                let mut names = attempt_name(wt);
                if wt.source == AttemptSource::Codex {
                    if let Some(title) = self.codex_thread_title(wt) {
                        names.task = title;
                    }
                }
                let node = Unnamed {
                    name: names.attempt,
                    path: wt.path.clone(),
                    branch: wt.branch.clone(),
                    source: wt.source,
                    agent,
                    rollup,
                    processes,
                };
                (ProjectKey::Path(wt.project_path.clone()), wt.project_path.clone(), names.task, node)
            }
            AttemptRef::Tagged(t) => {
                let tag = &self.placements.tagged[t];
                let path = tag.path.clone().unwrap_or_default();
                let node = Unnamed {
                    name: tag.attempt.clone(),
                    path: path.clone(),
                    branch: None,
                    source: tag.source,
                    agent,
                    rollup,
                    processes,
                };
                let (key, project_path) = match repo_by_name.get(&tag.project) {
                    Some(repo) => (ProjectKey::Path(repo.clone()), repo.clone()),
                    None => (ProjectKey::Named(tag.project.clone()), path),
                };
                (key, project_path, tag.task.clone(), node)
            }
        }
    }
}

impl Builder<'_> {
    /// The title of the Codex thread working in a Codex app worktree.
    fn codex_thread_title(&self, wt: &crate::model::Worktree) -> Option<String> {
        self.snapshot
            .codex_threads
            .iter()
            .filter(|t| t.cwd.starts_with(&wt.path))
            .find_map(|t| t.title.clone())
    }
}

/// The first agent met walking the attempt's trees, parents first.
fn outermost_agent(roots: &[ProcNode]) -> Option<AgentKind> {
    Preorder::of(roots).find_map(|(_, n)| n.agent.as_ref().map(|a| a.kind.clone()))
}

/// An attempt before its name is made unique within its task (its id needs that name).
struct Unnamed {
    name: String,
    path: PathBuf,
    branch: Option<String>,
    source: AttemptSource,
    agent: Option<AgentKind>,
    rollup: Rollup,
    processes: Vec<ProcNode>,
}

fn build_task(
    project: &ProjectId,
    task: String,
    mut attempts: Vec<Unnamed>,
    titles: &[TaskTitle],
) -> TaskNode {
    let title = attempts
        .iter()
        .filter_map(|a| a.branch.as_deref())
        .find_map(|b| titles.iter().find(|t| t.branch == b))
        .map(|t| t.title.clone());
    attempts.sort_by(|a, b| (a.name != "main", &a.name, &a.path).cmp(&(b.name != "main", &b.name, &b.path)));
    let claims: Vec<_> = attempts
        .iter()
        .map(|a| (a.name.clone(), attempt_claim(a.source, a.branch.is_some(), &a.path)))
        .collect();
    let names = unique_names(&claims);
    let id = project.task(&task);
    let attempts: Vec<AttemptNode> = attempts
        .into_iter()
        .zip(names)
        .map(|(a, name)| AttemptNode {
            id: id.attempt(&name),
            name,
            path: a.path,
            branch: a.branch,
            source: a.source,
            agent: a.agent,
            rollup: a.rollup,
            processes: a.processes,
        })
        .collect();
    TaskNode { id, title, rollup: Rollup::sum(attempts.iter().map(|a| &a.rollup)), name: task, attempts }
}

fn sorted(mut nodes: Vec<ProcNode>) -> Vec<ProcNode> {
    nodes.sort_by_key(|n| n.process.key);
    nodes
}
