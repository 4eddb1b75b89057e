//! Tagging rows from the selection, and keeping the tags true across refreshes.

use std::collections::HashSet;

use super::app::App;
use super::rows::RowId;

impl App {
    /// Space: tags or untags the selected row, then moves down (as htop does).
    pub(super) fn toggle_tag(&mut self) {
        let Some(id) = self.local_selection() else { return };
        match self.tags.toggle(&id) {
            Ok(_) => self.move_by(1),
            Err(why) => self.status = Some(why.into()),
        }
    }

    /// `c`: tags the selected row and every node below it, hidden ones included.
    pub(super) fn tag_below(&mut self) {
        let Some(id) = self.local_selection() else { return };
        let added = self.tags.tag_below(&id, &self.forest);
        self.status = Some(format!("{added} tagged ({} in all)", self.tags.len()));
    }

    /// The selected row's id when it is of this box. Tags name this box's ids and
    /// processes: another box's row (whose ids this box may have too) is refused.
    fn local_selection(&mut self) -> Option<RowId> {
        let row = self.selected_row()?;
        if row.host != 0 {
            self.status = Some("tags are of this box: another box's rows cannot be tagged".into());
            return None;
        }
        Some(row.id.clone())
    }

    pub(super) fn untag_all(&mut self) {
        if !self.tags.is_empty() {
            self.status = Some(format!("{} tags cleared", self.tags.len()));
            self.tags.clear();
        }
    }

    /// Drops the tags that name nothing in the new forest and says so, after whatever
    /// the status line already says (a kill's result, which is why they went).
    pub(super) fn drop_stale_tags(&mut self, live: &HashSet<RowId>) {
        let dropped = self.tags.prune(live);
        if dropped.is_empty() {
            return;
        }
        let shown: Vec<&str> = dropped.iter().take(3).map(String::as_str).collect();
        let more = dropped.len().saturating_sub(shown.len());
        let mut text = format!(
            "{} tag{} dropped: {}",
            dropped.len(),
            if dropped.len() == 1 { "" } else { "s" },
            shown.join(", ")
        );
        if more > 0 {
            text.push_str(&format!(" and {more} more"));
        }
        self.status = Some(match self.status.take() {
            Some(before) => format!("{before} · {text}"),
            None => text,
        });
    }
}
