//! `list --json`: schema 1 (docs/schema-1.json). Strings are emitted exactly (JSON
//! escapes control characters itself). Schema 1 only grows. Names, arguments and paths
//! that are not UTF-8 are escaped (`\xff`, see `model::argv::escape_bytes`), and then
//! also given exactly as bytes in a `*_bytes` field that is present only for them.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use serde::Serialize;

use crate::model::argv::{escape_bytes, unescape};

use crate::model::{AttemptNode, Forest, Port, ProcNode, ProjectNode, Rollup, TaskNode, ports};

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
    /// Added in schema 1: the sum of its processes' PSS, when every one was measured
    /// (`list --memory pss`); `null` otherwise.
    pss_bytes: Option<u64>,
    /// Added in schema 1: the sums of its processes' I/O rates when every one is known
    /// (`list --io`); `null` otherwise.
    read_bytes_per_sec: Option<u64>,
    write_bytes_per_sec: Option<u64>,
    process_count: u32,
    orphan_count: u32,
}

impl From<&Rollup> for Sums {
    fn from(r: &Rollup) -> Sums {
        let io_known = r.io_unknown() == 0 && r.process_count > 0;
        Sums {
            cpu_percent: round1(r.cpu_percent),
            memory_bytes: r.memory_bytes,
            // An empty group was measured by nobody: unknown, like any other.
            pss_bytes: r.pss_exact(),
            read_bytes_per_sec: io_known.then_some(r.io_read),
            write_bytes_per_sec: io_known.then_some(r.io_write),
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
    /// Added in schema 1: the ports its processes listen on.
    ports: Vec<JsonPort>,
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
    ports: Vec<JsonPort>,
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
    ports: Vec<JsonPort>,
    processes: Vec<Proc<'a>>,
}

/// A listening socket: `{"proto":"tcp","addr":"127.0.0.1","port":3000}`.
#[derive(Serialize)]
pub struct JsonPort {
    proto: &'static str,
    addr: String,
    port: u16,
}

impl From<&Port> for JsonPort {
    fn from(p: &Port) -> JsonPort {
        JsonPort { proto: p.proto.as_str(), addr: p.addr.to_string(), port: p.port }
    }
}

fn json_ports<'a>(ports: impl IntoIterator<Item = &'a Port>) -> Vec<JsonPort> {
    ports.into_iter().map(JsonPort::from).collect()
}

/// The distinct ports of every process of these attempts.
fn group_ports<'a>(attempts: impl Iterator<Item = &'a AttemptNode>) -> Vec<JsonPort> {
    let mut all: Vec<Port> = attempts.flat_map(|a| ports::of_trees(&a.processes)).collect();
    all.sort_unstable();
    all.dedup();
    json_ports(&all)
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
    /// Added in schema 1: proportional set size and swap by its `smaps_rollup`, where
    /// measured (`list --memory pss`, processes in attempts); `null` otherwise.
    pss_bytes: Option<u64>,
    swap_bytes: Option<u64>,
    /// Added in schema 1: storage I/O per second over the last refresh (`list --io`);
    /// `null` when not measured or unreadable (another user's process).
    read_bytes_per_sec: Option<u64>,
    write_bytes_per_sec: Option<u64>,
    orphan: bool,
    agent: Option<Agent<'a>>,
    assigned_by: Option<&'static str>,
    /// Added in schema 1: its listening sockets; `null` when they could not be read.
    ports: Option<Vec<JsonPort>>,
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
        id: p.id.as_str(),
        name: &p.name,
        path,
        path_bytes,
        sums: (&p.rollup).into(),
        ports: group_ports(p.tasks.iter().flat_map(|t| &t.attempts)),
        tasks: p.tasks.iter().map(task).collect(),
    }
}

fn task(t: &TaskNode) -> Task<'_> {
    Task {
        id: t.id.as_str(),
        name: &t.name,
        title: t.title.as_deref(),
        sums: (&t.rollup).into(),
        ports: group_ports(t.attempts.iter()),
        attempts: t.attempts.iter().map(attempt).collect(),
    }
}

