//! The tree's lines (`├─ └─ │`) and expand markers in front of each row's name,
//! drawn from each row's [`Guide`] bits: no walk up the tree, whatever the depth.

use crate::config::TreeGuides;
use crate::tui::rows::{Guide, Row};

/// The characters of one style; each piece is two cells wide.
struct Glyphs {
    /// An ancestor's line running past this row, or its absence.
    through: &'static str,
    blank: &'static str,
    /// This row's own link to its parent's line.
    tee: &'static str,
    corner: &'static str,
    open: &'static str,
    closed: &'static str,
    /// After a link, a row without children.
    leaf: &'static str,
    /// The row marker: selected, tagged, both (two cells; the tag reads without colour).
    selected: &'static str,
    tagged: &'static str,
    selected_tagged: &'static str,
}

const UNICODE: Glyphs = Glyphs {
    through: "│ ",
    blank: "  ",
    tee: "├─",
    corner: "└─",
    open: "▾ ",
    closed: "▸ ",
    leaf: "─ ",
    selected: "▶ ",
    tagged: " ●",
    selected_tagged: "▶●",
};

const ASCII: Glyphs = Glyphs {
    through: "| ",
    blank: "  ",
    tee: "|-",
    corner: "`-",
    open: "v ",
    closed: "> ",
    leaf: "- ",
    selected: "* ",
    tagged: " +",
    selected_tagged: "*+",
};

fn glyphs(style: TreeGuides) -> &'static Glyphs {
    match style {
        TreeGuides::Unicode => &UNICODE,
        TreeGuides::Ascii => &ASCII,
    }
}

/// The row marker of the style, two cells: the selection, then the tag.
pub fn row_marker(style: TreeGuides, selected: bool, tagged: bool) -> &'static str {
    let g = glyphs(style);
    match (selected, tagged) {
        (false, false) => "  ",
        (true, false) => g.selected,
        (false, true) => g.tagged,
        (true, true) => g.selected_tagged,
    }
}

/// Ancestors' lines this many levels up at most are drawn (the bits a Guide holds).
const MAX_LINES: usize = u64::BITS as usize;

/// The guide and expand marker of `row`, at most `room` cells wide when the row is too
/// deep for its full guide: then its depth (`…5000 `) stands in for the far levels.
pub fn prefix(row: &Row, style: TreeGuides, room: usize) -> String {
    let g = glyphs(style);
    let marker = match (row.has_children, row.expanded) {
        (true, true) => g.open,
        (true, false) => g.closed,
        (false, _) if row.depth == 0 => "  ",
        (false, _) => g.leaf,
    };
    let depth = usize::from(row.depth);
    if depth == 0 {
        return marker.to_string();
    }
    // Each level takes two cells: d - 1 ancestors' lines, the row's link, its marker.
    let full = depth <= MAX_LINES + 1 && 2 * depth + 2 <= room;
    let mut out = String::with_capacity(4 * depth.min(MAX_LINES) + 16);
    let lines = if full {
        depth - 1
    } else {
        let plus = if row.depth == u16::MAX { "+" } else { "" };
        let mark = format!("…{depth}{plus} ");
        let mark_width = mark.chars().count();
        let lines = (room.saturating_sub(mark_width + 4) / 2).min(depth - 1).min(MAX_LINES);
        let pad = room.saturating_sub(mark_width + 2 * lines + 4);
        out.extend(std::iter::repeat_n(' ', pad));
        out.push_str(&mark);
        lines
    };
    push_lines(&mut out, row.guide, lines, g);
    out.push_str(if row.guide.last { g.corner } else { g.tee });
    out.push_str(marker);
    out
}

/// The `lines` nearest ancestors' lines, farthest first.
fn push_lines(out: &mut String, guide: Guide, lines: usize, g: &Glyphs) {
    for level in (0..lines).rev() {
        let open = level < MAX_LINES && guide.open_above >> level & 1 == 1;
        out.push_str(if open { g.through } else { g.blank });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::rows::{RowId, RowKind};

    fn row(depth: u16, open_above: u64, last: bool, children: bool) -> Row {
        Row {
            host: 0,
            id: RowId::Other,
            kind: RowKind::Process,
            depth,
            parent: None,
            has_children: children,
            expanded: children,
            label: "x".into(),
            note: "".into(),
            pid: None,
            shown: Default::default(),
            orphan: false,
            state: None,
            user: None,
            nice: 0,
            threads: 0,
            agent: None,
            ports: "".into(),
            new: false,
            agent_status: None,
            guide: Guide { open_above, last },
        }
    }

    #[test]
    fn lines_links_and_markers() {
        let u = TreeGuides::Unicode;
        assert_eq!(prefix(&row(0, 0, false, true), u, 80), "▾ ");
        assert_eq!(prefix(&row(1, 0, false, true), u, 80), "├─▾ ");
        assert_eq!(prefix(&row(3, 0b10, true, false), u, 80), "│   └── ");
        assert_eq!(prefix(&row(3, 0b10, true, false), TreeGuides::Ascii, 80), "|   `-- ");
    }

    #[test]
    fn a_row_too_deep_for_its_room_shows_its_depth_and_its_nearest_lines() {
        let deep = prefix(&row(5000, u64::MAX, false, false), TreeGuides::Unicode, 20);
        assert_eq!(deep, "…5000 │ │ │ │ │ ├── ");
        assert_eq!(deep.chars().count(), 20);
        let max = prefix(&row(u16::MAX, 1, true, false), TreeGuides::Unicode, 12);
        assert_eq!(max, "…65535+ └── ");
        // Less room than the mark: the mark alone (the row's text is cut to fit later).
        assert!(prefix(&row(70, 0, true, false), TreeGuides::Unicode, 2).starts_with("…70"));
    }
}
