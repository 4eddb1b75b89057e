//! `list --host …`: this box (unless `--no-local`) and every other box over ssh, each
//! with its status; ids gain `host:NAME/` when more than one box is shown.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::list::{ListArgs, shown, terminal_width, write_stdout};
use super::{CliError, json, text};
use crate::config::{Config, ssh_words};
use crate::model::Forest;
use crate::remote::host::{HostSpec, HostStatus};
use crate::remote::link::{Link, Timing, Update};
use crate::remote::transport::{Ssh, Transport};

/// The boxes a command shows.
pub struct HostSet {
    pub local: bool,
    pub remotes: Vec<HostSpec>,
    pub transport: Arc<dyn Transport>,
    pub timing: Timing,
}

impl HostSet {
    pub fn new(config: &Config, local: bool) -> Result<HostSet, CliError> {
        // Checked when the config was resolved; re-reading them cannot fail.
        let remotes: Vec<HostSpec> = config.hosts.iter().filter_map(|h| h.parse().ok()).collect();
        if !local && remotes.is_empty() {
            return Err(CliError::Usage("--no-local leaves nothing to show: add --host HOST".into()));
        }
        let command = ssh_words(&config.ssh_command).map_err(CliError::Usage)?;
        let transport =
            Arc::new(Ssh { command, remote: config.remote_command.clone(), refresh_ms: config.refresh_ms });
        let timing = Timing::for_refresh(Duration::from_millis(config.refresh_ms));
        Ok(HostSet { local, remotes, transport, timing })
    }

    pub fn shows_several(&self) -> bool {
        self.remotes.len() + usize::from(self.local) > 1
    }

    /// A link per remote host, all reporting on one channel.
    pub fn connect(&self) -> (Vec<Link>, UnboundedReceiver<(usize, Update)>) {
        let (tx, rx) = unbounded_channel();
        let links = self
            .remotes
            .iter()
            .enumerate()
            .map(|(i, h)| Link::start(i, h.clone(), Arc::clone(&self.transport), self.timing, tx.clone()))
            .collect();
        (links, rx)
    }
}

/// One box as `list` shows it: its status, its last forest if any, and what went wrong.
#[derive(Debug, Clone)]
pub struct HostView {
    pub name: String,
    /// `connected`, `connecting`, `stale`, `reconnecting` or `failed`.
    pub status: &'static str,
    pub error: Option<String>,
    pub forest: Option<Arc<Forest>>,
}

impl HostView {
    pub fn new(name: &str) -> HostView {
        HostView { name: name.to_string(), status: "connecting", error: None, forest: None }
    }

    /// What `update` says about this box.
    pub fn update(&mut self, update: Update, now_ms: u64) {
        match update {
            Update::Forest(f) => self.forest = Some(f),
            Update::Status(s) => {
                self.status = match &s {
                    HostStatus::Connecting => "connecting",
                    HostStatus::Connected => "connected",
                    HostStatus::Stale { .. } => "stale",
                    HostStatus::Reconnecting { .. } => "reconnecting",
                    HostStatus::Failed { .. } => "failed",
                };
                self.error = (!s.is_connected()).then(|| s.text(now_ms));
            }
            _ => {}
        }
    }
}

/// Waits for every remote's first forest, or its failure (then it is not tried again).
pub fn first_forests(set: &HostSet, mut updates: UnboundedReceiver<(usize, Update)>) -> Vec<HostView> {
    let mut views: Vec<HostView> = set.remotes.iter().map(|h| HostView::new(&h.name)).collect();
    let settled = |v: &HostView| v.forest.is_some() || matches!(v.status, "failed" | "reconnecting");
    let deadline = tokio::time::Instant::now() + set.timing.hello_within + Duration::from_secs(15);
    if let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_time().build() {
        runtime.block_on(async {
            while !views.iter().all(settled) {
                let Ok(Some((i, update))) = tokio::time::timeout_at(deadline, updates.recv()).await else {
                    break;
                };
                if let Some(v) = views.get_mut(i).filter(|v| !settled(v)) {
                    v.update(update, now_ms());
                }
            }
        });
    }
    for v in views.iter_mut().filter(|v| v.forest.is_none()) {
        v.status = "failed";
        v.error.get_or_insert_with(|| "no forest came in time".into());
    }
    views
}

fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// This box as a HostView.
pub fn local_view(forest: Forest) -> HostView {
    HostView { name: forest.host.clone(), status: "connected", error: None, forest: Some(Arc::new(forest)) }
}

/// `list --host …` once: exit 0 when every box answered, 1 when one did not.
pub fn list(args: &ListArgs, config: &Config, set: &HostSet) -> Result<i32, CliError> {
    let (links, updates) = set.connect();
    let mut views = Vec::new();
    if set.local {
        views.push(local_view(super::forest_measured(config, args.io)?));
    }
    views.extend(first_forests(set, updates));
    drop(links);
    write_stdout(&render(args, &views, set.shows_several(), config.memory)?)?;
    Ok(i32::from(views.iter().any(|v| v.forest.is_none())))
}

#[derive(Serialize)]
struct Hosts<'a> {
    schema: u32,
    hosts: Vec<HostEntry<'a>>,
}

#[derive(Serialize)]
struct HostEntry<'a> {
    name: &'a str,
    /// `connected`, `connecting`, `stale`, `reconnecting` or `failed`.
    status: &'static str,
    error: Option<&'a str>,
    /// The box's schema-1 document, the last one that came (`null` before the first).
    document: Option<json::Document<'a>>,
}

/// Text: each box in turn; JSON: `{"schema": 1, "hosts": [...]}`.
/// Text counts memory as `memory` says (another box measures no PSS: marked as RSS).
pub fn render(
    args: &ListArgs,
    views: &[HostView],
    several: bool,
    memory: crate::model::MemoryMode,
) -> Result<String, CliError> {
    let forests: Vec<Option<Forest>> = views
        .iter()
        .map(|v| {
            let f = v.forest.as_ref()?;
            let f = shown(args, f);
            Some(if several { f.with_host_ids(&v.name) } else { f })
        })
        .collect();
    if args.json {
        let hosts = views
            .iter()
            .zip(&forests)
            .map(|(v, f)| HostEntry {
                name: &v.name,
                status: v.status,
                error: v.error.as_deref(),
                document: f.as_ref().map(|f| json::Document::new(f, args.all)),
            })
            .collect();
        let doc = Hosts { schema: 1, hosts };
        let text = if args.watch { serde_json::to_string(&doc) } else { serde_json::to_string_pretty(&doc) };
        let mut s = text.map_err(|e| CliError::Output(e.into()))?;
        s.push('\n');
        return Ok(s);
    }
    let mut out = String::new();
    for (v, f) in views.iter().zip(&forests) {
        if let Some(error) = &v.error {
            let name = crate::model::text::sanitize(&v.name);
            out.push_str(&format!("{name}  {}\n", crate::model::text::sanitize(error)));
        }
        if let Some(f) = f {
            out.push_str(&text::render(f, args.all, terminal_width(), text::Figures { memory, io: args.io }));
        }
        out.push('\n');
    }
    Ok(out)
}
