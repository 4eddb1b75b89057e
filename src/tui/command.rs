//! The bindable commands of the TUI: their config names, help text and footer labels.
//! The help screen and the footer are generated from these plus the keymap.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Command {
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Expand,
    Collapse,
    Toggle,
    ExpandAll,
    CollapseAll,
    Filter,
    ClearFilter,
    SortNext,
    SortReverse,
    ToggleOther,
    OrphansOnly,
    Pause,
    Detail,
    Help,
    Kill,
    KillTree,
    KillOrphans,
}

pub struct CommandInfo {
    pub command: Command,
    /// The key of `[keys]` in the config.
    pub name: &'static str,
    pub help: &'static str,
    /// Short label in the footer; `None` keeps it out of the footer.
    pub footer: Option<&'static str>,
}

const fn info(
    command: Command,
    name: &'static str,
    help: &'static str,
    footer: Option<&'static str>,
) -> CommandInfo {
    CommandInfo { command, name, help, footer }
}

/// Every command in help-screen order.
pub const COMMANDS: &[CommandInfo] = &[
    info(Command::Up, "up", "Move the selection up", None),
    info(Command::Down, "down", "Move the selection down", None),
    info(Command::PageUp, "page_up", "Move up one page", None),
    info(Command::PageDown, "page_down", "Move down one page", None),
    info(Command::Top, "top", "Jump to the first row", None),
    info(Command::Bottom, "bottom", "Jump to the last row", None),
    info(Command::Expand, "expand", "Expand the selected row", None),
    info(Command::Collapse, "collapse", "Collapse the row, or go to its parent", None),
    info(Command::Toggle, "toggle", "Expand or collapse the selected row", None),
    info(Command::ExpandAll, "expand_all", "Expand every row", None),
    info(Command::CollapseAll, "collapse_all", "Collapse every row", None),
    info(Command::Filter, "filter", "Filter rows by name, command, cwd or id", Some("filter")),
    info(Command::ClearFilter, "clear_filter", "Clear the filter", None),
    info(Command::SortNext, "sort_next", "Sort by the next column", Some("sort")),
    info(Command::SortReverse, "sort_reverse", "Reverse the sort order", None),
    info(
        Command::ToggleOther,
        "toggle_other",
        "Show or hide processes outside every attempt",
        Some("others"),
    ),
    info(Command::OrphansOnly, "orphans_only", "Show only orphaned processes", Some("orphans")),
    info(Command::Pause, "pause", "Pause or resume sampling", Some("pause")),
    info(Command::Detail, "detail", "Show or hide the detail pane", Some("detail")),
    info(
        Command::Kill,
        "kill",
        "Kill the selected process, or every process of the selected group",
        Some("kill"),
    ),
    info(Command::KillTree, "kill_tree", "Kill the selected process and all its descendants", None),
    info(
        Command::KillOrphans,
        "kill_orphans",
        "Kill the orphans of the selected project (or all orphans)",
        None,
    ),
    info(Command::Help, "help", "Show this help", Some("help")),
    info(Command::Quit, "quit", "Quit", Some("quit")),
];

impl Command {
    pub fn info(self) -> &'static CommandInfo {
        // Every Command has exactly one entry in COMMANDS (tested below).
        COMMANDS.iter().find(|c| c.command == self).unwrap_or(&COMMANDS[0])
    }

    pub fn by_name(name: &str) -> Option<Command> {
        COMMANDS.iter().find(|c| c.name == name).map(|c| c.command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_one_entry_and_a_unique_name() {
        let mut names: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), COMMANDS.len());
        for c in COMMANDS {
            assert_eq!(c.command.info().name, c.name);
            assert_eq!(Command::by_name(c.name), Some(c.command));
        }
    }

    #[test]
    fn every_default_binding_names_a_command_and_every_command_is_bound() {
        for (name, _) in crate::config::DEFAULT_KEYS {
            assert!(Command::by_name(name).is_some(), "{name}");
        }
        for c in COMMANDS {
            assert!(crate::config::DEFAULT_KEYS.iter().any(|(n, _)| *n == c.name), "{} unbound", c.name);
        }
    }
}
