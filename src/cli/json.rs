//! `list --json`: schema 1 (docs/schema-1.json). Strings are emitted exactly (JSON escapes
//! control characters itself). Schema 1 only grows.

use serde::Serialize;

use crate::model::{AttemptNode, Forest, ProcNode, ProjectNode, Rollup, TaskNode};

#[derive(Serialize)]
pub struct Document<'a> {
    schema: u32,
    host: &'a str,
    sampled_at_ms: u64,
    totals: Totals,
    projects: Vec<Project<'a>>,
    shared: Vec<Proc<'a>>,
    unassigned: Vec<Proc<'a>>,
}

#[derive(Serialize)]
struct Totals {
    processes: u32,
    cpu_percent: f32,
    memory_bytes: u64,
}

#[derive(Serialize)]
struct Sums {
    cpu_percent: f32,
    memory_bytes: u64,
    process_count: u32,
    orphan_count: u32,
}

impl From<&Rollup> for Sums {
    fn from(r: &Rollup) -> Sums {
        Sums {
            cpu_percent: round1(r.cpu_percent),
            memory_bytes: r.memory_bytes,
            process_count: r.process_count,
            orphan_count: r.orphan_count,
        }
    }
}

#[derive(Serialize)]
struct Project<'a> {
    id: &'a str,
    name: &'a str,
    path: String,
    #[serde(flatten)]
    sums: Sums,
    tasks: Vec<Task<'a>>,
}

#[derive(Serialize)]
struct Task<'a> {
    id: &'a str,
    name: &'a str,
    /// Added in schema 1: the orchestrator's title (vibe-kanban), when known.
    title: Option<&'a str>,
    #[serde(flatten)]
    sums: Sums,
    attempts: Vec<Attempt<'a>>,
}

#[derive(Serialize)]
struct Attempt<'a> {
    id: &'a str,
    name: &'a str,
    path: String,
    branch: Option<&'a str>,
    source: &'static str,
    /// The kind of the attempt's outermost agent.
    agent: Option<&'a str>,
    #[serde(flatten)]
    sums: Sums,
    processes: Vec<Proc<'a>>,
}

#[derive(Serialize)]
struct Agent<'a> {
    kind: &'a str,
    session_id: Option<&'a str>,
    /// Added in schema 1: Claude's session name and `idle|busy|shell|waiting`.
    session_name: Option<&'a str>,
    status: Option<&'a str>,
}

#[derive(Serialize)]
struct Proc<'a> {
    pid: u32,
    ppid: u32,
    pgid: u32,
    sid: u32,
    start_time: u64,
    user: &'a str,
    name: &'a str,
    cmd: Vec<&'a str>,
    cwd: Option<String>,
    state: &'static str,
    cpu_percent: f32,
    memory_bytes: u64,
    orphan: bool,
    agent: Option<Agent<'a>>,
    assigned_by: Option<&'static str>,
    children: Vec<Proc<'a>>,
}

fn round1(x: f32) -> f32 {
    (x * 10.0).round() / 10.0
}

impl<'a> Document<'a> {
    pub fn new(forest: &'a Forest, include_unassigned: bool) -> Document<'a> {
        Document {
            schema: 1,
            host: &forest.host,
            sampled_at_ms: forest.sampled_at_ms,
            totals: Totals {
                processes: forest.totals.process_count,
                cpu_percent: round1(forest.totals.cpu_percent),
                memory_bytes: forest.totals.memory_bytes,
            },
            projects: forest.projects.iter().map(project).collect(),
            shared: forest.shared.iter().map(proc_node).collect(),
            unassigned: if include_unassigned {
                forest.unassigned.iter().map(proc_node).collect()
            } else {
                Vec::new()
            },
        }
    }
}

fn project(p: &ProjectNode) -> Project<'_> {
    Project {
        id: &p.id,
        name: &p.name,
        path: p.path.display().to_string(),
        sums: (&p.rollup).into(),
        tasks: p.tasks.iter().map(task).collect(),
    }
}

fn task(t: &TaskNode) -> Task<'_> {
    Task {
        id: &t.id,
        name: &t.name,
        title: t.title.as_deref(),
        sums: (&t.rollup).into(),
        attempts: t.attempts.iter().map(attempt).collect(),
    }
}

fn attempt(a: &AttemptNode) -> Attempt<'_> {
    Attempt {
        id: &a.id,
        name: &a.name,
        path: a.path.display().to_string(),
        branch: a.branch.as_deref(),
        source: a.source.as_str(),
        agent: a.agent.as_ref().map(|k| k.name()),
        sums: (&a.rollup).into(),
        processes: a.processes.iter().map(proc_node).collect(),
    }
}

fn proc_node(n: &ProcNode) -> Proc<'_> {
    let p = &n.process;
    Proc {
        pid: p.pid(),
        ppid: p.ppid,
        pgid: p.pgid,
        sid: p.sid,
        start_time: p.key.start_time(),
        user: &p.facts.user,
        name: &p.facts.name,
        cmd: p.facts.cmd.iter().collect(),
        cwd: p.cwd.as_ref().map(|c| c.display().to_string()),
        state: p.state.as_str(),
        cpu_percent: round1(p.cpu_percent),
        memory_bytes: p.memory_bytes,
        orphan: n.orphan,
        agent: n.agent.as_ref().map(|a| Agent {
            kind: a.kind.name(),
            session_id: a.session_id.as_deref(),
            session_name: a.session_name.as_deref(),
            status: a.status.as_deref(),
        }),
        assigned_by: n.assigned_by.map(|a| a.as_str()),
        children: n.children.iter().map(proc_node).collect(),
    }
}
