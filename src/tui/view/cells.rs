//! The data columns of the table as laid out for one frame: which fit, how wide each
//! is, and each row's text in them.

use crate::model::Forest;
use crate::model::sort::SortKey;
use crate::model::text::{cells, human_duration, percent, sanitize, truncate};
use crate::model::usage::{MemoryMode, io_text, memory_text};
use crate::tui::columns::Column;
use crate::tui::rows::{Row, RowId, RowKind};

/// NAME keeps at least this many cells; columns that would take them are left out.
const MIN_NAME: usize = 12;
/// USER is as wide as the widest name shown, within these bounds.
const USER_WIDTH: std::ops::RangeInclusive<usize> = 4..=12;

/// The columns of one frame with their widths (the separating space included).
pub struct Layout {
    pub columns: Vec<(Column, usize)>,
    pub name_width: usize,
    /// What MEM shows.
    pub memory: MemoryMode,
}

impl Layout {
    /// The chosen columns that fit `width`, dropping the least kept first; `shown`
    /// are the rows on screen (USER fits their names).
    pub fn new(chosen: &[Column], width: usize, shown: &[Row], memory: MemoryMode) -> Layout {
        let user = shown.iter().filter_map(|r| r.user.as_deref()).map(cells).max().unwrap_or(0);
        let user = user.clamp(*USER_WIDTH.start(), *USER_WIDTH.end()) + 1;
        let mut columns: Vec<(Column, usize)> =
            chosen.iter().map(|&c| (c, if c == Column::User { user } else { c.width() })).collect();
        let mut by_priority: Vec<Column> = chosen.to_vec();
        by_priority.sort_by_key(|c| c.keep_priority());
        for drop in by_priority {
            if width >= MIN_NAME + columns.iter().map(|(_, w)| w).sum::<usize>() {
                break;
            }
            columns.retain(|(c, _)| *c != drop);
        }
        let name_width = width.saturating_sub(columns.iter().map(|(_, w)| w).sum());
        Layout { columns, name_width, memory }
    }

    /// The heading line: NAME, then each column, the sorted one marked.
    pub fn title(&self, sort: SortKey, reverse: bool) -> String {
        // Numbers sort high first, so their arrow points down; PID and NAME low first.
        let arrow = |low_first: bool| if low_first != reverse { "▲" } else { "▼" };
        let name = if sort == SortKey::Name { format!("  NAME{}", arrow(true)) } else { "  NAME".into() };
        let mut title = format!("{name:<w$}", w = self.name_width);
        for (c, w) in &self.columns {
            let mark = if c.sort_key() == Some(sort) { arrow(*c == Column::Pid) } else { "" };
            let heading = match (c, self.memory) {
                (Column::Mem, MemoryMode::Pss) => "PSS",
                _ => c.title(),
            };
            let text = format!("{mark}{heading}");
            if c.left_aligned() {
                title.push_str(&format!(" {text:<w$}", w = w - 1));
            } else {
                title.push_str(&format!("{text:>w$}"));
            }
        }
        title
    }

    /// A row's text in every column, each exactly its width.
    pub fn cells(&self, row: &Row, forest: &Forest) -> String {
        let mut out = String::new();
        for (c, w) in &self.columns {
            let text = cell(*c, row, forest, self.memory);
            if c.left_aligned() {
                let user = truncate(&text, w - 1);
                let pad = (w - 1).saturating_sub(cells(&user));
                out.push(' ');
                out.push_str(&user);
                out.extend(std::iter::repeat_n(' ', pad));
            } else {
                out.push_str(&format!("{text:>w$}"));
            }
        }
        out
    }
}

/// What a row shows in a column: a process its own facts; a group, and a collapsed
/// process, the sums of CPU, memory and processes below it.
fn cell(c: Column, row: &Row, forest: &Forest, memory: MemoryMode) -> String {
    let r = &row.shown;
    let process = row.pid.is_some();
    match c {
        Column::Pid => row.pid.map(|p| p.to_string()).unwrap_or_default(),
        Column::User => row.user.as_deref().map(|u| sanitize(u).into_owned()).unwrap_or_default(),
        Column::State => row.state.map(|s| s.letter().to_string()).unwrap_or_default(),
        Column::Ni if process => row.nice.to_string(),
        Column::Threads if process => row.threads.to_string(),
        Column::Age => match &row.id {
            RowId::Process(key) | RowId::Ghost(key) => human_duration(forest.age_secs(key.start_time())),
            _ => String::new(),
        },
        // An exited process uses no CPU; its last figure would read as if it still ran.
        Column::Cpu if row.kind == RowKind::Ghost => String::new(),
        Column::Cpu => percent(r.cpu_percent),
        Column::Mem => memory_text(r, memory),
        // Exited: it does no I/O now.
        Column::Io if row.kind == RowKind::Ghost => String::new(),
        Column::Io => io_text(r),
        Column::Procs if row.id == RowId::Exited => r.process_count.to_string(),
        Column::Procs
            if !matches!(row.kind, RowKind::Process | RowKind::Ghost)
                || (row.has_children && !row.expanded) =>
        {
            r.process_count.to_string()
        }
        Column::Ports => row.ports.to_string(),
        Column::Ni | Column::Threads | Column::Procs => String::new(),
    }
}
