//! Other boxes in the TUI (`--host`): a pane per box with its status and forest, a host
//! row above each box's projects, and kills planned and carried out on that box. The
//! rows of one box are built as for a single box and then hung under its host row, so
//! everything below a host row reads as it would alone.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use super::action::{Effect, Modal};
use super::app::App;
use super::app_kill::KillScope;
use super::history::History;
use super::kill_modal::{KillModal, KillState, RemoteKill};
use super::rows::{Expansion, Guide, Row, RowId, RowKind, RowOptions, all_ids, build_rows};
use crate::kill::exec::KillReport;
use crate::kill::plan::Narrowing;
use crate::model::text::sanitize;
use crate::model::{Filter, Forest, Rollup};
use crate::remote::host::HostStatus;
use crate::remote::link::Update;
use crate::remote::protocol::{CAP_KILL, PlanRequest};

/// Another box as the TUI shows it.
#[derive(Debug, Clone)]
pub struct RemotePane {
    /// As given to `--host`: what its host row and `host:NAME/` ids say.
    pub name: String,
    pub status: HostStatus,
    /// The last forest that came (kept, marked stale, while the connection is down).
    pub forest: Arc<Forest>,
    pub sampled: bool,
    /// The far side carries out kills (its hello: not read-only).
    pub kills: bool,
    /// The far side's own sampling: its last error, a stall there.
    pub sampling: Option<String>,
    /// The last problem with the connection worth a line (a message it could not read).
    pub notice: Option<String>,
    pub expansion: Expansion,
    pub history: History,
}

impl RemotePane {
    pub fn new(name: &str) -> RemotePane {
        RemotePane {
            name: name.to_string(),
            status: HostStatus::Connecting,
            forest: Arc::new(Forest::default()),
            sampled: false,
            kills: false,
            sampling: None,
            notice: None,
            expansion: Expansion::default(),
            history: History::default(),
        }
    }
}

/// A request to another box the TUI waits for: a plan, then its kill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    pub host: usize,
    pub request: u64,
}

pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl App {
    /// The forest of row host `host` (0: this box).
    pub fn forest_of(&self, host: u16) -> &Arc<Forest> {
        match usize::from(host).checked_sub(1).and_then(|i| self.remotes.get(i)) {
            Some(pane) => &pane.forest,
            None => &self.forest,
        }
    }

    pub fn history_of(&self, host: u16) -> &History {
        match usize::from(host).checked_sub(1).and_then(|i| self.remotes.get(i)) {
            Some(pane) => &pane.history,
            None => &self.history,
        }
    }

    pub(super) fn expansion_mut(&mut self, host: u16) -> &mut Expansion {
        match usize::from(host).checked_sub(1) {
            Some(i) if i < self.remotes.len() => &mut self.remotes[i].expansion,
            _ => &mut self.expansion,
        }
    }

    /// What one box's link reported.
    pub fn remote_update(&mut self, i: usize, update: Update) -> Effect {
        let Some(name) = self.remotes.get(i).map(|p| p.name.clone()) else { return Effect::None };
        let show_other = self.show_other;
        let pane = &mut self.remotes[i];
        match update {
            Update::Status(status) => pane.status = status,
            Update::Hello(hello) => {
                pane.kills = !hello.read_only && hello.capabilities.iter().any(|c| c == CAP_KILL)
            }
            Update::Sampling { stalled_since_ms, error, .. } => {
                pane.sampling = error.or_else(|| {
                    stalled_since_ms.map(|ms| format!("sampling stalled there since {}", clock(ms)))
                })
            }
            Update::Notice(text) => pane.notice = Some(text),
            Update::Forest(forest) => {
                pane.history.record(&forest, show_other);
                let same = pane.sampled && forest.same_content(&pane.forest);
                if !same && !pane.expansion.flipped.is_empty() {
                    let live = all_ids(&forest);
                    pane.expansion.flipped.retain(|id| live.contains(id));
                }
                pane.forest = forest;
                pane.sampled = true;
                if same {
                    self.dirty = self.detail;
                    return Effect::None;
                }
            }
            Update::Plan { request, id, plan } => {
                if self.pending_plan != Some(Pending { host: i, request }) {
                    return Effect::None;
                }
                self.pending_plan = None;
                self.status = None;
                let mut modal = KillModal::new(*plan, 0, self.kill_operation());
                modal.remote = Some(RemoteKill { host: i, name, id, request: None });
                self.modal = Some(Modal::Kill(Box::new(modal)));
                return Effect::None;
            }
            Update::Refused { request, message } => {
                let asked = Pending { host: i, request };
                if self.pending_plan == Some(asked) {
                    self.pending_plan = None;
                    self.status = Some(format!("{}: {}", sanitize(&name), sanitize(&message)));
                } else if self.running_remote() == Some(asked) {
                    let mut report = KillReport::new(self.kill_operation());
                    report.warnings.push(format!("{name}: {message}"));
                    return self.kill_done(report);
                }
                return Effect::None;
            }
            Update::Progress { request, progress } => {
                if self.running_remote() == Some(Pending { host: i, request }) {
                    self.kill_progress(progress);
                }
                return Effect::None;
            }
            Update::Report { request, report } => {
                if self.running_remote() != Some(Pending { host: i, request }) {
                    return Effect::None;
                }
                self.kill_done(*report);
                return Effect::RemoteRefresh(i);
            }
        }
        self.rebuild();
        Effect::None
    }

    /// The remote kill the kill modal is running, if it is one.
    fn running_remote(&self) -> Option<Pending> {
        let Some(Modal::Kill(modal)) = &self.modal else { return None };
        let remote = modal.remote.as_ref()?;
        matches!(modal.state, KillState::Running { .. })
            .then_some(())
            .and(remote.request.map(|request| Pending { host: remote.host, request }))
    }

    /// `x`, `X`, `K` and `O`: on a row of another box, a plan asked of that box.
    pub(super) fn kill_command(&mut self, scope: KillScope) -> Effect {
        let host = self.selected_row().map_or(0, |r| r.host);
        let Some(i) = usize::from(host).checked_sub(1) else {
            self.open_kill(scope);
            return Effect::None;
        };
        let name = self.remotes.get(i).map(|p| p.name.clone()).unwrap_or_default();
        let why_not = match self.remotes.get(i) {
            _ if scope == KillScope::Orphans => Some("O (reap) works on this box only".to_string()),
            _ if scope == KillScope::Port => Some("P (a port's holders) works on this box only".to_string()),
            _ if !self.tags.is_empty() => Some("tags are of this box: U clears them first".to_string()),
            Some(p) if !p.status.is_connected() => Some(format!("{name} is not connected")),
            Some(p) if !p.kills => Some(format!("{name} serves read-only: kills are disabled there")),
            _ => None,
        };
        if let Some(why) = why_not {
            self.status = Some(sanitize(&why).into_owned());
            return Effect::None;
        }
        let target = match self.kill_target(scope) {
            Ok(t) => t,
            Err(msg) => {
                self.status = Some(msg);
                return Effect::None;
            }
        };
        self.next_request += 1;
        let request = self.next_request;
        self.pending_plan = Some(Pending { host: i, request });
        self.status = Some(format!("planning on {}…", sanitize(&name)));
        let narrowing = Narrowing { keep_agents: scope == KillScope::KeepAgents, ..Narrowing::default() };
        Effect::RemotePlan { host: i, request, kill: PlanRequest { targets: vec![target], narrowing } }
    }

    /// The rows of every box: a host row each, its own rows below.
    pub(super) fn build_host_rows(&mut self, filter: &Filter) {
        let now = now_ms();
        let mut rows = std::mem::take(&mut self.rows);
        rows.clear();
        let mut scratch = Vec::new();
        let mut sections: Vec<(u16, String, String, Rollup, bool)> = Vec::new();
        if self.show_local {
            let f = &self.forest;
            sections.push((0, f.host.clone(), "this box".into(), f.totals, self.sampled));
        }
        for (i, p) in self.remotes.iter().enumerate() {
            let mut note = p.status.text(now);
            for extra in [&p.sampling, &p.notice].into_iter().flatten() {
                note.push_str(&format!(" · {extra}"));
            }
            let host = u16::try_from(i + 1).unwrap_or(u16::MAX);
            sections.push((host, p.name.clone(), note, p.forest.totals, p.sampled));
        }
        for (host, label, note, totals, sampled) in sections {
            let id = RowId::Host(host);
            let open = self.expansion.is_open(&id);
            let at = rows.len();
            rows.push(Row {
                host,
                id,
                kind: RowKind::Host,
                depth: 0,
                parent: None,
                has_children: sampled,
                expanded: sampled && open,
                label: sanitize(&label).into(),
                note: sanitize(&note).into(),
                pid: None,
                shown: totals,
                orphan: false,
                state: None,
                user: None,
                nice: 0,
                threads: 0,
                agent: None,
                new: false,
                agent_status: None,
                ports: "".into(),
                guide: Guide::default(),
            });
            if !(sampled && open) {
                continue;
            }
            let opts = RowOptions {
                filter,
                sort: self.sort,
                reverse: self.reverse,
                memory: self.memory,
                show_other: self.show_other,
                orphans_only: self.orphans_only,
                waiting_only: self.waiting_only,
                // New and exited processes are highlighted on this box only.
                changes: if host == 0 { Some(&self.changes) } else { None },
                expansion: if host == 0 {
                    &self.expansion
                } else {
                    &self.remotes[usize::from(host) - 1].expansion
                },
            };
            build_rows(self.forest_of(host), &opts, &mut scratch);
            hang_under(&mut rows, at, host, &mut scratch);
        }
        self.rows = rows;
    }
}

/// Appends `below` (one box's rows, as built alone) under the host row at `at`: one
/// level deeper, their top rows children of the host row, guides made again.
fn hang_under(rows: &mut Vec<Row>, at: usize, host: u16, below: &mut Vec<Row>) {
    let offset = at + 1;
    let tops = below.iter().filter(|r| r.parent.is_none()).count();
    let mut seen_tops = 0;
    for mut row in below.drain(..) {
        row.host = host;
        row.depth = row.depth.saturating_add(1);
        let parent = match row.parent {
            Some(p) => p as usize + offset,
            None => {
                seen_tops += 1;
                row.guide.last = seen_tops == tops;
                at
            }
        };
        row.parent = u32::try_from(parent).ok();
        row.guide = Guide::below(&rows[parent], row.guide.last);
        rows.push(row);
    }
}

fn clock(ms: u64) -> String {
    crate::model::text::utc_clock(ms / 1000)
}

#[cfg(test)]
#[path = "hosts_tests.rs"]
mod tests;
