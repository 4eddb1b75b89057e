//! Moving the selection, opening and closing rows, and finding the selected row again
//! after the rows are rebuilt.

use std::collections::HashMap;

use super::app::App;
use super::rows::RowId;

impl App {
    pub(super) fn set_open(&mut self, open: bool) {
        let Some(row) = self.selected_row() else { return };
        if !row.has_children || row.expanded == open {
            return;
        }
        let id = row.id.clone();
        self.expansion.set(&id, open);
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
    pub(super) fn path_of(&self, mut i: usize) -> Vec<RowId> {
        let mut path = vec![self.rows[i].id.clone()];
        while let Some(p) = self.rows[i].parent_index() {
            path.push(self.rows[p].id.clone());
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
        if let Some(i) = self.rows.iter().position(|r| &r.id == last) {
            return Some((above.len(), i));
        }
        let mut index: HashMap<&RowId, usize> = HashMap::with_capacity(self.rows.len());
        for (i, r) in self.rows.iter().enumerate() {
            index.entry(&r.id).or_insert(i);
        }
        above.iter().enumerate().rev().find_map(|(depth, id)| index.get(id).map(|&i| (depth, i)))
    }
}
