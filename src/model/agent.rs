//! Recognising agent CLIs and shared agent services from a process's own shape:
//! argv[0], or the script under an interpreter — by basename or by the path an install
//! puts it at, never by a substring of the whole command line (`tail -f
//! notes/claude.log` is no agent). Each shape below names the upstream that makes it.

use std::fmt;

use super::process::Process;

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgentKind {
    Claude,
    Codex,
    Aider,
    Gemini,
    Goose,
    Opencode,
    CursorAgent,
    Amp,
    /// A name from the config's `agents` list.
    Custom(String),
}

impl AgentKind {
    pub fn name(&self) -> &str {
        match self {
            AgentKind::Claude => "claude",
            AgentKind::Codex => "codex",
            AgentKind::Aider => "aider",
            AgentKind::Gemini => "gemini",
            AgentKind::Goose => "goose",
            AgentKind::Opencode => "opencode",
            AgentKind::CursorAgent => "cursor-agent",
            AgentKind::Amp => "amp",
            AgentKind::Custom(name) => name,
        }
    }

    fn from_basename(name: &str, extra: &[String]) -> Option<AgentKind> {
        let kind = match name {
            "claude" | "claude.exe" => AgentKind::Claude,
            "codex" => AgentKind::Codex,
            "aider" => AgentKind::Aider,
            // `bundle/gemini.js` is the npm package's bin (@google/gemini-cli 0.61.0).
            "gemini" | "gemini.js" => AgentKind::Gemini,
            // `goosed` is the Goose desktop app's server, which runs the agent.
            "goose" | "goosed" => AgentKind::Goose,
            // The npm wrapper `bin/opencode` spawns the native binary, which installs
            // keep as `bin/.opencode`, `bin/opencode.exe` or `opencode-<os>-<arch>/bin/opencode`.
            "opencode" | ".opencode" | "opencode.exe" => AgentKind::Opencode,
            "cursor-agent" => AgentKind::CursorAgent,
            other if extra.iter().any(|e| e == other) => AgentKind::Custom(other.to_string()),
            _ => return None,
        };
        Some(kind)
    }
}

impl fmt::Display for AgentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Agent(AgentKind),
    /// Serves several attempts and belongs to none (Codex's app-server daemon,
    /// Claude Code's background-agent daemon and its pty hosts).
    SharedService,
    Plain,
}

const INTERPRETERS: &[&str] = &["node", "nodejs", "bun", "deno", "python", "python3", "ruby"];

fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

fn is_interpreter(argv0: &str) -> bool {
    let name = basename(argv0);
    INTERPRETERS.contains(&name) || name.starts_with("python3.")
}

/// Whether `path` has the directory components `dirs` (`"claude/versions/"`, with its
/// trailing `/`) in a row somewhere before its last component. No allocation: this runs
/// for every process of every refresh.
fn under(path: &str, dirs: &str) -> bool {
    path.match_indices(dirs).any(|(i, _)| {
        let at_component = i == 0 || path.as_bytes()[i - 1] == b'/';
        at_component && path.len() > i + dirs.len()
    })
}

/// The path that names the program: argv[0], or under an interpreter, the script (the
/// first argument that is not an option); and where the program's own arguments start.
fn program_path(p: &Process) -> Option<(&str, usize)> {
    let argv0 = p.facts.cmd.first()?;
    if !is_interpreter(argv0) {
        return Some((argv0, 1));
    }
    p.facts.cmd.iter().enumerate().skip(1).find(|(_, a)| !a.starts_with('-')).map(|(i, a)| (a, i + 1))
}

/// The basename that names the program: argv[0]'s, or under an interpreter, the
/// script's.
pub fn program_name(p: &Process) -> Option<&str> {
    program_path(p).map(|(path, _)| basename(path))
}

/// A version number as the native Claude installer names its binaries (`2.1.282`).
fn is_version(name: &str) -> bool {
    let mut parts = 0;
    for part in name.split('.') {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        parts += 1;
    }
    parts >= 2
}

