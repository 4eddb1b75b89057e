//! Pruning a forest: the text filter and "orphans only". Kept nodes bring their
//! ancestors along. Roll-ups stay those of the whole node, because they describe what
//! the node costs (and what a kill of it covers).

use super::forest::{AttemptNode, Forest, ProcNode, ProjectNode, TaskNode, build_bottom_up};

/// How a pruning treats one process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeepProcess {
    /// The process and everything below it.
    Subtree,
    /// The process, and only those descendants that are kept themselves.
    Itself,
    /// Only if a descendant is kept.
    IfDescendant,
}

/// A rule for `prune`: which groups stay whole, and how each process is kept.
trait Rule {
    fn keeps_group(&self, texts: &[&str]) -> bool;
    fn keeps_process(&self, node: &ProcNode) -> KeepProcess;
}

fn prune(forest: &Forest, rule: &impl Rule) -> Forest {
    Forest {
        projects: forest.projects.iter().filter_map(|p| project(p, rule)).collect(),
        shared: trees(&forest.shared, rule),
        unassigned: trees(&forest.unassigned, rule),
        ..forest.clone_header()
    }
}

fn project(p: &ProjectNode, rule: &impl Rule) -> Option<ProjectNode> {
    if rule.keeps_group(&[p.id.as_str(), &p.name, &p.path.to_string_lossy()]) {
        return Some(p.clone());
    }
    let tasks: Vec<TaskNode> = p.tasks.iter().filter_map(|t| task(t, rule)).collect();
    (!tasks.is_empty()).then(|| ProjectNode { tasks, ..p.clone_header() })
}

fn task(t: &TaskNode, rule: &impl Rule) -> Option<TaskNode> {
    if rule.keeps_group(&[t.id.as_str(), t.title.as_deref().unwrap_or("")]) {
        return Some(t.clone());
    }
    let attempts: Vec<AttemptNode> = t.attempts.iter().filter_map(|a| attempt(a, rule)).collect();
    (!attempts.is_empty()).then(|| TaskNode { attempts, ..t.clone_header() })
}

fn attempt(a: &AttemptNode, rule: &impl Rule) -> Option<AttemptNode> {
    if rule.keeps_group(&[a.id.as_str(), a.branch.as_deref().unwrap_or(""), &a.path.to_string_lossy()]) {
        return Some(a.clone());
    }
    let processes = trees(&a.processes, rule);
    (!processes.is_empty()).then(|| AttemptNode { processes, ..a.clone_header() })
}

fn trees(roots: &[ProcNode], rule: &impl Rule) -> Vec<ProcNode> {
    roots.iter().filter_map(|n| tree(n, rule)).collect()
}

/// One tree pruned, bottom-up with an explicit stack (a chain can be 100,000 deep).
/// Subtrees kept whole are cloned without asking the rule about their insides.
fn tree<'a>(node: &'a ProcNode, rule: &impl Rule) -> Option<ProcNode> {
    let inside = |(n, keep): (&'a ProcNode, KeepProcess)| {
        let asked = if keep == KeepProcess::Subtree { &[][..] } else { &n.children[..] };
        asked.iter().map(move |c| (c, rule.keeps_process(c)))
    };
    build_bottom_up((node, rule.keeps_process(node)), inside, |(n, keep), children| match keep {
        KeepProcess::Subtree => Some(n.clone()),
        KeepProcess::Itself => Some(n.with_children(children)),
        KeepProcess::IfDescendant => (!children.is_empty()).then(|| n.with_children(children)),
    })
}

/// Case-insensitive substring filter over names, commands, cwds and ids; a matching
/// group keeps everything inside it. An empty needle matches everything.
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
        self.hit(&p.facts.name)
            || p.facts.cmd.iter().any(|a| self.hit(a))
            || p.cwd.as_ref().is_some_and(|c| self.hit(&c.to_string_lossy()))
            || self.hit(&format!("pid:{}", p.pid()))
    }

    pub fn apply(&self, forest: &Forest) -> Forest {
        if self.is_empty() { forest.clone() } else { prune(forest, self) }
    }
}

impl Rule for Filter {
    fn keeps_group(&self, texts: &[&str]) -> bool {
        texts.iter().any(|t| self.hit(t))
    }

    fn keeps_process(&self, node: &ProcNode) -> KeepProcess {
        if self.matches_process(node) { KeepProcess::Itself } else { KeepProcess::IfDescendant }
    }
}

struct OrphansOnly;

impl Rule for OrphansOnly {
    fn keeps_group(&self, _: &[&str]) -> bool {
        false
    }

    fn keeps_process(&self, node: &ProcNode) -> KeepProcess {
        if node.orphan { KeepProcess::Subtree } else { KeepProcess::IfDescendant }
    }
}

/// Only orphaned processes (with their subtrees) and the groups above them; the
/// processes outside every attempt are never orphans.
pub fn orphans_only(forest: &Forest) -> Forest {
    Forest { unassigned: Vec::new(), ..prune(forest, &OrphansOnly) }
}

/// Only the attempts whose agent waits for its user (by the agent's own files), with
/// their projects and tasks; no shared services, no other processes.
pub fn waiting_only(forest: &Forest) -> Forest {
    let projects = forest
        .projects
        .iter()
        .filter_map(|p| {
            let tasks: Vec<TaskNode> = (p.tasks.iter())
                .filter_map(|t| {
                    let attempts: Vec<AttemptNode> = t
                        .attempts
                        .iter()
                        .filter(|a| a.agent_info().is_some_and(|i| i.waits()))
                        .cloned()
                        .collect();
                    (!attempts.is_empty()).then(|| TaskNode { attempts, ..t.clone_header() })
                })
                .collect();
            (!tasks.is_empty()).then(|| ProjectNode { tasks, ..p.clone_header() })
        })
        .collect();
    Forest { projects, ..forest.clone_header() }
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
        TaskNode {
            id: self.id.clone(),
            name: self.name.clone(),
            title: self.title.clone(),
            rollup: self.rollup,
            attempts: Vec::new(),
        }
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
            agent: self.agent.clone(),
            rollup: self.rollup,
            processes: Vec::new(),
        }
    }
}
