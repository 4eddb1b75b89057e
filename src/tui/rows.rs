//! Flattens a Forest into the visible rows of the tree view: pure, rebuilt only when
//! the forest, filter, sort, toggles or expansion change, never per frame.

use std::sync::Arc;

use super::changes::{Changes, Ghost, GhostParent};
pub use super::row::{AgentStatus, Row, RowId, RowKind, all_ids};
use super::rows_ghosts::{Ghosts, Item};
pub use super::rows_parts::{Expansion, Guide};
use crate::capacity::shrunk;
use crate::model::ports;
use crate::model::sort::{Order, SortFields, SortKey, compare};
use crate::model::text::sanitize;
use crate::model::{AttemptNode, Forest, ProcNode, Process, ProjectNode, Rollup, TaskNode, filter};

#[derive(Debug, Clone)]
pub struct RowOptions<'a> {
    pub filter: &'a filter::Filter,
    pub sort: SortKey,
    pub reverse: bool,
    /// What MEM sorts by.
    pub memory: crate::model::MemoryMode,
    pub show_other: bool,
    pub orphans_only: bool,
    /// Only attempts whose agent waits for its user.
    pub waiting_only: bool,
    pub expansion: &'a Expansion,
    /// New and exited processes to highlight (not while filtering: a ghost matches nothing).
    pub changes: Option<&'a Changes>,
}

/// Fills `rows`, reusing its buffer: on a busy box the rows are many, and a second,
/// growing array next to the old one would double them at every refresh.
pub fn build_rows(forest: &Forest, opts: &RowOptions<'_>, rows: &mut Vec<Row>) {
    rows.clear();
    let orphaned;
    let mut view = forest;
    if opts.orphans_only {
        orphaned = filter::orphans_only(view);
        view = &orphaned;
    }
    let waiting;
    if opts.waiting_only {
        waiting = filter::waiting_only(view);
        view = &waiting;
    }
    let filtered;
    if !opts.filter.is_empty() {
        filtered = opts.filter.apply(view);
        view = &filtered;
    }
    let changes = opts.changes.filter(|_| opts.filter.is_empty() && !opts.orphans_only && !opts.waiting_only);
    let mut b = RowBuilder { rows: std::mem::take(rows), opts, ghosts: Ghosts::of(changes), changes };
    let projects = b.sorted(&view.projects, |p: &ProjectNode| SortFields {
        rollup: &p.rollup,
        name: &p.name,
        pid: None,
    });
    for p in projects {
        b.project(p);
    }
    if !view.shared.is_empty() {
        b.bucket(RowId::Shared, RowKind::Shared, "shared services", &view.shared);
    }
    if opts.show_other && !view.unassigned.is_empty() {
        b.bucket(RowId::Other, RowKind::Other, "other processes", &view.unassigned);
    }
    b.exited_bucket();
    *rows = b.rows;
    if let Some(c) = shrunk(rows.capacity(), rows.len()) {
        rows.shrink_to(c);
    }
}

pub(super) struct Group<'a> {
    pub id: RowId,
    pub kind: RowKind,
    pub depth: u16,
    pub parent: Option<usize>,
    pub label: &'a str,
    pub note: String,
    pub rollup: Rollup,
    pub has_children: bool,
    pub last: bool,
    /// Every port its processes listen on.
    pub ports: Vec<u16>,
}

pub(super) struct RowBuilder<'o> {
    pub(super) rows: Vec<Row>,
    pub(super) opts: &'o RowOptions<'o>,
    changes: Option<&'o Changes>,
    pub(super) ghosts: Ghosts<'o>,
}

