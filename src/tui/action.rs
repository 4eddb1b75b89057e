//! Everything that can change the app state, and what the shell must do afterwards.

use std::sync::Arc;

use super::command::Command;
use crate::model::Forest;

#[derive(Debug, Clone)]
pub enum Action {
    Command(Command),
    NewForest(Arc<Forest>),
    /// The terminal was resized; the next draw lays out again.
    Resize,
    /// A mouse click on screen row `y`.
    Click(u16),
    /// Mouse wheel: positive scrolls down.
    Scroll(i32),
    FilterInput(char),
    FilterBackspace,
    FilterAccept,
    FilterCancel,
    CloseModal,
    ModalScroll(i32),
}

/// Side effects the event loop carries out after an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    None,
    Quit,
    /// Tell the sampler thread to pause (true) or resume.
    SetPaused(bool),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modal {
    Help { scroll: u16 },
}
