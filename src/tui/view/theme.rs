//! Styles. `mono` (and NO_COLOR) uses only bold, dim and reverse, so everything
//! that matters is also visible as text or markers.

use ratatui::style::{Color, Modifier, Style};

use crate::config::Theme;
use crate::tui::rows::RowKind;

#[derive(Debug, Clone, Copy)]
pub struct Styles {
    pub color: bool,
}

impl Styles {
    pub fn new(theme: Theme) -> Styles {
        Styles { color: theme == Theme::Default }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color { Style::new().fg(c) } else { Style::new() }
    }

    pub fn header(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(Color::Cyan)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn column_titles(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn row(&self, kind: RowKind) -> Style {
        match kind {
            RowKind::Host => self.fg(Color::Green).add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            RowKind::Project => self.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            RowKind::Task => self.fg(Color::LightBlue).add_modifier(Modifier::BOLD),
            RowKind::Attempt => self.fg(Color::Magenta).add_modifier(Modifier::BOLD),
            RowKind::Shared | RowKind::Other => Style::new().add_modifier(Modifier::BOLD | Modifier::ITALIC),
            RowKind::Process => Style::new(),
            RowKind::Ghost => self.exited(),
        }
    }

    /// An exited process: greyed (dim without colour; its `[exited]` marker says it too).
    pub fn exited(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray).add_modifier(Modifier::CROSSED_OUT)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    /// An agent that waits for its user: loud in both themes.
    pub fn waiting(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// A process born within the last refreshes.
    pub fn born(&self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }

    /// The tree's lines: present, but quieter than the names.
    pub fn guide(&self) -> Style {
        if self.color { Style::new().fg(Color::DarkGray) } else { Style::new() }
    }

    pub fn note(&self) -> Style {
        if self.color { Style::new().fg(Color::DarkGray) } else { Style::new().add_modifier(Modifier::DIM) }
    }

    pub fn warning(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn danger(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn cpu_spark(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn mem_spark(&self) -> Style {
        self.fg(Color::Blue)
    }

    pub fn paused(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    /// Loud in both themes: the screen shows old data.
    pub fn stalled(&self) -> Style {
        if self.color {
            Style::new().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }
}