impl<'o> RowBuilder<'o> {
    fn sorted<'n, T>(&self, items: &'n [T], fields: impl Fn(&'n T) -> SortFields<'n>) -> Vec<&'n T> {
        let mut refs: Vec<&T> = items.iter().collect();
        let order = Order { key: self.opts.sort, reverse: self.opts.reverse, memory: self.opts.memory };
        refs.sort_by(|a, b| compare(order, &fields(a), &fields(b)));
        refs
    }

    /// Pushes a group row; returns its index when it is open (its children follow).
    pub(super) fn group(&mut self, g: Group<'_>) -> Option<usize> {
        self.ghosts.group_shown(&g.id);
        let has_children = g.has_children || self.ghosts.has(&GhostParent::Group(g.id.clone()));
        let expanded = has_children && self.opts.expansion.is_open(&g.id);
        let guide = self.guide(g.parent, g.last);
        self.rows.push(Row {
            host: 0,
            id: g.id,
            kind: g.kind,
            depth: g.depth,
            parent: g.parent.and_then(|p| u32::try_from(p).ok()),
            has_children,
            expanded,
            label: sanitize(g.label).into(),
            note: sanitize(&g.note).into(),
            pid: None,
            shown: g.rollup,
            orphan: false,
            state: None,
            user: None,
            nice: 0,
            threads: 0,
            agent: None,
            ports: ports::union_text(&g.ports).into(),
            new: false,
            agent_status: None,
            guide,
        });
        expanded.then_some(self.rows.len() - 1)
    }

    pub(super) fn guide(&self, parent: Option<usize>, last: bool) -> Guide {
        match parent.and_then(|p| self.rows.get(p)) {
            Some(parent) => Guide::below(parent, last),
            None => Guide { open_above: 0, last },
        }
    }

    fn project(&mut self, p: &ProjectNode) {
        let id = RowId::Project(p.id.clone());
        let note = p.path.display().to_string();
        let Some(me) = self.group(Group {
            id,
            kind: RowKind::Project,
            depth: 0,
            parent: None,
            label: &p.name,
            note,
            rollup: p.rollup,
            has_children: !p.tasks.is_empty(),
            last: false,
            ports: attempt_ports(p.tasks.iter().flat_map(|t| &t.attempts)),
        }) else {
            return;
        };
        let tasks =
            self.sorted(&p.tasks, |t: &TaskNode| SortFields { rollup: &t.rollup, name: &t.name, pid: None });
        for (t, last) in with_last(tasks) {
            self.task(t, me, last);
        }
    }

    fn task(&mut self, t: &TaskNode, parent: usize, last: bool) {
        let id = RowId::Task(t.id.clone());
        let attempts = t.attempts.len();
        let count = (attempts != 1).then(|| format!("{attempts} attempts"));
        let note = [t.title.clone(), count].into_iter().flatten().collect::<Vec<_>>().join("  ");
        let Some(me) = self.group(Group {
            id,
            kind: RowKind::Task,
            depth: 1,
            parent: Some(parent),
            label: &t.name,
            note,
            rollup: t.rollup,
            has_children: attempts > 0,
            last,
            ports: attempt_ports(t.attempts.iter()),
        }) else {
            return;
        };
        let sorted = self.sorted(&t.attempts, |a: &AttemptNode| SortFields {
            rollup: &a.rollup,
            name: &a.name,
            pid: None,
        });
        for (a, last) in with_last(sorted) {
            self.attempt(a, me, last);
        }
    }

    fn attempt(&mut self, a: &AttemptNode, parent: usize, last: bool) {
        let id = RowId::Attempt(a.id.clone());
        let branch = a.branch_label();
        let mut note = format!("{branch}  [{}]", a.source.as_str());
        let status = self.agent_status(a);
        if let (Some(agent), None) = (&a.agent, &status) {
            note.push_str(&format!("  {agent}"));
        }
        let has = !a.processes.is_empty();
        let me = self.group(Group {
            id,
            kind: RowKind::Attempt,
            depth: 2,
            parent: Some(parent),
            label: &a.name,
            note,
            rollup: a.rollup,
            has_children: has,
            last,
            ports: attempt_ports(std::iter::once(a)),
        });
        if let Some(row) = self.rows.last_mut() {
            row.agent_status = status;
        }
        if let Some(me) = me {
            let ghosts = self.ghosts.under(&GhostParent::Group(RowId::Attempt(a.id.clone())));
            self.processes(&a.processes, &ghosts, 3, me);
        }
    }

    /// What the attempt's agent says of its status, and since when.
    fn agent_status(&self, a: &AttemptNode) -> Option<Box<AgentStatus>> {
        let node = a.agent_node()?;
        let info = node.agent.as_deref()?;
        let status = info.status.as_deref()?;
        let since = self.changes.and_then(|c| c.status_since(node.key(), status)).or(info.status_since_ms);
        Some(Box::new(AgentStatus {
            agent: sanitize(info.kind.name()).into(),
            status: sanitize(status).into(),
            since_ms: since,
            waits: info.waits(),
            waiting_for: info.waiting_for.as_deref().map(|w| sanitize(w).into()),
        }))
    }

    fn bucket(&mut self, id: RowId, kind: RowKind, label: &str, roots: &[ProcNode]) {
        let rollup = Rollup::sum(roots.iter().map(|n| &n.rollup));
        if let Some(me) = self.group(Group {
            id,
            kind,
            depth: 0,
            parent: None,
            label,
            note: String::new(),
            rollup,
            has_children: !roots.is_empty(),
            last: false,
            ports: ports::numbers(&ports::of_trees(roots)),
        }) {
            let ghosts = self.ghosts.under(&GhostParent::Group(self.rows[me].id.clone()));
            self.processes(roots, &ghosts, 1, me);
        }
    }

    /// The children of a row: live ones sorted, then the ghosts under it.
    fn children<'n>(&self, nodes: &'n [ProcNode], ghosts: &[&'n Ghost]) -> std::vec::IntoIter<Item<'n>> {
        let live = self.sorted(nodes, |n: &ProcNode| SortFields {
            rollup: &n.rollup,
            name: n.process.display_name(),
            pid: Some(n.process.pid()),
        });
        let mut items: Vec<Item<'n>> = live.into_iter().map(Item::Live).collect();
        items.extend(ghosts.iter().map(|g| Item::Ghost(g)));
        items.into_iter()
    }

    /// The rows of process trees (and the ghosts among them), parents before children,
    /// with an explicit stack (a chain can be 100,000 deep): one frame per open process,
    /// its children still to show.
    pub(super) fn processes<'n>(
        &mut self,
        nodes: &'n [ProcNode],
        ghosts: &[&'n Ghost],
        depth: u16,
        parent: usize,
    ) where
        'o: 'n,
    {
        let mut stack = vec![(self.children(nodes, ghosts), depth, parent)];
        while let Some((siblings, depth, parent)) = stack.last_mut() {
            let (depth, parent) = (*depth, *parent);
            let Some(item) = siblings.next() else {
                stack.pop();
                continue;
            };
            let last = siblings.len() == 0;
            let (me, children, key) = match item {
                Item::Live(n) => (self.process(n, depth, parent, last), &n.children[..], n.key()),
                Item::Ghost(g) => (self.ghost(g, depth, parent, last), &[][..], g.process.key),
            };
            if let Some(me) = me {
                let ghosts = self.ghosts.under(&GhostParent::Process(key));
                stack.push((self.children(children, &ghosts), depth.saturating_add(1), me));
            }
        }
    }

    /// Pushes a process row; returns its index when it is open (its children follow).
    fn process(&mut self, n: &ProcNode, depth: u16, parent: usize, last: bool) -> Option<usize> {
        let key = n.key();
        let row = ProcessRow {
            process: &n.process,
            id: RowId::Process(key),
            kind: RowKind::Process,
            orphan: n.orphan,
            has_children: !n.children.is_empty() || self.ghosts.has(&GhostParent::Process(key)),
            subtree: n.rollup,
            agent: n.agent.as_deref().map(|a| sanitize(&a.tag()).into()),
            new: self.changes.is_some_and(|c| c.is_new(key)),
            node: Some(n),
        };
        self.push_process(row, depth, parent, last)
    }

    /// Pushes the row of a live or exited process: its own figures when it is open,
    /// its subtree's when closed.
    pub(super) fn push_process(
        &mut self,
        r: ProcessRow<'_>,
        depth: u16,
        parent: usize,
        last: bool,
    ) -> Option<usize> {
        let expanded = r.has_children && self.opts.expansion.is_open(&r.id);
        let p = r.process;
        let shown = if expanded { Rollup::of_process(p, r.orphan) } else { r.subtree };
        let guide = self.guide(Some(parent), last);
        let ports = match (r.node, expanded) {
            // Gone: it listens on nothing now.
            _ if r.kind == RowKind::Ghost => String::new(),
            // Closed, with children: what the subtree listens on (closed subtrees do
            // not overlap, so this walks every process at most once).
            (Some(n), false) if !n.children.is_empty() => {
                ports::union_text(&ports::numbers(&ports::of_trees(std::slice::from_ref(n))))
            }
            _ => match &p.ports {
                Some(own) => ports::list_text(&ports::numbers(own.iter()), PORTS_TEXT),
                None => "-".into(),
            },
        };
        self.rows.push(Row {
            host: 0,
            id: r.id,
            kind: r.kind,
            depth,
            parent: u32::try_from(parent).ok(),
            has_children: r.has_children,
            expanded,
            label: sanitize(&p.command_line()).into(),
            note: "".into(),
            pid: Some(p.pid()),
            shown,
            orphan: r.orphan,
            state: Some(p.state),
            user: Some(Arc::clone(&p.facts.user)),
            nice: p.nice,
            threads: p.threads,
            agent: r.agent,
            ports: ports.into(),
            new: r.new,
            agent_status: None,
            guide,
        });
        expanded.then_some(self.rows.len() - 1)
    }
}

/// What a process row is made of.
pub(super) struct ProcessRow<'p> {
    pub process: &'p Process,
    pub id: RowId,
    pub kind: RowKind,
    pub orphan: bool,
    pub has_children: bool,
    /// What it and everything below it add up to, shown while it is closed.
    pub subtree: Rollup,
    pub agent: Option<Box<str>>,
    pub new: bool,
    /// The live node (an exited process has none).
    pub node: Option<&'p ProcNode>,
}

/// Room for a process's ports in the PORTS column.
const PORTS_TEXT: usize = 12;

/// The distinct ports the processes of these attempts listen on.
fn attempt_ports<'a>(attempts: impl Iterator<Item = &'a AttemptNode>) -> Vec<u16> {
    let all: Vec<crate::model::Port> = attempts.flat_map(|a| ports::of_trees(&a.processes)).collect();
    ports::numbers(&all)
}

/// Each item with whether it is the last.
fn with_last<T>(items: Vec<T>) -> impl Iterator<Item = (T, bool)> {
    let n = items.len();
    items.into_iter().enumerate().map(move |(i, t)| (t, i + 1 == n))
}
