//! `list --json`: schema 1. Strings are emitted exactly (JSON escapes control
//! characters itself). Schema 1 only grows. Names, arguments and paths that are not
//! UTF-8 are escaped (`\xff`, see `model::argv::escape_bytes`), and then also given
//! exactly as bytes in a `*_bytes` field that is present only for them.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use serde::Serialize;

use crate::model::argv::{escape_bytes, unescape};

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
    #[serde(skip_serializing_if = "Option::is_none")]
    path_bytes: Option<&'a [u8]>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    path_bytes: Option<&'a [u8]>,
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
    /// Added in schema 1, only where `name` is escaped: its bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    name_bytes: Option<Vec<u8>>,
    cmd: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cmd_bytes: Option<Vec<Vec<u8>>>,
    cwd: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cwd_bytes: Option<&'a [u8]>,
    state: &'static str,
    cpu_percent: f32,
    memory_bytes: u64,
    orphan: bool,
    agent: Option<Agent<'a>>,
    assigned_by: Option<&'static str>,
    children: Vec<Proc<'a>>,
}

/// A path as text, and its bytes where the text had to escape them.
fn path_text(path: &Path) -> (String, Option<&[u8]>) {
    let raw = path.as_os_str().as_bytes();
    let text = escape_bytes(raw);
    let escaped = matches!(text, std::borrow::Cow::Owned(_));
    (text.into_owned(), escaped.then_some(raw))
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
    let (path, path_bytes) = path_text(&p.path);
    Project {
        id: &p.id,
        name: &p.name,
        path,
        path_bytes,
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
    let (path, path_bytes) = path_text(&a.path);
    Attempt {
        id: &a.id,
        name: &a.name,
        path,
        path_bytes,
        branch: a.branch.as_deref(),
        source: a.source.as_str(),
        agent: a.agent.as_ref().map(|k| k.name()),
        sums: (&a.rollup).into(),
        processes: a.processes.iter().map(proc_node).collect(),
    }
}

fn proc_node(n: &ProcNode) -> Proc<'_> {
    let p = &n.process;
    let (cwd, cwd_bytes) = p.cwd.as_deref().map(path_text).map_or((None, None), |(t, b)| (Some(t), b));
    Proc {
        pid: p.pid(),
        ppid: p.ppid,
        pgid: p.pgid,
        sid: p.sid,
        start_time: p.key.start_time(),
        user: &p.facts.user,
        name: &p.facts.name,
        name_bytes: p.facts.name_escaped.then(|| unescape(&p.facts.name)),
        cmd: p.facts.cmd.iter().collect(),
        cmd_bytes: p.facts.cmd.is_escaped().then(|| p.facts.cmd.bytes()),
        cwd,
        cwd_bytes,
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
