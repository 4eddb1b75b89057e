//! Flattens a Forest into the visible rows of the tree view: pure, rebuilt only when
//! the forest, filter, sort, toggles or expansion change, never per frame.

use std::collections::HashSet;
use std::sync::Arc;

use crate::capacity::shrunk;
use crate::model::sort::{SortFields, SortKey, compare};
use crate::model::text::sanitize;
use crate::model::{
    AttemptId, AttemptNode, Forest, ProcKey, ProcNode, ProcState, ProjectId, ProjectNode, Rollup, TaskId,
    TaskNode, filter,
};

/// A row's identity across refreshes: ids for groups, ProcKey for processes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RowId {
    /// A box's row, above its projects, when other boxes are shown (`--host`).
    Host(u16),
    Project(ProjectId),
    Task(TaskId),
    Attempt(AttemptId),
    Shared,
    Other,
    Process(ProcKey),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Host,
    Project,
    Task,
    Attempt,
    Shared,
    Other,
    Process,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The box it is on: 0 this box, `i` the `i`-th other (`App::remotes[i - 1]`). With
    /// the id, the row's identity: two boxes can have the same ids and processes.
    pub host: u16,
    pub id: RowId,
    pub kind: RowKind,
    pub depth: u16,
    /// Index of the parent row, if any (u32: rows are many, kept small).
    pub parent: Option<u32>,
    pub has_children: bool,
    pub expanded: bool,
    /// Sanitized main text: a group's name or a process's command line.
    pub label: Box<str>,
    /// Sanitized secondary text (path, branch), shown dimmed.
    pub note: Box<str>,
    pub pid: Option<u32>,
    /// What the numeric columns show: own values for an expanded process, roll-ups otherwise.
    pub shown: Rollup,
    pub orphan: bool,
    pub state: Option<ProcState>,
    /// A process's user, nice value and threads (for the columns).
    pub user: Option<Arc<str>>,
    pub nice: i8,
    pub threads: u32,
    /// The agent tag of an agent process (`claude busy`).
    pub agent: Option<Box<str>>,
    pub guide: Guide,
}

/// Where a row sits among its siblings, for the tree guides (`├─ └─ │`): made once
/// per build from its parent's, so drawing a row needs no walk up the tree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Guide {
    /// Bit `i`: the ancestor `i + 1` levels up (below the top level) has a sibling
    /// after it, so its line (`│`) runs past this row. Deeper ancestors do not fit:
    /// a row more than 64 levels deep shows its depth instead of their lines.
    pub open_above: u64,
    /// The last of its siblings (`└─`, not `├─`).
    pub last: bool,
}

impl Guide {
    /// The guide of a child of `parent`.
    pub(crate) fn below(parent: &Row, last: bool) -> Guide {
        let open_above = match parent.depth {
            0 => 0,
            _ => (parent.guide.open_above << 1) | u64::from(!parent.guide.last),
        };
        Guide { open_above, last }
    }
}

impl Row {
    pub fn parent_index(&self) -> Option<usize> {
        self.parent.map(|p| p as usize)
    }
}

/// Which rows are open: everything is open by default; `flipped` holds the exceptions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expansion {
    pub closed_by_default: bool,
    pub flipped: HashSet<RowId>,
}

impl Expansion {
    pub fn is_open(&self, id: &RowId) -> bool {
        self.closed_by_default == self.flipped.contains(id)
    }

    pub fn set(&mut self, id: &RowId, open: bool) {
        if open == self.closed_by_default {
            self.flipped.insert(id.clone());
        } else {
            self.flipped.remove(id);
        }
    }

    pub fn all(&mut self, open: bool) {
        self.closed_by_default = !open;
        self.flipped.clear();
    }
}

#[derive(Debug, Clone)]
pub struct RowOptions<'a> {
    pub filter: &'a filter::Filter,
    pub sort: SortKey,
    pub reverse: bool,
    pub show_other: bool,
    pub orphans_only: bool,
    pub expansion: &'a Expansion,
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
    let filtered;
    if !opts.filter.is_empty() {
        filtered = opts.filter.apply(view);
        view = &filtered;
    }
    let mut b = RowBuilder { rows: std::mem::take(rows), opts };
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
    *rows = b.rows;
    if let Some(c) = shrunk(rows.capacity(), rows.len()) {
        rows.shrink_to(c);
    }
}

struct Group<'a> {
    id: RowId,
    kind: RowKind,
    depth: u16,
    parent: Option<usize>,
    label: &'a str,
    note: String,
    rollup: Rollup,
    has_children: bool,
    last: bool,
}

struct RowBuilder<'o> {
    rows: Vec<Row>,
    opts: &'o RowOptions<'o>,
}

