//! The detail pane: everything about the selected row, with CPU and memory history.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline};

use super::theme::Styles;
use crate::model::text::{human_bytes, human_duration, percent, sanitize, utc_timestamp};
use crate::model::usage::{Inspection, MemoryMode, memory_text, rate_text};
use crate::model::{Forest, ProcNode};
use crate::tui::app::App;
use crate::tui::rows::{Row, RowId};

pub fn draw(f: &mut Frame<'_>, area: Rect, app: &App, styles: &Styles) {
    let Some(row) = app.selected_row() else { return };
    let block = Block::new().borders(Borders::TOP).title(" details ");
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [facts_area, spark_area] =
        Layout::horizontal([Constraint::Fill(3), Constraint::Fill(2)]).areas(inner);
    let width = usize::from(facts_area.width);
    // The row's own box: another box's ids and processes can equal this one's.
    let forest = app.forest_of(row.host);
    let lines = match &row.id {
        RowId::Process(key) => match forest.find_process(|n| n.key() == *key) {
            Some(node) => {
                let look = app.inspection.as_deref().filter(|i| i.key == *key && row.host == 0);
                process_facts(node, forest, look, width, styles)
            }
            None => vec![Line::raw("process gone")],
        },
        RowId::Ghost(key) => vec![Line::raw(format!(
            "PID {} has exited; its row goes after {} refreshes",
            key.pid(),
            app.changes.window()
        ))],
        _ => group_facts(row, app.memory, forest, width, styles),
    };
    f.render_widget(Paragraph::new(lines), facts_area);
    sparklines(f, spark_area, app, row, styles);
}

const LABEL: usize = 10;

/// `name value`, the value wrapped under itself onto at most `max_lines` lines.
fn field(
    lines: &mut Vec<Line<'static>>,
    name: &str,
    value: &str,
    width: usize,
    max_lines: usize,
    styles: &Styles,
) {
    let room = width.saturating_sub(LABEL).max(1);
    let chars: Vec<char> = value.chars().collect();
    let chunks: Vec<String> = if chars.is_empty() {
        vec![String::new()]
    } else {
        chars.chunks(room).map(|c| c.iter().collect()).collect()
    };
    let shown = chunks.len().min(max_lines.max(1));
    for (i, chunk) in chunks.into_iter().take(shown).enumerate() {
        let label = if i == 0 { format!("{name:>9} ") } else { " ".repeat(LABEL) };
        let mut text = chunk;
        if i + 1 == shown && shown < chars.len().div_ceil(room) {
            text.pop();
            text.push('…');
        }
        lines.push(Line::from(vec![Span::styled(label, styles.note()), Span::raw(text)]));
    }
}

fn process_facts(
    node: &ProcNode,
    forest: &Forest,
    look: Option<&Inspection>,
    width: usize,
    styles: &Styles,
) -> Vec<Line<'static>> {
    let p = &node.process;
    let started = forest.boot_time_secs + p.key.start_time() / forest.ticks_per_second.max(1);
    let age = (forest.sampled_at_ms / 1000).saturating_sub(started);
    let assigned = node.assigned_by.map_or("unassigned", |a| a.as_str());
    let mut state = p.state.as_str().to_string();
    if node.orphan {
        state.push_str(", orphaned");
    }
    let cwd = p.cwd.as_ref().map_or("(unreadable)".into(), |c| c.to_string_lossy().into_owned());
    let ids = format!("{}  pid {}  ppid {}  pgid {}  sid {}", p.facts.user, p.pid(), p.ppid, p.pgid, p.sid);
    let mut lines = Vec::new();
    field(&mut lines, "command", &sanitize(&p.command_line()), width, 3, styles);
    field(&mut lines, "cwd", &sanitize(&cwd), width, 2, styles);
    field(&mut lines, "user", &sanitize(&ids), width, 1, styles);
    field(&mut lines, "state", &state, width, 1, styles);
    field(
        &mut lines,
        "started",
        &format!("{} ({} ago)", utc_timestamp(started), human_duration(age)),
        width,
        1,
        styles,
    );
    field(&mut lines, "assigned", assigned, width, 1, styles);
    if let Some(a) = &node.agent {
        let mut text = sanitize(a.kind.name()).into_owned();
        for (label, value) in [("session", &a.session_id), ("name", &a.session_name), ("status", &a.status)] {
            if let Some(v) = value {
                text.push_str(&format!("  {label} {}", sanitize(v)));
            }
        }
        field(&mut lines, "agent", &text, width, 1, styles);
    }
    let [memory, resident, io] = usage_text(p.memory_bytes, look);
    field(&mut lines, "memory", &memory, width, 1, styles);
    field(&mut lines, "resident", &resident, width, 1, styles);
    field(&mut lines, "io", &io, width, 1, styles);
    let ports = match &p.ports {
        None => "- (its descriptors cannot be read)".to_string(),
        Some(ports) => ports_text(ports),
    };
    field(&mut lines, "ports", &ports, width, 2, styles);
    lines
}

