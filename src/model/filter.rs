//! Text filter over a forest: matching rows stay with their ancestors; a matching
//! group (project, task, attempt) keeps everything inside it. Roll-ups stay those of
//! the whole node, because they describe what the node costs (and what a kill covers).

use super::forest::{AttemptNode, Forest, ProcNode, ProjectNode, TaskNode};

/// Case-insensitive substring filter. An empty needle matches everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    needle: String,
}

impl Filter {
    pub fn new(text: &str) -> Filter {
        Filter { needle: text.to_lowercase() }
    }

    pub fn is_empty(&self) -> bool {
        self.needle.is_empty()
    }

    fn hit(&self, haystack: &str) -> bool {
        haystack.to_lowercase().contains(&self.needle)
    }

    pub fn matches_process(&self, node: &ProcNode) -> bool {
        let p = &node.process;
        self.hit(&p.name)
            || p.cmd.iter().any(|a| self.hit(a))
            || p.cwd.as_ref().is_some_and(|c| self.hit(&c.to_string_lossy()))
            || self.hit(&format!("pid:{}", p.pid()))
    }

    pub fn apply(&self, forest: &Forest) -> Forest {
        if self.is_empty() {
            return forest.clone();
        }
        Forest {
            projects: forest.projects.iter().filter_map(|p| self.project(p)).collect(),
            shared: self.trees(&forest.shared),
            unassigned: self.trees(&forest.unassigned),
            ..forest.clone_header()
        }
    }

    fn project(&self, p: &ProjectNode) -> Option<ProjectNode> {
        if self.hit(&p.id) || self.hit(&p.name) || self.hit(&p.path.to_string_lossy()) {
            return Some(p.clone());
        }
        let tasks: Vec<TaskNode> = p.tasks.iter().filter_map(|t| self.task(t)).collect();
        (!tasks.is_empty()).then(|| ProjectNode { tasks, ..p.clone_header() })
    }

    fn task(&self, t: &TaskNode) -> Option<TaskNode> {
        if self.hit(&t.id) {
            return Some(t.clone());
        }
        let attempts: Vec<AttemptNode> = t.attempts.iter().filter_map(|a| self.attempt(a)).collect();
        (!attempts.is_empty()).then(|| TaskNode { attempts, ..t.clone_header() })
    }

    fn attempt(&self, a: &AttemptNode) -> Option<AttemptNode> {
        let branch_hit = a.branch.as_deref().is_some_and(|b| self.hit(b));
        if self.hit(&a.id) || branch_hit || self.hit(&a.path.to_string_lossy()) {
            return Some(a.clone());
        }
        let processes = self.trees(&a.processes);
        (!processes.is_empty()).then(|| AttemptNode { processes, ..a.clone_header() })
    }

    fn trees(&self, roots: &[ProcNode]) -> Vec<ProcNode> {
        roots.iter().filter_map(|n| self.tree(n)).collect()
    }

    fn tree(&self, node: &ProcNode) -> Option<ProcNode> {
        let children = self.trees(&node.children);
        (self.matches_process(node) || !children.is_empty()).then(|| ProcNode {
            process: node.process.clone(),
            orphan: node.orphan,
            assigned_by: node.assigned_by,
            children,
            rollup: node.rollup,
        })
    }
}

impl Forest {
    /// The forest's header fields with no nodes.
    pub fn clone_header(&self) -> Forest {
        Forest {
            host: self.host.clone(),
            sampled_at_ms: self.sampled_at_ms,
            ticks_per_second: self.ticks_per_second,
            boot_time_secs: self.boot_time_secs,
            self_pid: self.self_pid,
            totals: self.totals,
            projects: Vec::new(),
            shared: Vec::new(),
            unassigned: Vec::new(),
        }
    }
}

impl ProjectNode {
    fn clone_header(&self) -> ProjectNode {
        ProjectNode {
            id: self.id.clone(),
            name: self.name.clone(),
            path: self.path.clone(),
            rollup: self.rollup,
            tasks: Vec::new(),
        }
    }
}

impl TaskNode {
    fn clone_header(&self) -> TaskNode {
        TaskNode { id: self.id.clone(), name: self.name.clone(), rollup: self.rollup, attempts: Vec::new() }
    }
}

impl AttemptNode {
    fn clone_header(&self) -> AttemptNode {
        AttemptNode {
            id: self.id.clone(),
            name: self.name.clone(),
            path: self.path.clone(),
            branch: self.branch.clone(),
            source: self.source,
            rollup: self.rollup,
            processes: Vec::new(),
        }
    }
}

/// Only orphaned processes (with their subtrees) and the groups above them.
pub fn orphans_only(forest: &Forest) -> Forest {
    fn tree(n: &ProcNode) -> Option<ProcNode> {
        if n.orphan {
            return Some(n.clone());
        }
        let children: Vec<ProcNode> = n.children.iter().filter_map(tree).collect();
        (!children.is_empty()).then(|| ProcNode {
            process: n.process.clone(),
            orphan: n.orphan,
            assigned_by: n.assigned_by,
            children,
            rollup: n.rollup,
        })
    }
    let projects = forest
        .projects
        .iter()
        .filter_map(|p| {
            let tasks: Vec<TaskNode> = p
                .tasks
                .iter()
                .filter_map(|t| {
                    let attempts: Vec<AttemptNode> = t
                        .attempts
                        .iter()
                        .filter_map(|a| {
                            let processes: Vec<ProcNode> = a.processes.iter().filter_map(tree).collect();
                            (!processes.is_empty()).then(|| AttemptNode { processes, ..a.clone_header() })
                        })
                        .collect();
                    (!attempts.is_empty()).then(|| TaskNode { attempts, ..t.clone_header() })
                })
                .collect();
            (!tasks.is_empty()).then(|| ProjectNode { tasks, ..p.clone_header() })
        })
        .collect();
    Forest {
        projects,
        shared: forest.shared.iter().filter_map(tree).collect(),
        unassigned: Vec::new(),
        ..forest.clone_header()
    }
}
