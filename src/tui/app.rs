//! The TUI's state and its one update function: Action in, state changed, Effect out.

use std::sync::Arc;
use std::time::SystemTime;

use ratatui::crossterm::event::{KeyCode, KeyEvent, MouseEvent, MouseEventKind};

use super::action::{Action, Effect, Modal};
use super::app_kill::{DEFAULT_NICE, KillScope};
use super::changes::Changes;
use super::command::{Command, Context};
use super::history::History;
use super::keymap::Keymap;
use super::paused::PausedByUs;
use super::rows::{Expansion, Row, RowId, RowOptions, all_ids, build_rows};
use super::tags::Tags;
use crate::config::{Column, Config, Theme, TreeGuides};
use crate::kill::operation::Operation;
use crate::kill::plan::PlanContext;
use crate::model::sort::SortKey;
use crate::model::usage::{Inspection, Measure, MemoryMode};
use crate::model::{Filter, Forest, ProcKey};

/// What a destructive command says in read-only mode.
pub const READ_ONLY: &str = "read-only: kills and every other action on processes are disabled";

pub struct App {
    pub keymap: Keymap,
    pub theme: Theme,
    pub tree_guides: TreeGuides,
    /// The data columns after NAME, in order; the column picker edits them.
    pub columns: Vec<Column>,
    pub read_only: bool,
    pub refresh_ms: u64,
    pub forest: Arc<Forest>,
    /// False until the first forest arrives.
    pub sampled: bool,
    pub rows: Vec<Row>,
    pub selected: usize,
    /// The selected row and its ancestors, root first, to find a place after refreshes.
    /// (with their box: two boxes can have the same ids).
    pub(super) selected_path: Vec<(u16, RowId)>,
    /// First visible row.
    pub offset: usize,
    /// Visible table rows, set by the view on every draw.
    pub page: usize,
    /// Screen row of the first table row, set by the view, for mouse clicks.
    pub table_top: u16,
    pub filter_text: String,
    pub filter_editing: bool,
    pub sort: SortKey,
    pub reverse: bool,
    /// How memory is counted (`m` toggles).
    pub memory: MemoryMode,
    /// The latest look at a selected process's memory and I/O, for the detail pane
    /// (it may be of a process selected before: the pane checks).
    pub inspection: Option<Arc<Inspection>>,
    pub show_other: bool,
    pub orphans_only: bool,
    /// Only attempts whose agent waits for its user (`w`).
    pub waiting_only: bool,
    pub paused: bool,
    pub detail: bool,
    pub expansion: Expansion,
    /// New and exited processes, highlighted for a few refreshes.
    pub changes: Changes,
    /// The process the selection follows (`F`), whatever the order or tree does.
    pub follow: Option<ProcKey>,
    /// Tagged scopes: with any, every action acts on all of them.
    pub tags: Tags,
    /// Processes this TUI paused that are still stopped.
    pub paused_by_us: PausedByUs,
    /// Quit once the running action (resuming what was paused) succeeds.
    pub quit_after_action: bool,
    /// What to say on stderr once the TUI has ended and the terminal is restored.
    pub farewell: Vec<String>,
    pub modal: Option<Modal>,
    pub history: History,
    /// The sampler's last error, shown in the footer until a sample succeeds.
    pub sampler_error: Option<String>,
    /// Set while a sample has been running too long: what is shown is older than this.
    pub stalled_since: Option<SystemTime>,
    /// Problems with state files (registry, session files, databases), newest last.
    pub notices: Vec<String>,
    /// A one-off message for the footer (read-only, nothing to kill, last kill's result).
    pub status: Option<String>,
    /// Who is killing: swarmtop's ancestry, uid, protected names.
    pub plan_context: PlanContext,
    /// Attempts this TUI saw an agent in, while they last (`remember_agents`): a reap
    /// takes all of such an attempt once its agent has exited.
    pub agents_seen: Vec<(crate::model::AttemptId, std::path::PathBuf)>,
    pub grace_secs: u64,
    /// Other boxes (`--host`), each under a host row of its own (row host `i + 1`).
    pub remotes: Vec<super::hosts::RemotePane>,
    /// This box is shown (not `--no-local`); with other boxes, under its host row.
    pub show_local: bool,
    /// The plan asked of another box, until it comes.
    pub pending_plan: Option<super::hosts::Pending>,
    pub next_request: u64,
    /// Set when the screen must be redrawn.
    pub dirty: bool,
}