/// The memory, resident-set and I/O lines of a process, from the latest look at it
/// (`None`: not looked at yet). Whatever cannot be read is `-`, never 0.
fn usage_text(rss: u64, look: Option<&Inspection>) -> [String; 3] {
    const MEASURING: &str = "measuring…";
    let Some(look) = look else {
        return [
            format!("RSS {}  (PSS, swap: {MEASURING})", human_bytes(rss)),
            MEASURING.into(),
            MEASURING.into(),
        ];
    };
    let Some(r) = look.resident else {
        return [format!("RSS {}  (gone)", human_bytes(rss)), "-".into(), "-".into()];
    };
    let pss = look.pss.bytes().map_or_else(|| "- (cannot be read)".to_string(), human_bytes);
    let memory = format!("RSS {}  swap {}  PSS {pss}", human_bytes(r.rss), human_bytes(r.swap));
    let resident =
        format!("anon {}  file {}  shmem {}", human_bytes(r.anon), human_bytes(r.file), human_bytes(r.shmem));
    let io = match (look.io, look.io_rate) {
        (None, _) => "- (another user's process: its I/O cannot be read)".into(),
        (Some(total), rate) => {
            let rate = rate.map_or_else(
                || MEASURING.to_string(),
                |r| format!("read {}/s  write {}/s", rate_text(r.read), rate_text(r.write)),
            );
            format!("{rate}  ({}, {} since start)", human_bytes(total.read), human_bytes(total.write))
        }
    };
    [memory, resident, io]
}

