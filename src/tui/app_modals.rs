//! The keys of the open modal: help, column picker, an action's confirmation, quitting.

use super::action::{Effect, Modal};
use super::app::App;
use super::columns;
use super::command::Command;
use crate::config::Column;

impl App {
    pub(super) fn modal_command(&mut self, c: Command) -> Effect {
        match &mut self.modal {
            Some(Modal::Kill(_)) => return self.kill_modal_command(c),
            Some(Modal::Quit(_)) => return self.quit_modal_command(c),
            // Their keys are handled before any other (`columns_command`,
            // `signal_menu_command`).
            Some(Modal::Columns { .. } | Modal::Signals { .. }) => {}
            Some(Modal::Help { scroll }) => match c {
                Command::Close => self.modal = None,
                Command::ScrollDown => *scroll = scroll.saturating_add(1),
                Command::ScrollUp => *scroll = scroll.saturating_sub(1),
                Command::ScrollPageDown => *scroll = scroll.saturating_add(10),
                Command::ScrollPageUp => *scroll = scroll.saturating_sub(10),
                _ => {}
            },
            None => {}
        }
        Effect::None
    }

    /// A key in the column picker: the choice changes at once, rows need no rebuild.
    pub(super) fn columns_command(&mut self, line: usize, c: Command) {
        let lines = Column::all().count();
        let line = match c {
            Command::Up => line.saturating_sub(1),
            Command::Down => (line + 1).min(lines - 1),
            Command::Toggle => columns::toggle(&mut self.columns, line),
            Command::MoveEarlier => columns::shift(&mut self.columns, line, -1),
            Command::MoveLater => columns::shift(&mut self.columns, line, 1),
            Command::Close => {
                self.modal = None;
                return;
            }
            _ => line,
        };
        self.modal = Some(Modal::Columns { line });
    }
}