impl RowBuilder<'_> {
    fn sorted<'n, T>(&self, items: &'n [T], fields: impl Fn(&'n T) -> SortFields<'n>) -> Vec<&'n T> {
        let mut refs: Vec<&T> = items.iter().collect();
        refs.sort_by(|a, b| compare(self.opts.sort, self.opts.reverse, &fields(a), &fields(b)));
        refs
    }

    /// Pushes a group row; returns its index when it is open (its children follow).
    fn group(&mut self, g: Group<'_>) -> Option<usize> {
        let expanded = g.has_children && self.opts.expansion.is_open(&g.id);
        let guide = self.guide(g.parent, g.last);
        self.rows.push(Row {
            host: 0,
            id: g.id,
            kind: g.kind,
            depth: g.depth,
            parent: g.parent.and_then(|p| u32::try_from(p).ok()),
            has_children: g.has_children,
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
            guide,
        });
        expanded.then_some(self.rows.len() - 1)
    }

    fn guide(&self, parent: Option<usize>, last: bool) -> Guide {
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
        if let Some(agent) = &a.agent {
            note.push_str(&format!("  {agent}"));
        }
        let has = !a.processes.is_empty();
        if let Some(me) = self.group(Group {
            id,
            kind: RowKind::Attempt,
            depth: 2,
            parent: Some(parent),
            label: &a.name,
            note,
            rollup: a.rollup,
            has_children: has,
            last,
        }) {
            self.processes(&a.processes, 3, me);
        }
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
        }) {
            self.processes(roots, 1, me);
        }
    }

    fn sorted_processes<'n>(&self, nodes: &'n [ProcNode]) -> std::vec::IntoIter<&'n ProcNode> {
        self.sorted(nodes, |n: &ProcNode| SortFields {
            rollup: &n.rollup,
            name: n.process.display_name(),
            pid: Some(n.process.pid()),
        })
        .into_iter()
    }

    /// The rows of process trees, parents before children, with an explicit stack (a
    /// chain can be 100,000 deep): one frame per open process, its children still to show.
    fn processes(&mut self, nodes: &[ProcNode], depth: u16, parent: usize) {
        let mut stack = vec![(self.sorted_processes(nodes), depth, parent)];
        while let Some((siblings, depth, parent)) = stack.last_mut() {
            let (depth, parent) = (*depth, *parent);
            let Some(n) = siblings.next() else {
                stack.pop();
                continue;
            };
            let last = siblings.len() == 0;
            if let Some(me) = self.process(n, depth, parent, last) {
                stack.push((self.sorted_processes(&n.children), depth.saturating_add(1), me));
            }
        }
    }

    /// Pushes a process row; returns its index when it is open (its children follow).
    fn process(&mut self, n: &ProcNode, depth: u16, parent: usize, last: bool) -> Option<usize> {
        let id = RowId::Process(n.key());
        let has_children = !n.children.is_empty();
        let expanded = has_children && self.opts.expansion.is_open(&id);
        let p = &n.process;
        let shown = if expanded { Rollup::of_process(p, n.orphan) } else { n.rollup };
        let guide = self.guide(Some(parent), last);
        self.rows.push(Row {
            host: 0,
            id,
            kind: RowKind::Process,
            depth,
            parent: u32::try_from(parent).ok(),
            has_children,
            expanded,
            label: sanitize(&p.command_line()).into(),
            note: "".into(),
            pid: Some(p.pid()),
            shown,
            orphan: n.orphan,
            state: Some(p.state),
            user: Some(Arc::clone(&p.facts.user)),
            nice: p.nice,
            threads: p.threads,
            agent: n.agent.as_deref().map(|a| sanitize(&a.tag()).into()),
            guide,
        });
        expanded.then_some(self.rows.len() - 1)
    }
}

/// Each item with whether it is the last.
fn with_last<T>(items: Vec<T>) -> impl Iterator<Item = (T, bool)> {
    let n = items.len();
    items.into_iter().enumerate().map(move |(i, t)| (t, i + 1 == n))
}

/// Every row id in the forest, also inside collapsed or filtered-out nodes.
pub fn all_ids(forest: &Forest) -> HashSet<RowId> {
    let mut ids = HashSet::new();
    for (p, t, a) in forest.attempts() {
        ids.insert(RowId::Project(p.id.clone()));
        ids.insert(RowId::Task(t.id.clone()));
        ids.insert(RowId::Attempt(a.id.clone()));
    }
    ids.insert(RowId::Shared);
    ids.insert(RowId::Other);
    forest.walk_processes(&mut |n| {
        ids.insert(RowId::Process(n.key()));
    });
    ids
}