impl App {
    pub fn new(config: &Config, keymap: Keymap) -> App {
        App {
            keymap,
            theme: config.theme,
            tree_guides: config.tree_guides,
            columns: config.columns.clone(),
            read_only: config.read_only,
            refresh_ms: config.refresh_ms,
            forest: Arc::new(Forest::default()),
            sampled: false,
            rows: Vec::new(),
            selected: 0,
            selected_path: Vec::new(),
            offset: 0,
            page: 20,
            table_top: 0,
            filter_text: String::new(),
            filter_editing: false,
            sort: config.sort,
            reverse: false,
            memory: config.memory,
            inspection: None,
            show_other: false,
            orphans_only: false,
            waiting_only: false,
            paused: false,
            detail: false,
            expansion: Expansion::default(),
            changes: Changes::new(config.highlight_refreshes),
            follow: None,
            tags: Tags::default(),
            paused_by_us: PausedByUs::default(),
            quit_after_action: false,
            farewell: Vec::new(),
            modal: None,
            history: History::default(),
            sampler_error: None,
            stalled_since: None,
            notices: Vec::new(),
            status: None,
            plan_context: PlanContext { protect: config.kill.protect.clone(), ..PlanContext::default() },
            agents_seen: Vec::new(),
            grace_secs: config.kill.grace_secs,
            remotes: Vec::new(),
            show_local: true,
            pending_plan: None,
            next_request: 0,
            dirty: true,
        }
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.rows.get(self.selected)
    }

    /// What the sampler must measure for what is shown: PSS in pss mode, I/O while the
    /// IO column is chosen or sorts.
    pub fn measure(&self) -> Measure {
        let io = self.columns.contains(&Column::Io) || self.sort == SortKey::Io;
        Measure { ports: true, io, memory: self.memory }
    }

    /// The process the detail pane shows, to be measured off the UI thread (one of this
    /// box's: another box's process is not looked at from here).
    pub fn inspected(&self) -> Option<ProcKey> {
        let row = self.selected_row().filter(|r| self.detail && r.host == 0)?;
        match &row.id {
            RowId::Process(key) => Some(*key),
            _ => None,
        }
    }

    /// What has the input focus, and so which bindings apply.
    pub fn context(&self) -> Context {
        match &self.modal {
            Some(Modal::Kill(modal)) => modal.context(),
            Some(Modal::Help { .. }) => Context::HelpModal,
            Some(Modal::Columns { .. }) => Context::ColumnsModal,
            Some(Modal::Signals { .. }) => Context::SignalMenu,
            Some(Modal::Quit(_)) => Context::QuitConfirm,
            None if self.filter_editing => Context::Filter,
            None => Context::Tree,
        }
    }

    /// Maps a key to an action through the bindings of the current context.
    pub fn action_for_key(&self, key: &KeyEvent) -> Option<Action> {
        match self.keymap.command_in(self.context(), key)? {
            Command::FilterType => match key.code {
                KeyCode::Char(c) => Some(Action::FilterInput(c)),
                _ => None,
            },
            command => Some(Action::Command(command)),
        }
    }

    pub fn action_for_mouse(&self, m: &MouseEvent) -> Option<Action> {
        match m.kind {
            MouseEventKind::Down(_) => Some(Action::Click(m.row)),
            MouseEventKind::ScrollDown => Some(Action::Scroll(3)),
            MouseEventKind::ScrollUp => Some(Action::Scroll(-3)),
            _ => None,
        }
    }