fn attempt(a: &AttemptNode) -> Attempt<'_> {
    let (path, path_bytes) = path_text(&a.path);
    Attempt {
        id: a.id.as_str(),
        name: &a.name,
        path,
        path_bytes,
        branch: a.branch.as_deref(),
        source: a.source.as_str(),
        agent: a.agent.as_ref().map(|k| k.name()),
        sums: (&a.rollup).into(),
        ports: group_ports(std::iter::once(a)),
        processes: a.processes.iter().map(proc_node).collect(),
    }
}

/// Process objects nest at most this deep: every descendant below that level is listed
/// flat at the last level, in the `children` of its ancestor there, with its real
/// `ppid`. So the whole
/// document stays under the 128 levels serde_json (and other parsers) accept, and
/// serialising a 100,000-deep chain cannot overflow the stack.
pub const MAX_PROCESS_NESTING: usize = 50;

/// The JSON tree of `root`, built without recursion.
fn proc_node(root: &ProcNode) -> Proc<'_> {
    // Each frame: a node, how many of its children were visited, the children built.
    let mut stack: Vec<(&ProcNode, usize, Vec<Proc<'_>>)> = vec![(root, 0, Vec::new())];
    while let Some((node, next, mut built)) = stack.pop() {
        if let Some(child) = node.children.get(next) {
            // `node` sits at depth stack.len() + 1; its children at one more.
            if stack.len() + 2 >= MAX_PROCESS_NESTING {
                child.walk(&mut |d| built.push(proc_fields(d, Vec::new())));
                stack.push((node, next + 1, built));
            } else {
                stack.push((node, next + 1, built));
                stack.push((child, 0, Vec::new()));
            }
            continue;
        }
        let done = proc_fields(node, built);
        match stack.last_mut() {
            Some((_, _, siblings)) => siblings.push(done),
            None => return done,
        }
    }
    // The loop returns when it finishes the root frame, which it always reaches.
    proc_fields(root, Vec::new())
}

fn proc_fields<'a>(n: &'a ProcNode, children: Vec<Proc<'a>>) -> Proc<'a> {
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
        pss_bytes: p.pss().bytes(),
        swap_bytes: p.pss().swap(),
        read_bytes_per_sec: p.io().map(|io| io.read),
        write_bytes_per_sec: p.io().map(|io| io.write),
        orphan: n.orphan,
        agent: n.agent.as_ref().map(|a| Agent {
            kind: a.kind.name(),
            session_id: a.session_id.as_deref(),
            session_name: a.session_name.as_deref(),
            status: a.status.as_deref(),
        }),
        assigned_by: n.assigned_by.map(|a| a.as_str()),
        ports: p.ports.as_deref().map(json_ports),
        children,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::associate::{Options, associate};
    use crate::model::fixture::{ProcessExt, linked_worktree, process, snapshot};

    #[test]
    fn a_100000_deep_chain_serialises_on_a_small_stack_and_parses_back() {
        let depth = 100_000u32;
        let wt = linked_worktree("/wt/abcd-deep/p", "/src/p", "vk/abcd-deep");
        let procs = (1000..1000 + depth)
            .map(|pid| process(pid, if pid == 1000 { 1 } else { pid - 1 }, "link").cwd("/wt/abcd-deep/p"))
            .collect();
        let forest = associate(&snapshot(procs, vec![wt]), &Options::default());
        let thread = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || serde_json::to_string(&Document::new(&forest, false)).map_err(|e| e.to_string()))
            .unwrap();
        let text = thread.join().unwrap().unwrap();
        // serde_json's own parser stops at 128 levels: the document stays under it.
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut count = 0;
        let mut deepest = 0;
        let mut stack: Vec<(&serde_json::Value, usize)> =
            v["projects"][0]["tasks"][0]["attempts"][0]["processes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p, 1))
                .collect();
        while let Some((p, d)) = stack.pop() {
            count += 1;
            deepest = deepest.max(d);
            stack.extend(p["children"].as_array().unwrap().iter().map(|c| (c, d + 1)));
        }
        assert_eq!(count, depth as usize);
        assert_eq!(deepest, MAX_PROCESS_NESTING);
        let last = &v["projects"][0]["tasks"][0]["attempts"][0]["processes"][0];
        assert_eq!(last["pid"], 1000);
    }
}
