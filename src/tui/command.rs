//! Every key binding of the TUI as data: the context it works in, its command, where its
//! keys come from, its help text and its hint label. The keymap, the help screen, the
//! footer and the modals' hint lines are all generated from `BINDINGS`.

use strum::{EnumIter, IntoEnumIterator};

/// What has the input focus; each context has keys of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter)]
pub enum Context {
    Tree,
    Filter,
    HelpModal,
    ColumnsModal,
    SignalMenu,
    KillConfirm,
    KillRunning,
    KillReport,
    QuitConfirm,
}

impl Context {
    /// The heading of its section in the help screen.
    pub fn heading(self) -> &'static str {
        match self {
            Context::Tree => "in the tree",
            Context::Filter => "while editing the filter",
            Context::HelpModal => "in this help",
            Context::ColumnsModal => "in the column picker",
            Context::SignalMenu => "in the signal menu",
            Context::KillConfirm => "in a confirmation (kill, signal, pause, resume, renice)",
            Context::KillRunning => "while an action runs",
            Context::KillReport => "in an action's report",
            Context::QuitConfirm => "when quitting leaves processes you paused stopped",
        }
    }

    /// Contexts whose every binding is about acting on processes: unreachable in
    /// read-only mode.
    pub fn is_kill(self) -> bool {
        matches!(
            self,
            Context::SignalMenu
                | Context::KillConfirm
                | Context::KillRunning
                | Context::KillReport
                | Context::QuitConfirm
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter)]
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
    /// Open the column picker.
    Columns,
    /// Keep the selection on the selected process.
    Follow,
    /// Show only the attempts whose agent waits for its user.
    WaitingOnly,
    /// Switch to the tmux pane of the selected attempt's agent.
    Jump,
    /// Count memory as RSS or as PSS.
    MemoryMode,
    Help,
    Kill,
    KillTree,
    KillOrphans,
    /// SIGSTOP the selection's processes (a process's tree) or the tags', left stopped.
    PauseProcesses,
    /// SIGCONT the stopped processes of the selection (a process's tree) or the tags.
    ResumeProcesses,
    /// Set the nice value of the selection's processes (a process's tree) or the tags'.
    Renice,
    /// Choose any signal for the selection or the tags (then the confirmation).
    SignalMenu,
    /// In a renice confirmation: one more (lower priority) or one less.
    NiceUp,
    NiceDown,
    /// Tag or untag the selected row (and move down).
    Tag,
    /// Tag the selected row and everything below it.
    TagBelow,
    UntagAll,
    KillKeepAgents,
    KillPort,
    /// A character typed into the filter.
    FilterType,
    FilterKeep,
    FilterDelete,
    FilterCancel,
    /// Close the open modal (in a confirmation: cancel).
    Close,
    ScrollUp,
    ScrollDown,
    ScrollPageUp,
    ScrollPageDown,
    FocusPrevious,
    FocusNext,
    /// Press the focused button of a confirmation.
    Press,
    /// Move the column under the picker's cursor one place earlier or later.
    MoveEarlier,
    MoveLater,
}

impl Command {
    /// Commands that signal processes: hidden and refused in read-only mode.
    pub fn is_destructive(self) -> bool {
        matches!(
            self,
            Command::Kill
                | Command::KillTree
                | Command::KillOrphans
                | Command::KillKeepAgents
                | Command::PauseProcesses
                | Command::ResumeProcesses
                | Command::Renice
                | Command::SignalMenu
                | Command::KillPort
        )
    }

    /// Its name in `[keys]`, for the commands the config file binds.
    pub fn config_name(self) -> Option<&'static str> {
        BINDINGS.iter().find_map(|b| match b.keys {
            Keys::Config(name) if b.command == self => Some(name),
            _ => None,
        })
    }

    pub fn by_name(name: &str) -> Option<Command> {
        BINDINGS.iter().find_map(|b| match b.keys {
            Keys::Config(n) if n == name => Some(b.command),
            _ => None,
        })
    }

    /// Every command, in declaration order.
    pub fn all() -> impl Iterator<Item = Command> {
        Command::iter()
    }
}

