//! What the tree shows: expansion of everything, the filter and its editing, the sort,
//! the toggles of what is listed (other processes, orphans only, waiting agents) and the
//! memory mode. Each changes the rows, which are rebuilt.

use super::app::App;
use super::command::Command;

impl App {
    pub(super) fn view_command(&mut self, c: Command) {
        match c {
            Command::ExpandAll | Command::CollapseAll => {
                self.expansion.all(c == Command::ExpandAll);
                for pane in &mut self.remotes {
                    pane.expansion.all(c == Command::ExpandAll);
                }
                self.rebuild();
            }
            Command::Filter => self.filter_editing = true,
            Command::ClearFilter => {
                self.filter_text.clear();
                self.rebuild();
            }
            Command::SortNext => {
                self.sort = self.sort.next();
                self.rebuild();
            }
            Command::SortReverse => {
                self.reverse = !self.reverse;
                self.rebuild();
            }
            Command::ToggleOther => {
                self.show_other = !self.show_other;
                self.rebuild();
            }
            Command::OrphansOnly => {
                self.orphans_only = !self.orphans_only;
                self.rebuild();
            }
            Command::WaitingOnly => {
                self.waiting_only = !self.waiting_only;
                self.rebuild();
            }
            Command::MemoryMode => {
                self.memory = self.memory.toggled();
                self.rebuild();
            }
            // Its character arrives as `Action::FilterInput`.
            Command::FilterType => {}
            Command::FilterKeep => self.filter_editing = false,
            Command::FilterDelete => {
                self.filter_text.pop();
                self.rebuild();
            }
            Command::FilterCancel => {
                self.filter_editing = false;
                self.filter_text.clear();
                self.rebuild();
            }
            // Every other command is routed elsewhere by `App::command`.
            _ => {}
        }
    }
}
