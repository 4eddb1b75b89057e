//! `list`'s text output: an indented tree with aligned PID, CPU%, MEM and count
//! columns. Every string from a process passes through `sanitize`.

use std::fmt::Write;

use crate::model::text::{cells, human_bytes, percent, sanitize, truncate};
use crate::model::{Forest, ProcNode, Rollup};

/// A command line is cut to no fewer cells than this to keep the markers after it.
const MIN_TEXT: usize = 12;

const HEADER: &str = "    PID   CPU%     MEM  PROCS  NAME";

/// Renders the forest; `width` fits each line to that many terminal cells, cutting
/// command lines with `…` (None: whole lines).
pub fn render(forest: &Forest, include_unassigned: bool, width: Option<usize>) -> String {
    let mut out = Lines { text: String::new(), width };
    let t = &forest.totals;
    out.line(&format!(
        "{}  {} processes  {} attempts  CPU {}%  MEM {}",
        sanitize(&forest.host),
        t.process_count,
        forest.attempt_count(),
        percent(t.cpu_percent),
        human_bytes(t.memory_bytes)
    ));
    out.line(HEADER);
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

    fn group(&mut self, depth: usize, r: &Rollup, label: &str) {
        let head = format!(
            "{:>7} {:>6} {:>7} {:>6}  {}",
            "-",
            percent(r.cpu_percent),
            human_bytes(r.memory_bytes),
            r.process_count,
            "  ".repeat(depth),
        );
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
        let head = format!(
            "{:>7} {:>6} {:>7} {:>6}  {}",
            p.pid(),
            percent(p.cpu_percent),
            human_bytes(p.memory_bytes),
            count,
            indent(depth),
        );
        self.fitted(&head, &p.command_line(), &marks);
    }
}
