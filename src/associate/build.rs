//! Assembles placed processes into the Forest: ids, trees, roll-ups, orphan flags.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use super::naming::{attempt_name, project_name};
use super::placement::Placement;
use crate::model::ids::{attempt_id, project_id, task_id};
use crate::model::{AttemptNode, AttemptSource, Forest, ProcNode, ProjectNode, Rollup, Snapshot, TaskNode};

/// Which group a process landed in; trees never cross groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Group {
    Worktree(usize),
    Unassigned,
    Hidden,
}

pub struct Builder<'a> {
    pub snapshot: &'a Snapshot,
    pub placements: &'a [Option<Placement>],
    pub index_of_pid: &'a HashMap<u32, usize>,
    pub orphan: &'a [bool],
}

impl Builder<'_> {
    pub fn build(&self) -> Forest {
        let procs = &self.snapshot.processes;
        let group: Vec<Group> = procs
            .iter()
            .zip(self.placements)
            .map(|(p, placement)| match placement {
                _ if p.kernel_thread => Group::Hidden,
                Some(pl) => Group::Worktree(pl.worktree),
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
        let node = |i: usize| self.node(i, &children);

        let mut totals = Rollup::default();
        for (i, p) in procs.iter().enumerate() {
            if group[i] != Group::Hidden {
                totals.add(&Rollup::of_process(p, self.orphan[i]));
            }
        }

        let mut attempts_by_worktree: Vec<(usize, Vec<ProcNode>)> = roots
            .iter()
            .filter_map(|(g, rs)| match g {
                Group::Worktree(w) => Some((*w, rs.iter().map(|&i| node(i)).collect())),
                _ => None,
            })
            .collect();
        attempts_by_worktree.sort_by_key(|(w, _)| self.snapshot.worktrees[*w].path.clone());

        let unassigned = roots.get(&Group::Unassigned).map(|rs| rs.iter().map(|&i| node(i)).collect());
        Forest {
            host: self.snapshot.host.clone(),
            sampled_at_ms: self.snapshot.sampled_at_ms,
            ticks_per_second: self.snapshot.ticks_per_second,
            boot_time_secs: self.snapshot.boot_time_secs,
            self_pid: self.snapshot.self_pid,
            totals,
            projects: self.projects(attempts_by_worktree),
            shared: Vec::new(),
            unassigned: sorted(unassigned.unwrap_or_default()),
        }
    }

    fn node(&self, i: usize, children: &[Vec<usize>]) -> ProcNode {
        let kids = sorted(children[i].iter().map(|&c| self.node(c, children)).collect());
        let p = &self.snapshot.processes[i];
        let mut rollup = Rollup::of_process(p, self.orphan[i]);
        for k in &kids {
            rollup.add(&k.rollup);
        }
        ProcNode {
            process: p.clone(),
            orphan: self.orphan[i],
            assigned_by: self.placements[i].map(|pl| pl.by),
            children: kids,
            rollup,
        }
    }

    fn projects(&self, attempts: Vec<(usize, Vec<ProcNode>)>) -> Vec<ProjectNode> {
        // project path → task name → attempts
        let mut tree: BTreeMap<PathBuf, BTreeMap<String, Vec<AttemptNode>>> = BTreeMap::new();
        for (w, processes) in attempts {
            let wt = &self.snapshot.worktrees[w];
            let names = attempt_name(wt);
            tree.entry(wt.project_path.clone()).or_default().entry(names.task).or_default().push(
                AttemptNode {
                    id: String::new(),
                    name: names.attempt,
                    path: wt.path.clone(),
                    branch: wt.branch.clone(),
                    source: AttemptSource::Git,
                    rollup: Rollup::sum(processes.iter().map(|n| &n.rollup)),
                    processes,
                },
            );
        }
        let names = unique_names(tree.keys().map(|p| project_name(p)));
        let mut projects: Vec<ProjectNode> = tree
            .into_iter()
            .zip(names)
            .map(|((path, tasks), project)| {
                let tasks: Vec<TaskNode> =
                    tasks.into_iter().map(|(task, attempts)| build_task(&project, task, attempts)).collect();
                ProjectNode {
                    id: project_id(&project),
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
}

fn build_task(project: &str, task: String, mut attempts: Vec<AttemptNode>) -> TaskNode {
    attempts.sort_by(|a, b| (a.name != "main", &a.name, &a.path).cmp(&(b.name != "main", &b.name, &b.path)));
    let names = unique_names(attempts.iter().map(|a| a.name.clone()));
    for (a, name) in attempts.iter_mut().zip(names) {
        a.id = attempt_id(project, &task, &name);
        a.name = name;
    }
    TaskNode {
        id: task_id(project, &task),
        rollup: Rollup::sum(attempts.iter().map(|a| &a.rollup)),
        name: task,
        attempts,
    }
}

/// Keeps the first of each name as is and suffixes later clashes `~2`, `~3`, ….
fn unique_names(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    names
        .map(|name| {
            let count = seen.entry(name.clone()).or_insert(0);
            *count += 1;
            if *count == 1 { name } else { format!("{name}~{count}") }
        })
        .collect()
}

fn sorted(mut nodes: Vec<ProcNode>) -> Vec<ProcNode> {
    nodes.sort_by_key(|n| n.process.key);
    nodes
}
