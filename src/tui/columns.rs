//! The tree's data columns: which exist, what each shows, and the column picker's
//! edits of the chosen list (`columns` in the config, `C` in the TUI). NAME is not
//! among them: it is always shown, first, and takes the room the others leave.

use serde::Deserialize;
use strum::{EnumIter, IntoEnumIterator};

use crate::model::sort::SortKey;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, EnumIter)]
#[serde(rename_all = "lowercase")]
pub enum Column {
    Pid,
    User,
    State,
    Ni,
    Age,
    Threads,
    Cpu,
    Mem,
    Procs,
    Ports,
    Io,
}

impl Column {
    /// Its name in `columns = [...]`.
    pub fn name(self) -> &'static str {
        match self {
            Column::Pid => "pid",
            Column::User => "user",
            Column::State => "state",
            Column::Ni => "ni",
            Column::Age => "age",
            Column::Threads => "threads",
            Column::Cpu => "cpu",
            Column::Mem => "mem",
            Column::Procs => "procs",
            Column::Ports => "ports",
            Column::Io => "io",
        }
    }

    /// Its heading in the table.
    pub fn title(self) -> &'static str {
        match self {
            Column::Pid => "PID",
            Column::User => "USER",
            Column::State => "S",
            Column::Ni => "NI",
            Column::Age => "AGE",
            Column::Threads => "THR",
            Column::Cpu => "CPU%",
            Column::Mem => "MEM",
            Column::Procs => "PROCS",
            Column::Ports => "PORTS",
            Column::Io => "IO R/W",
        }
    }

    /// What it shows, for the picker.
    pub fn about(self) -> &'static str {
        match self {
            Column::Pid => "process id",
            Column::User => "owner of the process",
            Column::State => "state: R running, S sleeping, D disk wait, T stopped, Z zombie",
            Column::Ni => "nice value (-20 first .. 19 last)",
            Column::Age => "time since the process started",
            Column::Threads => "threads of the process",
            Column::Cpu => "CPU % (a collapsed row: with everything below it)",
            Column::Mem => "resident memory (a collapsed row: with everything below it)",
            Column::Procs => "processes in the group or the collapsed subtree",
            Column::Ports => "listening TCP and UDP ports (a group: the lowest, +N more; - unreadable)",
            Column::Io => {
                "storage read/write per second (a collapsed row: with everything below it; - unknown)"
            }
        }
    }

    /// Its width in cells, heading included, and the separating space; USER's is the
    /// widest name shown, within bounds.
    pub fn width(self) -> usize {
        match self {
            Column::Pid => 8,
            Column::User => 9,
            Column::State => 2,
            Column::Ni => 4,
            Column::Age => 7,
            Column::Threads => 5,
            Column::Cpu => 7,
            Column::Mem => 8,
            Column::Procs => 7,
            Column::Ports => 13,
            Column::Io => 13,
        }
    }

    /// The sort key of the column, when sorting by it is possible.
    pub fn sort_key(self) -> Option<SortKey> {
        match self {
            Column::Pid => Some(SortKey::Pid),
            Column::Cpu => Some(SortKey::Cpu),
            Column::Mem => Some(SortKey::Mem),
            Column::Procs => Some(SortKey::Count),
            Column::Io => Some(SortKey::Io),
            _ => None,
        }
    }

    /// Which go first when the terminal is too narrow: the higher, the later.
    pub fn keep_priority(self) -> u8 {
        match self {
            Column::Cpu => 8,
            Column::Mem => 7,
            Column::Pid => 6,
            Column::Procs => 5,
            Column::Ports => 4,
            Column::State => 4,
            Column::Io => 3,
            Column::Ni => 3,
            Column::Threads => 2,
            Column::Age => 1,
            Column::User => 0,
        }
    }

    /// Text columns read from the left; numbers line up on the right.
    pub fn left_aligned(self) -> bool {
        matches!(self, Column::User | Column::Ports)
    }

    pub fn all() -> impl Iterator<Item = Column> {
        Column::iter()
    }

    pub fn by_name(name: &str) -> Option<Column> {
        Column::all().find(|c| c.name() == name)
    }
}

/// The shipped choice (also in config/default.toml).
pub fn default_columns() -> Vec<Column> {
    vec![Column::Pid, Column::Cpu, Column::Mem, Column::Procs, Column::Ports]
}

/// A column listed twice, by its position in the list.
pub fn first_repeat(columns: &[Column]) -> Option<usize> {
    (1..columns.len()).find(|&i| columns[..i].contains(&columns[i]))
}

/// The picker's lines: the chosen columns in their order, then the others.
pub fn picker_order(chosen: &[Column]) -> Vec<(Column, bool)> {
    let shown = chosen.iter().map(|c| (*c, true));
    shown.chain(Column::all().filter(|c| !chosen.contains(c)).map(|c| (c, false))).collect()
}

/// Shows or hides the column on picker line `line`; a column shown anew goes last.
/// Returns the line the column is on afterwards.
pub fn toggle(chosen: &mut Vec<Column>, line: usize) -> usize {
    let Some(&(column, shown)) = picker_order(chosen).get(line) else { return line };
    if shown {
        chosen.retain(|c| *c != column);
    } else {
        chosen.push(column);
    }
    picker_order(chosen).iter().position(|(c, _)| *c == column).unwrap_or(line)
}

/// Moves the shown column on picker line `line` one place earlier (`-1`) or later
/// (`1`); returns its new line.
pub fn shift(chosen: &mut [Column], line: usize, by: isize) -> usize {
    if line >= chosen.len() {
        return line;
    }
    let to = line.saturating_add_signed(by).min(chosen.len() - 1);
    chosen.swap(line, to);
    to
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_every_column_has_a_title_and_a_width() {
        for c in Column::all() {
            assert_eq!(Column::by_name(c.name()), Some(c));
            assert!(!c.title().is_empty() && c.width() > c.title().len() && !c.about().is_empty());
        }
        assert_eq!(first_repeat(&[Column::Pid, Column::Cpu, Column::Pid]), Some(2));
        assert_eq!(first_repeat(&default_columns()), None);
    }

    #[test]
    fn the_picker_toggles_and_reorders_the_chosen_columns() {
        let mut chosen = default_columns();
        let order = picker_order(&chosen);
        assert_eq!(order.len(), Column::all().count());
        assert_eq!(
            order[..4].iter().map(|(c, on)| (*c, *on)).collect::<Vec<_>>(),
            [(Column::Pid, true), (Column::Cpu, true), (Column::Mem, true), (Column::Procs, true)]
        );
        let user = order.iter().position(|(c, _)| *c == Column::User).unwrap();
        assert_eq!(toggle(&mut chosen, user), 5, "shown anew: last of the chosen");
        assert_eq!(chosen.last(), Some(&Column::User));
        assert_eq!(shift(&mut chosen, 5, -1), 4);
        assert_eq!(
            chosen,
            [Column::Pid, Column::Cpu, Column::Mem, Column::Procs, Column::User, Column::Ports]
        );
        assert_eq!(shift(&mut chosen, 0, -1), 0, "the first stays first");
        toggle(&mut chosen, 0);
        assert_eq!(chosen, [Column::Cpu, Column::Mem, Column::Procs, Column::User, Column::Ports]);
        assert_eq!(shift(&mut chosen, 8, 1), 8, "a hidden column does not move");
        while !chosen.is_empty() {
            toggle(&mut chosen, 0);
        }
        assert_eq!(picker_order(&chosen).len(), Column::all().count(), "NAME alone is a choice too");
    }
}