    pub fn update(&mut self, action: Action) -> Effect {
        self.dirty = true;
        // The status line says how the last kill went until the user does something else.
        let keeps_status = match action {
            Action::NewForest(_) | Action::KillProgress(_) | Action::KillDone(_) | Action::Remote(..) => true,
            Action::Command(_) => matches!(self.modal, Some(Modal::Kill(_))),
            _ => false,
        };
        if !keeps_status {
            self.status = None;
        }
        match action {
            Action::KillProgress(p) => self.kill_progress(p),
            Action::KillDone(report) => return self.kill_done(report),
            Action::Remote(i, update) => return self.remote_update(i, update),
            Action::Command(c) => return self.command(c),
            // The feed republished the forest shown (with a stall or an error): no new sample.
            Action::NewForest(forest) if self.sampled && Arc::ptr_eq(&forest, &self.forest) => {}
            Action::NewForest(forest) => {
                self.history.record(&forest, self.show_other);
                self.paused_by_us.update(&forest);
                self.remember_agents(&forest);
                // An idle box: same processes, same numbers. Nothing to rebuild or draw
                // (the detail pane's sparklines moved, though).
                if self.sampled && forest.same_content(&self.forest) {
                    self.forest = forest;
                    // The detail pane's sparklines and the agents' times moved.
                    self.dirty = self.detail || self.changes.has_agents();
                    // Highlights age by refreshes, also idle ones.
                    if self.changes.tick() {
                        self.rebuild();
                        self.dirty = true;
                    }
                    return Effect::None;
                }
                self.changes.record(&self.forest, &forest, self.show_other);
                // Forget expansion exceptions and tags of rows that are gone (nothing to do
                // without any).
                if !self.expansion.flipped.is_empty() || !self.tags.is_empty() {
                    let live = all_ids(&forest);
                    // Host rows are not in a forest: their state stays.
                    self.expansion.flipped.retain(|id| matches!(id, RowId::Host(_)) || live.contains(id));
                    self.drop_stale_tags(&live);
                }
                self.forest = forest;
                self.sampled = true;
                self.rebuild();
            }
            Action::Resize => self.scroll_into_view(),
            Action::Tick => self.rebuild(),
            Action::Click(y) => {
                self.follow = None;
                if let Some(i) = y.checked_sub(self.table_top).map(|d| self.offset + usize::from(d)) {
                    if i < self.rows.len() {
                        self.select(i);
                    }
                }
            }
            Action::Scroll(delta) => {
                self.follow = None;
                self.move_by(delta as isize);
            }
            Action::FilterInput(c) => {
                self.filter_text.push(c);
                self.rebuild();
            }
        }
        Effect::None
    }

