//! The kinds a forest's nodes carry: which rule placed a process, where an attempt was
//! found, which agent a process is.

use super::agent::AgentKind;

/// Which association rule placed a process in its attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssignedBy {
    Registry,
    Env,
    Cwd,
    Inherited,
}

impl AssignedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            AssignedBy::Registry => "registry",
            AssignedBy::Env => "env",
            AssignedBy::Cwd => "cwd",
            AssignedBy::Inherited => "inherited",
        }
    }
}

/// Where an attempt was discovered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttemptSource {
    Git,
    /// Named by `SWARMTOP_*` environment tags.
    Env,
    /// Started by `swarmtop run`.
    Registry,
    /// Matched a `[[layout]]` pattern of the config.
    Layout,
    /// A vibe-kanban workspace (`<base>/worktrees/<hex>-<slug>/<repo>`).
    VibeKanban,
    /// A claude-squad worktree (`~/.claude-squad/worktrees/<branch>_<hex>`).
    ClaudeSquad,
    /// A KILD (formerly shards) session file.
    Kild,
    /// A script Script Kit runs (its active-pids files).
    ScriptKit,
    /// A worktree `claude --worktree <name>` made (`<repo>/.claude/worktrees/<name>`).
    Claude,
    /// A Codex app worktree (`$CODEX_HOME/worktrees/<id>/<project>`, detached HEAD).
    Codex,
    /// A Conductor workspace (`~/conductor/workspaces/<repo>/<name>`, or `<repo>/.conductor/<name>`).
    Conductor,
    /// An uzi agent's worktree (`~/.local/share/uzi/worktrees/<agent>-<proj>-<hash>-<ts>-<i>`).
    Uzi,
    /// A container-use environment's worktree (`~/.config/container-use/worktrees/<env>`).
    ContainerUse,
}

impl AttemptSource {
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptSource::Git => "git",
            AttemptSource::Env => "env",
            AttemptSource::Registry => "registry",
            AttemptSource::Layout => "layout",
            AttemptSource::VibeKanban => "vibe-kanban",
            AttemptSource::ClaudeSquad => "claude-squad",
            AttemptSource::Kild => "kild",
            AttemptSource::ScriptKit => "script-kit",
            AttemptSource::Claude => "claude",
            AttemptSource::Codex => "codex",
            AttemptSource::Conductor => "conductor",
            AttemptSource::Uzi => "uzi",
            AttemptSource::ContainerUse => "container-use",
        }
    }
}

/// A recognised agent CLI, with its Claude session when one is linked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AgentInfo {
    pub kind: AgentKind,
    pub session_id: Option<String>,
    pub session_name: Option<String>,
    /// Claude's own `idle|busy|shell|waiting`.
    pub status: Option<String>,
    /// When the status last changed, by the agent's own file (ms since the epoch).
    pub status_since_ms: Option<u64>,
    /// What a waiting agent waits for, by its own file.
    pub waiting_for: Option<String>,
    /// Its tmux pane by its own file (`session:@window.%pane`).
    pub tmux: Option<String>,
}

impl AgentInfo {
    /// The agent waits for its user (a prompt, a permission, a dialog).
    pub fn waits(&self) -> bool {
        self.status.as_deref() == Some("waiting")
    }

    /// `claude`, or `claude busy` when its session says so.
    pub fn tag(&self) -> String {
        match &self.status {
            Some(status) => format!("{} {status}", self.kind),
            None => self.kind.to_string(),
        }
    }
}
