//! `list`'s text output: an indented tree with aligned PID, CPU%, MEM (or PSS), count
//! and, when measured, IO columns. Every string from a process passes through `sanitize`.

use std::fmt::Write;

use crate::model::text::{cells, percent, sanitize, truncate};
use crate::model::usage::{ESTIMATE_MARK, MemoryMode, io_text, memory_text};
use crate::model::{Forest, ProcNode, Rollup};

/// A command line is cut to no fewer cells than this to keep the markers after it.
const MIN_TEXT: usize = 12;

/// Which figures the columns show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Figures {
    /// What MEM counts.
    pub memory: MemoryMode,
    /// An IO column (read/write per second).
    pub io: bool,
}

/// Renders the forest; `width` fits each line to that many terminal cells, cutting
/// command lines with `…` (None: whole lines).
pub fn render(forest: &Forest, include_unassigned: bool, width: Option<usize>, figures: Figures) -> String {
    let memory = figures.memory;
    let mut out = Lines { text: String::new(), width, figures };
    let t = &forest.totals;
    let (heading, legend) = match memory {
        MemoryMode::Rss => ("MEM", String::new()),
        MemoryMode::Pss => ("PSS", format!("  ({ESTIMATE_MARK}: RSS, not measured)")),
    };
    out.line(&format!(
        "{}  {} processes  {} attempts  CPU {}%  {heading} {}{legend}",
        sanitize(&forest.host),
        t.process_count,
        forest.attempt_count(),
        percent(t.cpu_percent),
        memory_text(t, memory)
    ));
    let io = if figures.io { format!(" {:>12}", "IO R/W") } else { String::new() };
    out.line(&format!("    PID   CPU% {heading:>7}  PROCS{io}  NAME"));
    for project in &forest.projects {
        out.group(0, &project.rollup, &format!("{}  {}", project.id, project.path.display()));
        for task in &project.tasks {
            match &task.title {
                Some(title) => out.group(1, &task.rollup, &format!("{}  \"{title}\"", task.id)),
                None => out.group(1, &task.rollup, task.id.as_str()),
            }
            for attempt in &task.attempts {
                let branch = attempt.branch_label();
                let mut label = format!(
                    "{}  {}  {}  [{}]",
                    attempt.id,
                    branch,
                    attempt.path.display(),
                    attempt.source.as_str()
                );
                if let Some(agent) = &attempt.agent {
                    let _ = write!(label, "  agent: {agent}");
                }
                out.group(2, &attempt.rollup, &label);
                for root in &attempt.processes {
                    out.tree(3, root);
                }
            }
        }
    }
    if !forest.shared.is_empty() {
        out.group(0, &Rollup::sum(forest.shared.iter().map(|n| &n.rollup)), "shared services");
        for root in &forest.shared {
            out.tree(1, root);
        }
    }
    if include_unassigned && !forest.unassigned.is_empty() {
        out.group(0, &Rollup::sum(forest.unassigned.iter().map(|n| &n.rollup)), "other processes");
        for root in &forest.unassigned {
            out.tree(1, root);
        }
    }
    if forest.projects.is_empty() {
        out.line("(no processes inside git worktrees; `--all` shows every process)");
    }
    out.text
}

/// Two spaces per level up to `MAX_INDENT` levels; deeper rows show their depth
/// instead (`…5000 `), so a deep chain's output grows by its length, not its square.
fn indent(depth: usize) -> String {
    const MAX_INDENT: usize = 40;
    if depth <= MAX_INDENT {
        return "  ".repeat(depth);
    }
    let mark = format!("…{depth} ");
    format!("{mark:>w$}", w = 2 * MAX_INDENT)
}

struct Lines {
    text: String,
    width: Option<usize>,
    figures: Figures,
}

impl Lines {
    fn line(&mut self, s: &str) {
        self.fitted("", s, "");
    }

    /// `head`, `text` and `tail` on one line; past the width, `text` (a command line, a
    /// label) is cut with `…` so that `tail` (the markers) still shows, unless the
    /// width is too narrow even for that.
    fn fitted(&mut self, head: &str, text: &str, tail: &str) {
        let (head, text, tail) = (sanitize(head), sanitize(text), sanitize(tail));
        let line = match self.width {
            Some(w) if cells(&head) + cells(&text) + cells(&tail) > w => {
                let room = w.saturating_sub(cells(&head) + cells(&tail));
                if room >= MIN_TEXT {
                    format!("{head}{}{tail}", truncate(&text, room))
                } else {
                    truncate(&format!("{head}{text}{tail}"), w).into_owned()
                }
            }
            _ => format!("{head}{text}{tail}"),
        };
        self.text.push_str(line.trim_end());
        self.text.push('\n');
    }

    /// The columns before a row's text: PID, CPU%, MEM, PROCS (and IO), then `indent`.
    fn head(&self, pid: &str, r: &Rollup, count: &str, indent: &str) -> String {
        let (cpu, memory) = (percent(r.cpu_percent), memory_text(r, self.figures.memory));
        let io = if self.figures.io { format!(" {:>12}", io_text(r)) } else { String::new() };
        format!("{pid:>7} {cpu:>6} {memory:>7} {count:>6}{io}  {indent}")
    }

    fn group(&mut self, depth: usize, r: &Rollup, label: &str) {
        let head = self.head("-", r, &r.process_count.to_string(), &"  ".repeat(depth));
        let tail =
            if r.orphan_count > 0 { format!("  ({} orphaned)", r.orphan_count) } else { String::new() };
        self.fitted(&head, label, &tail);
    }

    /// A process tree, parents first, without recursion (a chain can be 100,000 deep).
    fn tree(&mut self, depth: usize, root: &ProcNode) {
        for (below, node) in root.preorder() {
            self.process(depth + below, node);
        }
    }

    fn process(&mut self, depth: usize, node: &ProcNode) {
        let p = &node.process;
        let mut marks = String::new();
        if let Some(agent) = &node.agent {
            let _ = write!(marks, " [{}]", agent.tag());
        }
        let ports = crate::model::ports::numbers(p.ports.iter().flat_map(|ps| ps.iter()));
        if !ports.is_empty() {
            let listed: Vec<String> = ports.iter().map(|n| format!(":{n}")).collect();
            let _ = write!(marks, " [{}]", listed.join(" "));
        }
        if node.orphan {
            marks.push_str(" [orphan]");
        }
        if p.state.is_notable() {
            let _ = write!(marks, " [{}]", p.state.as_str());
        }
        let count =
            if node.children.is_empty() { String::new() } else { node.rollup.process_count.to_string() };
        let head =
            self.head(&p.pid().to_string(), &Rollup::of_process(p, node.orphan), &count, &indent(depth));
        self.fitted(&head, &p.command_line(), &marks);
    }
}