    fn command(&mut self, c: Command) -> Effect {
        if self.read_only && c.is_destructive() {
            self.status = Some(READ_ONLY.into());
            return Effect::None;
        }
        if let (Some(Modal::Columns { line }), false) = (&self.modal, c == Command::Quit) {
            self.columns_command(*line, c);
            return Effect::None;
        }
        if let (Some(Modal::Signals { line, .. }), false) = (&self.modal, c == Command::Quit) {
            self.signal_menu_command(*line, c);
            return Effect::None;
        }
        // Moving the selection by hand stops following.
        if matches!(
            c,
            Command::Up
                | Command::Down
                | Command::PageUp
                | Command::PageDown
                | Command::Top
                | Command::Bottom
        ) || (c == Command::Collapse && self.selected_row().is_some_and(|r| !r.expanded))
        {
            self.follow = None;
        }
        match c {
            Command::Quit => return self.quit(),
            Command::Up => self.move_by(-1),
            Command::Down => self.move_by(1),
            Command::PageUp => self.move_by(-(self.page.max(1) as isize)),
            Command::PageDown => self.move_by(self.page.max(1) as isize),
            Command::Top => self.select(0),
            Command::Bottom => self.select(self.rows.len().saturating_sub(1)),
            Command::Expand => self.set_open(true),
            Command::Collapse => self.collapse_or_parent(),
            Command::Toggle => {
                let open = self.selected_row().is_some_and(|r| r.expanded);
                self.set_open(!open);
            }
            Command::ExpandAll
            | Command::CollapseAll
            | Command::Filter
            | Command::ClearFilter
            | Command::SortNext
            | Command::SortReverse
            | Command::ToggleOther
            | Command::OrphansOnly
            | Command::WaitingOnly
            | Command::MemoryMode
            | Command::FilterType
            | Command::FilterKeep
            | Command::FilterDelete
            | Command::FilterCancel => self.view_command(c),
            Command::Pause => {
                self.paused = !self.paused;
                return Effect::SetPaused(self.paused);
            }
            Command::Detail => self.detail = !self.detail,
            Command::Columns => self.modal = Some(Modal::Columns { line: 0 }),
            Command::Follow => self.toggle_follow(),
            Command::Jump => return self.jump_request(),
            // Only the column picker moves columns (above).
            Command::MoveEarlier | Command::MoveLater => {}
            Command::Help => self.modal = Some(Modal::Help { scroll: 0 }),
            Command::Kill => return self.kill_command(KillScope::Node),
            Command::KillTree => return self.kill_command(KillScope::Tree),
            Command::KillOrphans => return self.kill_command(KillScope::Orphans),
            Command::PauseProcesses => self.open_action(KillScope::Tree, Operation::Pause),
            Command::ResumeProcesses => self.open_action(KillScope::Tree, Operation::Resume),
            Command::Renice => self.open_action(KillScope::Tree, Operation::Renice { nice: DEFAULT_NICE }),
            Command::SignalMenu => self.open_signal_menu(),
            Command::Tag => self.toggle_tag(),
            Command::TagBelow => self.tag_below(),
            Command::UntagAll => self.untag_all(),
            Command::KillKeepAgents => return self.kill_command(KillScope::KeepAgents),
            Command::KillPort => return self.kill_command(KillScope::Port),
            Command::Close
            | Command::ScrollUp
            | Command::ScrollDown
            | Command::ScrollPageUp
            | Command::ScrollPageDown
            | Command::FocusPrevious
            | Command::FocusNext
            | Command::NiceUp
            | Command::NiceDown
            | Command::Press => return self.modal_command(c),
        }
        Effect::None
    }

    /// Recomputes the rows and keeps the selection on the same row, or on its nearest
    /// surviving ancestor when it vanished.
    pub fn rebuild(&mut self) {
        self.build();
        self.keep_following();
        let screen_line = self.selected.saturating_sub(self.offset);
        let survivor = self.survivor();
        match survivor {
            // The same row: keep it on the same screen line.
            Some((depth, i)) if depth + 1 == self.selected_path.len() => {
                self.selected = i;
                self.offset = i.saturating_sub(screen_line);
                self.scroll_into_view();
            }
            Some((_, i)) => self.select(i),
            None => self.select(self.selected.min(self.rows.len().saturating_sub(1))),
        }
        // Where the selected row is now: its nearest ancestor is the one that takes
        // the selection if it vanishes (a process re-parented has new ancestors).
        if let Some(i) = (self.selected < self.rows.len()).then_some(self.selected) {
            self.selected_path = self.path_of(i);
        }
    }

    /// The rows of the forest as the filter, sort, toggles and expansion show it.
    pub(super) fn build(&mut self) {
        let filter = Filter::new(&self.filter_text);
        let mut rows = std::mem::take(&mut self.rows);
        let opts = RowOptions {
            filter: &filter,
            sort: self.sort,
            reverse: self.reverse,
            memory: self.memory,
            show_other: self.show_other,
            orphans_only: self.orphans_only,
            waiting_only: self.waiting_only,
            expansion: &self.expansion,
            changes: Some(&self.changes),
        };
        if self.remotes.is_empty() {
            build_rows(&self.forest, &opts, &mut rows);
            self.rows = rows;
        } else {
            self.rows = rows;
            self.build_host_rows(&filter);
        }
    }
}