/// `tcp 127.0.0.1:3000, udp [::]:5353`, or `none`.
fn ports_text(ports: &[crate::model::Port]) -> String {
    if ports.is_empty() {
        return "none".into();
    }
    ports.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

fn group_facts(
    row: &Row,
    memory: MemoryMode,
    forest: &Forest,
    width: usize,
    styles: &Styles,
) -> Vec<Line<'static>> {
    let r = &row.shown;
    let mut lines = Vec::new();
    let id = match &row.id {
        RowId::Project(id) => id.as_str(),
        RowId::Task(id) => id.as_str(),
        RowId::Attempt(id) => id.as_str(),
        RowId::Shared => "shared services",
        RowId::Other => "other processes",
        RowId::Exited => "exited processes",
        RowId::Process(_) | RowId::Ghost(_) => "",
        RowId::Host(_) => &forest.host,
    };
    field(&mut lines, "id", &sanitize(id), width, 2, styles);
    match &row.id {
        RowId::Project(id) => {
            if let Some(p) = forest.projects.iter().find(|p| &p.id == id) {
                field(&mut lines, "path", &sanitize(&p.path.to_string_lossy()), width, 2, styles);
                field(&mut lines, "tasks", &p.tasks.len().to_string(), width, 1, styles);
            }
        }
        RowId::Task(id) => {
            if let Some(t) = forest.projects.iter().flat_map(|p| &p.tasks).find(|t| &t.id == id) {
                field(&mut lines, "attempts", &t.attempts.len().to_string(), width, 1, styles);
            }
        }
        RowId::Attempt(id) => {
            if let Some((_, _, a)) = forest.attempts().find(|(_, _, a)| &a.id == id) {
                field(&mut lines, "path", &sanitize(&a.path.to_string_lossy()), width, 2, styles);
                field(&mut lines, "branch", &sanitize(a.branch_label()), width, 1, styles);
                let source = match &a.agent {
                    Some(agent) => format!("{}  agent {agent}", a.source.as_str()),
                    None => a.source.as_str().to_string(),
                };
                field(&mut lines, "source", &source, width, 1, styles);
            }
        }
        _ => {}
    }
    let total = format!(
        "{} procs, {} orphaned  CPU {}%  MEM {}",
        r.process_count,
        r.orphan_count,
        percent(r.cpu_percent),
        human_bytes(r.memory_bytes)
    );
    field(&mut lines, "total", &total, width, 1, styles);
    if memory == MemoryMode::Pss {
        let mut memory =
            format!("RSS {}  PSS {}", human_bytes(r.memory_bytes), memory_text(r, MemoryMode::Pss));
        if r.pss_estimated() > 0 {
            let estimated = r.pss_estimated();
            memory.push_str(&format!("  ({estimated} of {} not measured: RSS counted)", r.process_count));
        }
        field(&mut lines, "memory", &memory, width, 1, styles);
    }
    if r.io_known > 0 {
        let io = format!("read {}/s  write {}/s", rate_text(r.io_read), rate_text(r.io_write));
        let unknown = match r.io_unknown() {
            0 => String::new(),
            n => format!("  ({n} of {} unknown, left out)", r.process_count),
        };
        field(&mut lines, "io", &format!("{io}{unknown}"), width, 1, styles);
    }
    let roots: Vec<&[ProcNode]> = match &row.id {
        RowId::Project(id) => {
            forest.attempts().filter(|(p, _, _)| &p.id == id).map(|(_, _, a)| &a.processes[..]).collect()
        }
        RowId::Task(id) => {
            forest.attempts().filter(|(_, t, _)| &t.id == id).map(|(_, _, a)| &a.processes[..]).collect()
        }
        RowId::Attempt(id) => {
            forest.attempts().filter(|(_, _, a)| &a.id == id).map(|(_, _, a)| &a.processes[..]).collect()
        }
        RowId::Shared => vec![&forest.shared[..]],
        RowId::Other => vec![&forest.unassigned[..]],
        _ => Vec::new(),
    };
    let mut ports: Vec<crate::model::Port> =
        roots.into_iter().flat_map(crate::model::ports::of_trees).collect();
    ports.sort_unstable();
    ports.dedup();
    field(&mut lines, "ports", &ports_text(&ports), width, 2, styles);
    lines
}

fn sparklines(f: &mut Frame<'_>, area: Rect, app: &App, row: &Row, styles: &Styles) {
    let (history, id) = (app.history_of(row.host), &row.id);
    if area.height < 2 || area.width < 8 {
        return;
    }
    let [cpu_area, mem_area] = Layout::vertical([Constraint::Fill(1), Constraint::Fill(1)]).areas(area);
    let width = usize::from(area.width);
    let cpu = tail(history.cpu(id), width);
    let mem = tail(history.mem(id), width);
    let cpu_now = cpu.last().map_or(0.0, |&v| v as f32 / 10.0);
    let mem_now = mem.last().map_or(0, |&v| v * 1024);
    let cpu_block = Block::new().title(format!("CPU {}%", percent(cpu_now)));
    let mem_block = Block::new().title(format!("MEM {}", human_bytes(mem_now)));
    // CPU scales to at least one core so an idle process reads as idle.
    let cpu_max = cpu.iter().copied().max().unwrap_or(0).max(1000);
    f.render_widget(
        Sparkline::default().block(cpu_block).data(cpu).max(cpu_max).style(styles.cpu_spark()),
        cpu_area,
    );
    f.render_widget(Sparkline::default().block(mem_block).data(mem).style(styles.mem_spark()), mem_area);
}

fn tail(mut v: Vec<u64>, n: usize) -> Vec<u64> {
    if v.len() > n {
        v.drain(..v.len() - n);
    }
    v
}
