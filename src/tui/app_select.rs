//! Moving the selection, opening and closing rows, and finding the selected row again
//! after the rows are rebuilt.

use std::collections::HashMap;

use super::app::App;
use super::rows::{Row, RowId};

impl App {
    pub(super) fn set_open(&mut self, open: bool) {
        let Some(row) = self.selected_row() else { return };
        if !row.has_children || row.expanded == open {
            return;
        }
        let (id, host) = (row.id.clone(), row.host);
        // Host rows open and close in this box's expansion (their ids are unique).
        let expansion =
            if matches!(id, RowId::Host(_)) { &mut self.expansion } else { self.expansion_mut(host) };
        expansion.set(&id, open);
        self.rebuild();
    }
    /// Left/h: collapse an open row, or move to the parent of a closed one.
    pub(super) fn collapse_or_parent(&mut self) {
        match self.selected_row() {
            Some(r) if r.expanded => self.set_open(false),
            Some(r) => {
                if let Some(p) = r.parent_index() {
                    self.select(p);
                }
            }
            None => {}
        }
    }
    pub(super) fn move_by(&mut self, delta: isize) {
        if self.rows.is_empty() {
            return;
        }
        let last = self.rows.len() - 1;
        let target = self.selected.saturating_add_signed(delta).min(last);
        self.select(target);
    }
    pub(super) fn select(&mut self, i: usize) {
        if self.rows.is_empty() {
            self.selected = 0;
            self.selected_path.clear();
            return;
        }
        self.selected = i.min(self.rows.len() - 1);
        self.selected_path = self.path_of(self.selected);
        self.scroll_into_view();
    }
    /// With their box: two boxes can have the same ids.
    pub(super) fn path_of(&self, mut i: usize) -> Vec<(u16, RowId)> {
        let key = |r: &Row| (r.host, r.id.clone());
        let mut path = vec![key(&self.rows[i])];
        while let Some(p) = self.rows[i].parent_index() {
            path.push(key(&self.rows[p]));
            i = p;
        }
        path.reverse();
        path
    }
    pub(super) fn scroll_into_view(&mut self) {
        let page = self.page.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + page {
            self.offset = self.selected + 1 - page;
        }
        let max_offset = self.rows.len().saturating_sub(page);
        self.offset = self.offset.min(max_offset);
    }
    /// The deepest row of the selected path that is still there, with its depth in the
    /// path. One scan finds the selected row itself; a vanished one indexes the rows
    /// once instead of scanning them for every ancestor (a path can be 100,000 long).
    pub(super) fn survivor(&self) -> Option<(usize, usize)> {
        let (last, above) = self.selected_path.split_last()?;
        if let Some(i) = self.rows.iter().position(|r| r.host == last.0 && r.id == last.1) {
            return Some((above.len(), i));
        }
        let mut index: HashMap<(u16, &RowId), usize> = HashMap::with_capacity(self.rows.len());
        for (i, r) in self.rows.iter().enumerate() {
            index.entry((r.host, &r.id)).or_insert(i);
        }
        above
            .iter()
            .enumerate()
            .rev()
            .find_map(|(depth, (host, id))| index.get(&(*host, id)).map(|&i| (depth, i)))
    }
}