/// Where the keys of a binding come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// `[keys].<name>` of the config; the default is in config/default.toml.
    Config(&'static str),
    /// Built in, not configurable.
    Fixed(&'static [&'static str]),
    /// Built in, plus the keys the tree binds to the command where they are free here
    /// (the help key closes the help).
    FixedAndTree(&'static [&'static str], Command),
    /// Any character without ctrl or alt that no other binding of the context takes.
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub context: Context,
    pub command: Command,
    pub keys: Keys,
    pub help: &'static str,
    /// Label in the context's hint line (the footer, the modal's); `None` leaves it out.
    /// Neighbours with the same label share it: `←→ choose`.
    pub hint: Option<&'static str>,
}

const fn tree(
    command: Command,
    name: &'static str,
    help: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding { context: Context::Tree, command, keys: Keys::Config(name), help, hint }
}

const fn fixed(
    context: Context,
    command: Command,
    keys: &'static [&'static str],
    help: &'static str,
    hint: Option<&'static str>,
) -> Binding {
    Binding { context, command, keys: Keys::Fixed(keys), help, hint }
}

use Command as C;
use Context::{
    ColumnsModal, Filter, HelpModal, KillConfirm, KillReport, KillRunning, QuitConfirm, SignalMenu,
};

/// Every binding, grouped by context, in help-screen order.
pub const BINDINGS: &[Binding] = &[
    tree(C::Up, "up", "Move the selection up", None),
    tree(C::Down, "down", "Move the selection down", None),
    tree(C::PageUp, "page_up", "Move up one page", None),
    tree(C::PageDown, "page_down", "Move down one page", None),
    tree(C::Top, "top", "Jump to the first row", None),
    tree(C::Bottom, "bottom", "Jump to the last row", None),
    tree(C::Expand, "expand", "Expand the selected row", None),
    tree(C::Collapse, "collapse", "Collapse the row, or go to its parent", None),
    tree(C::Toggle, "toggle", "Expand or collapse the selected row", None),
    tree(C::ExpandAll, "expand_all", "Expand every row", None),
    tree(C::CollapseAll, "collapse_all", "Collapse every row", None),
    tree(
        C::Filter,
        "filter",
        "Filter rows by name, command, cwd or id; :PORT keeps the processes listening on PORT",
        Some("filter"),
    ),
    tree(C::ClearFilter, "clear_filter", "Clear the filter", None),
    tree(C::SortNext, "sort_next", "Sort by the next column", Some("sort")),
    tree(C::SortReverse, "sort_reverse", "Reverse the sort order", None),
    tree(C::ToggleOther, "toggle_other", "Show or hide processes outside every attempt", Some("others")),
    tree(C::OrphansOnly, "orphans_only", "Show only orphaned processes", Some("orphans")),
    tree(C::Pause, "pause", "Pause or resume sampling", Some("pause")),
    tree(C::Detail, "detail", "Show or hide the detail pane", Some("detail")),
    tree(C::Columns, "columns", "Choose, order and hide the columns", None),
    tree(C::Follow, "follow", "Follow the selected process wherever it moves (again: stop)", None),
    tree(C::WaitingOnly, "waiting_only", "Show only attempts whose agent waits for you", None),
    tree(C::Jump, "jump", "Jump to the tmux pane of the selected attempt's agent", None),
    tree(
        C::MemoryMode,
        "memory_mode",
        "Count memory as RSS or as PSS (shared pages divided among their processes; * marks RSS not yet measured)",
        None,
    ),
    tree(C::Kill, "kill", "Kill the selected process, or every process of the selected group", Some("kill")),
    tree(C::KillTree, "kill_tree", "Kill the selected process and all its descendants", None),
    tree(
        C::KillOrphans,
        "kill_orphans",
        "Reap the selected project (or all): its orphans and leftovers",
        None,
    ),
    tree(
        C::PauseProcesses,
        "pause_processes",
        "Pause (SIGSTOP) the selected group or process tree, or the tags",
        None,
    ),
    tree(
        C::ResumeProcesses,
        "resume_processes",
        "Resume (SIGCONT) what is stopped in the selected group, tree or tags",
        None,
    ),
    tree(C::Renice, "renice", "Renice the selected group or process tree, or the tags", None),
    tree(
        C::SignalMenu,
        "signal_menu",
        "Signal menu: any signal for the selected process or group, or the tags",
        None,
    ),
    tree(C::Tag, "tag", "Tag or untag the selected row: actions then act on every tagged scope", Some("tag")),
    tree(C::TagBelow, "tag_below", "Tag the selected row and everything below it", None),
    tree(C::UntagAll, "untag_all", "Clear every tag", None),
    tree(
        C::KillKeepAgents,
        "kill_keep_agents",
        "Kill the selected group or process tree, except its agents",
        None,
    ),
    tree(
        C::KillPort,
        "kill_port",
        "Kill the processes listening on the filter's :PORT, or on the selected process's one port",
        None,
    ),
    tree(C::Help, "help", "Show this help", Some("help")),
    tree(C::Quit, "quit", "Quit", Some("quit")),
    Binding {
        context: Filter,
        command: C::FilterType,
        keys: Keys::Text,
        help: "Type to narrow the rows",
        hint: None,
    },
    fixed(Filter, C::FilterKeep, &["enter"], "Keep the filter and go back to the tree", Some("keep")),
    fixed(Filter, C::FilterCancel, &["esc"], "Clear the filter and go back to the tree", Some("clear")),
    fixed(Filter, C::FilterDelete, &["backspace"], "Delete the last character", None),
    fixed(Filter, C::Up, &["up"], "Move the selection up", None),
    fixed(Filter, C::Down, &["down"], "Move the selection down", None),
    fixed(Filter, C::Quit, &["ctrl-c"], "Quit", None),
    Binding {
        context: HelpModal,
        command: C::Close,
        keys: Keys::FixedAndTree(&["esc", "enter", "q"], C::Help),
        help: "Close the help",
        hint: Some("closes"),
    },
    fixed(HelpModal, C::ScrollDown, &["down", "j"], "Scroll down", None),
    fixed(HelpModal, C::ScrollUp, &["up", "k"], "Scroll up", None),
    fixed(HelpModal, C::ScrollPageDown, &["pagedown"], "Scroll down one page", None),
    fixed(HelpModal, C::ScrollPageUp, &["pageup"], "Scroll up one page", None),
    fixed(HelpModal, C::Quit, &["ctrl-c"], "Quit", None),
    fixed(ColumnsModal, C::Up, &["up", "k"], "Move the cursor up", None),
    fixed(ColumnsModal, C::Down, &["down", "j"], "Move the cursor down", None),
    fixed(ColumnsModal, C::Toggle, &["space", "enter"], "Show or hide the column", Some("show/hide")),
    fixed(ColumnsModal, C::MoveEarlier, &["["], "Move the column left", Some("move")),
    fixed(ColumnsModal, C::MoveLater, &["]"], "Move the column right", Some("move")),
    Binding {
        context: ColumnsModal,
        command: C::Close,
        keys: Keys::FixedAndTree(&["esc", "q"], C::Columns),
        help: "Close the picker (the choice stays until swarmtop quits)",
        hint: Some("close"),
    },
    fixed(ColumnsModal, C::Quit, &["ctrl-c"], "Quit", None),
    fixed(SignalMenu, C::Up, &["up", "k"], "Move to the signal above", None),
    fixed(SignalMenu, C::Down, &["down", "j"], "Move to the signal below", None),
    fixed(SignalMenu, C::PageUp, &["pageup"], "Move up one page", None),
    fixed(SignalMenu, C::PageDown, &["pagedown"], "Move down one page", None),
    fixed(SignalMenu, C::Top, &["home", "g"], "Go to the first signal", None),
    fixed(SignalMenu, C::Bottom, &["end", "G"], "Go to the last signal", None),
    fixed(
        SignalMenu,
        C::Press,
        &["enter"],
        "Choose the signal: its confirmation opens (Cancel focused)",
        Some("choose"),
    ),
    Binding {
        context: SignalMenu,
        command: C::Close,
        keys: Keys::FixedAndTree(&["esc", "q"], C::SignalMenu),
        help: "Close the menu: nothing is sent",
        hint: Some("close"),
    },
    fixed(SignalMenu, C::Quit, &["ctrl-c"], "Quit", None),
    fixed(
        KillConfirm,
        C::FocusPrevious,
        &["left", "h", "backtab"],
        "Focus the button on the left",
        Some("choose"),
    ),
    fixed(KillConfirm, C::FocusNext, &["right", "l", "tab"], "Focus the button on the right", Some("choose")),
    fixed(
        KillConfirm,
        C::Press,
        &["enter"],
        "Press the focused button (Cancel is focused first)",
        Some("confirm"),
    ),
    fixed(
        KillConfirm,
        C::Close,
        &["esc", "n", "q"],
        "Cancel: close without signalling anything",
        Some("cancel"),
    ),
    fixed(KillConfirm, C::NiceUp, &["+", "="], "Renice: one more (lower priority)", None),
    fixed(KillConfirm, C::NiceDown, &["-"], "Renice: one less (higher priority; needs privilege)", None),
    fixed(KillConfirm, C::ScrollDown, &["down", "j"], "Scroll the list down", None),
    fixed(KillConfirm, C::ScrollUp, &["up", "k"], "Scroll the list up", None),
    fixed(KillConfirm, C::ScrollPageDown, &["pagedown"], "Scroll the list down one page", None),
    fixed(KillConfirm, C::ScrollPageUp, &["pageup"], "Scroll the list up one page", None),
    fixed(KillConfirm, C::Quit, &["ctrl-c"], "Quit", None),
    fixed(
        KillRunning,
        C::Quit,
        &["ctrl-c"],
        "Quit: the kill stops and continues every process it stopped first",
        None,
    ),
    fixed(KillReport, C::Close, &["enter", "esc", "q"], "Close the report", None),
    fixed(KillReport, C::ScrollDown, &["down", "j"], "Scroll the report down", None),
    fixed(KillReport, C::ScrollUp, &["up", "k"], "Scroll the report up", None),
    fixed(KillReport, C::ScrollPageDown, &["pagedown"], "Scroll the report down one page", None),
    fixed(KillReport, C::ScrollPageUp, &["pageup"], "Scroll the report up one page", None),
    fixed(KillReport, C::Quit, &["ctrl-c"], "Quit", None),
    fixed(
        QuitConfirm,
        C::FocusPrevious,
        &["left", "h", "backtab"],
        "Focus the button on the left",
        Some("choose"),
    ),
    fixed(QuitConfirm, C::FocusNext, &["right", "l", "tab"], "Focus the button on the right", Some("choose")),
    fixed(
        QuitConfirm,
        C::Press,
        &["enter"],
        "Press the focused button (Cancel is focused first)",
        Some("confirm"),
    ),
    fixed(QuitConfirm, C::Close, &["esc", "n"], "Cancel: back to the tree", Some("cancel")),
    fixed(QuitConfirm, C::Quit, &["ctrl-c"], "Quit at once, leaving them stopped", None),
];

/// The bindings of one context, in table order.
pub fn bindings(context: Context) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| b.context == context)
}

#[cfg(test)]
#[path = "command_tests.rs"]
mod tests;
