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
/// group keeps everything inside it. An empty needle matches everything. `:PORT`
/// (a colon and a port number) keeps the processes listening on that port instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    needle: String,
    port: Option<u16>,
}

impl Filter {
    pub fn new(text: &str) -> Filter {
        let port = text.strip_prefix(':').filter(|n| n.bytes().all(|b| b.is_ascii_digit()));
        Filter { needle: text.to_lowercase(), port: port.and_then(|n| n.parse().ok()).filter(|&n| n != 0) }
    }

    /// The processes listening on `port` (TCP or UDP, any address) and their ancestors.
    pub fn port(port: u16) -> Filter {
        Filter::new(&format!(":{port}"))
    }

    pub fn is_empty(&self) -> bool {
        self.needle.is_empty()
    }

    /// The port of a `:PORT` filter.
    pub fn port_number(&self) -> Option<u16> {
        self.port
    }

    fn hit(&self, haystack: &str) -> bool {
        haystack.to_lowercase().contains(&self.needle)
    }

    pub fn matches_process(&self, node: &ProcNode) -> bool {
        let p = &node.process;
        if let Some(port) = self.port {
            return p.ports.as_ref().is_some_and(|ps| ps.iter().any(|x| x.port == port));
        }
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
        self.port.is_none() && texts.iter().any(|t| self.hit(t))
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
            unowned_ports: self.unowned_ports.clone(),
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::associate::{Options, associate};
    use crate::model::fixture::{ProcessExt, linked_worktree, process, snapshot};
    use crate::model::{Port, Proto};

    #[test]
    fn a_port_filter_keeps_the_holders_and_their_ancestors_only() {
        let wt = linked_worktree("/wt/1a2b-x/p", "/src/p", "vk/1a2b-x");
        let mut server = process(11, 10, "node server.js:3000");
        let port = Port { port: 3000, proto: Proto::Tcp, addr: "::1".parse().unwrap() };
        server.ports = Some(Arc::from([port]));
        let procs = vec![
            process(10, 1, "npm run dev").cwd("/wt/1a2b-x/p"),
            server.cwd("/wt/1a2b-x/p"),
            process(12, 10, "curl localhost:3000").cwd("/wt/1a2b-x/p"),
        ];
        let forest = associate(&snapshot(procs, vec![wt]), &Options::default());
        let kept = Filter::new(":3000").apply(&forest);
        let mut pids = Vec::new();
        kept.walk_processes(&mut |n| pids.push(n.process.pid()));
        assert_eq!(pids, [10, 11], "the holder and its parent; not a command line naming the port");
        assert_eq!(Filter::new(":3000").port_number(), Some(3000));
        for text in [":", ":0", ":65536", ":30x", "3000", "::3000"] {
            assert_eq!(Filter::new(text).port_number(), None, "{text}");
        }
        assert_eq!(Filter::port(3000), Filter::new(":3000"));
    }
}
