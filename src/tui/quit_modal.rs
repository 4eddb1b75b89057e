//! Quitting while processes this TUI paused are still stopped: Cancel (focused first),
//! resume them and quit, or quit and leave them stopped.

use super::command::Command;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuitButton {
    Cancel,
    ResumeAndQuit,
    LeavePaused,
}

impl QuitButton {
    pub const ALL: [QuitButton; 3] = [QuitButton::Cancel, QuitButton::ResumeAndQuit, QuitButton::LeavePaused];

    pub fn label(self) -> &'static str {
        match self {
            QuitButton::Cancel => "Cancel",
            QuitButton::ResumeAndQuit => "Resume and quit",
            QuitButton::LeavePaused => "Quit, leave stopped",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuitModal {
    pub focus: QuitButton,
    /// The scopes paused, with how many of their processes are stopped now.
    pub scopes: Vec<(String, usize)>,
}

/// What a key in the quit confirmation asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuitRequest {
    Nothing,
    Close,
    ResumeAndQuit,
    Quit,
}

impl QuitModal {
    pub fn on_command(&mut self, command: Command) -> QuitRequest {
        let i = QuitButton::ALL.iter().position(|b| *b == self.focus).unwrap_or(0);
        let n = QuitButton::ALL.len();
        match command {
            Command::FocusPrevious => self.focus = QuitButton::ALL[(i + n - 1) % n],
            Command::FocusNext => self.focus = QuitButton::ALL[(i + 1) % n],
            Command::Close => return QuitRequest::Close,
            Command::Press => {
                return match self.focus {
                    QuitButton::Cancel => QuitRequest::Close,
                    QuitButton::ResumeAndQuit => QuitRequest::ResumeAndQuit,
                    QuitButton::LeavePaused => QuitRequest::Quit,
                };
            }
            _ => {}
        }
        QuitRequest::Nothing
    }
}
