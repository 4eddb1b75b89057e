//! The signal menu (htop's F9): any signal for the selection or the tags, chosen from
//! every standard one; choosing opens the same confirmation, plan and report as a kill.

use super::action::Modal;
use super::app::App;
use super::app_kill::KillScope;
use super::command::Command;
use crate::kill::operation::Operation;
use crate::kill::signal::Signal;

/// How many signals a page key moves by.
const PAGE: usize = 10;

impl App {
    /// Opens the menu on SIGTERM, or says why nothing could be signalled (before a
    /// signal is chosen, not after).
    pub(super) fn open_signal_menu(&mut self) {
        if self.selected_row().is_some_and(|r| r.host != 0) {
            self.status = Some("signals work on this box only".into());
            return;
        }
        let target = match self.action_targets(KillScope::Node) {
            Ok(targets) if targets.len() == 1 => targets[0].to_string(),
            Ok(targets) => format!("{} tagged scopes", targets.len()),
            Err(why) => {
                self.status = Some(why);
                return;
            }
        };
        let line = Signal::all().position(|s| s == Signal::Term).unwrap_or(0);
        self.modal = Some(Modal::Signals { line, target });
    }

    /// A key in the menu. Choosing sends nothing: it plans the signal over the selection
    /// (a process row: that process; a group: its processes) or the tags, as `x` does,
    /// and opens its confirmation with Cancel focused. STOP is a pause, CONT a resume.
    pub(super) fn signal_menu_command(&mut self, line: usize, c: Command) {
        let last = Signal::all().count() - 1;
        let line = match c {
            Command::Up => line.saturating_sub(1),
            Command::Down => (line + 1).min(last),
            Command::PageUp => line.saturating_sub(PAGE),
            Command::PageDown => (line + PAGE).min(last),
            Command::Top => 0,
            Command::Bottom => last,
            Command::Press => {
                self.modal = None;
                if let Some(signal) = Signal::all().nth(line) {
                    self.open_action(KillScope::Node, Operation::send(signal));
                }
                return;
            }
            Command::Close => {
                self.modal = None;
                return;
            }
            _ => line,
        };
        if let Some(Modal::Signals { line: cursor, .. }) = &mut self.modal {
            *cursor = line;
        }
    }
}