/// Whether the sampler must read the program's resolved path (its exe, or its script's
/// real path) to tell what it is: a bare `amp` (the Amplitude CLI is `amp` too) and a
/// program named by a bare version number.
pub fn needs_program_path(name: &str) -> bool {
    name == "amp" || is_version(name)
}

/// A path an install of a known agent puts its program at, when the basename alone is
/// not enough or not the agent's name.
fn kind_by_path(path: &str) -> Option<AgentKind> {
    // The native installer runs `~/.local/share/claude/versions/<version>` (argv[0] and
    // exe both; code.claude.com docs, setup).
    if under(path, "claude/versions/") {
        return Some(AgentKind::Claude);
    }
    // `@sourcegraph/amp` on npm: a node script before, now a native `@ampcode/cli/bin/amp.exe`.
    if under(path, "@sourcegraph/amp/") || under(path, "@ampcode/cli/") {
        return Some(AgentKind::Amp);
    }
    if under(path, "@google/gemini-cli/") {
        return Some(AgentKind::Gemini);
    }
    None
}

/// Cursor's CLI (`agent`, formerly `cursor-agent`; cursor.com/docs/cli/installation) is a
/// shell script that runs its bundled `node` on `…/cursor-agent/versions/<v>/index.js`,
/// keeping argv[0] as the name it was called by: recognised by that script path only,
/// never by an argv[0] of `agent`, which is far too generic.
fn is_cursor_agent(p: &Process) -> bool {
    let script = p.facts.cmd.iter().skip(1).find(|a| !a.starts_with('-'));
    script.is_some_and(|s| s.ends_with(".js") && under(s, "cursor-agent/"))
}

fn agent_kind(p: &Process, extra: &[String]) -> Option<AgentKind> {
    if is_cursor_agent(p) {
        return Some(AgentKind::CursorAgent);
    }
    let (path, _) = program_path(p)?;
    let name = basename(path);
    if let Some(kind) = kind_by_path(path) {
        return Some(kind);
    }
    if needs_program_path(name) {
        return p.facts.program_path.as_deref().and_then(kind_by_path);
    }
    AgentKind::from_basename(name, extra)
}

/// Codex's app-server when it serves clients over a socket: the managed daemon the Codex
/// TUI starts (`codex [--enable remote_control] app-server --listen unix:// …
/// --managed-daemon`, openai/codex `app-server-daemon/src/backend/pid.rs`) and its update
/// loop (`app-server daemon pid-update-loop`). vibe-kanban's per-attempt `codex
/// app-server` talks over stdio and is that attempt's agent.
fn is_codex_service(args: &[&str]) -> bool {
    if !args.contains(&"app-server") {
        return false;
    }
    let socket = |v: &str| !v.is_empty() && !v.starts_with("stdio");
    args.iter().enumerate().any(|(i, a)| match *a {
        "--managed-daemon" | "pid-update-loop" | "daemon" => true,
        "--listen" => args.get(i + 1).is_some_and(|v| socket(v)),
        other => other.strip_prefix("--listen=").is_some_and(socket),
    })
}

/// Claude Code's background-agent service (2.1.139+, seen in 2.1.197): the supervisor
/// `claude daemon run …`, one `claude --bg-pty-host <sock> <cols> <rows> -- …` per job,
/// and the pre-started `claude --bg-spare <sock>` worker. A job's own worker (`claude
/// --session-id <id> …`, a child of its pty host) is an agent of its cwd's attempt.
fn is_claude_service(args: &[&str]) -> bool {
    args.first() == Some(&"daemon") || args.contains(&"--bg-pty-host") || args.contains(&"--bg-spare")
}

pub fn classify(p: &Process, extra_agents: &[String]) -> Role {
    let Some(kind) = agent_kind(p, extra_agents) else { return Role::Plain };
    let first = program_path(p).map_or(1, |(_, i)| i);
    let args: Vec<&str> = p.facts.cmd.iter().skip(first).collect();
    let shared = match kind {
        AgentKind::Codex => is_codex_service(&args),
        AgentKind::Claude => is_claude_service(&args),
        _ => false,
    };
    if shared { Role::SharedService } else { Role::Agent(kind) }
}

#[cfg(test)]
#[path = "agent_tests.rs"]
mod tests;
