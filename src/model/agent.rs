//! Recognising agent CLIs and shared agent services from a process's own shape:
//! argv[0]'s basename, or the script's basename under an interpreter — never a
//! substring of the command line (`tail -f notes/claude.log` is no agent).

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
            "gemini" => AgentKind::Gemini,
            "goose" => AgentKind::Goose,
            "opencode" => AgentKind::Opencode,
            "cursor-agent" => AgentKind::CursorAgent,
            "amp" => AgentKind::Amp,
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
    /// Serves several attempts and belongs to none (Codex's app-server daemon).
    SharedService,
    Plain,
}

const INTERPRETERS: &[&str] = &["node", "nodejs", "bun", "deno", "python", "python3", "ruby"];

fn basename(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// The basename that names the program: argv[0]'s, or under an interpreter, the
/// script's (the first argument that is not an option).
pub fn program_name(p: &Process) -> Option<&str> {
    let argv0 = basename(p.facts.cmd.first()?);
    let interpreter = INTERPRETERS.contains(&argv0) || argv0.starts_with("python3.");
    if !interpreter {
        return Some(argv0);
    }
    p.facts.cmd.iter().skip(1).find(|a| !a.starts_with('-')).map(basename)
}

pub fn classify(p: &Process, extra_agents: &[String]) -> Role {
    let Some(name) = program_name(p) else { return Role::Plain };
    let Some(kind) = AgentKind::from_basename(name, extra_agents) else { return Role::Plain };
    // `codex app-server …` is the daemon every codex TUI shares.
    if kind == AgentKind::Codex
        && p.facts.cmd.iter().skip(1).find(|a| !a.starts_with('-')).is_some_and(|a| a == "app-server")
    {
        return Role::SharedService;
    }
    Role::Agent(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixture::process;

    fn role(argv: &str) -> Role {
        classify(&process(10, 1, argv), &["myagent".to_string()])
    }

    #[test]
    fn agents_by_argv0_or_script_basename() {
        assert_eq!(role("/home/u/.npm/bin/claude --resume"), Role::Agent(AgentKind::Claude));
        assert_eq!(role("node /usr/lib/node_modules/@openai/codex/bin/codex"), Role::Agent(AgentKind::Codex));
        assert_eq!(role("/opt/codex-linux-x64/vendor/bin/codex"), Role::Agent(AgentKind::Codex));
        assert_eq!(role("python3 -u /home/u/.local/bin/aider --model x"), Role::Agent(AgentKind::Aider));
        assert_eq!(role("bun /x/opencode"), Role::Agent(AgentKind::Opencode));
        assert_eq!(role("cursor-agent"), Role::Agent(AgentKind::CursorAgent));
        assert_eq!(role("myagent --go"), Role::Agent(AgentKind::Custom("myagent".into())));
    }

    #[test]
    fn substrings_and_claudes_ripgrep_are_not_agents() {
        assert_eq!(role("tail -f notes/claude.log"), Role::Plain);
        assert_eq!(role("vim claude"), Role::Plain);
        // Its exe is claude.exe, but argv[0] is what names a process.
        assert_eq!(role("rg --files"), Role::Plain);
        assert_eq!(role("node server.js"), Role::Plain);
    }

    #[test]
    fn codex_app_server_is_a_shared_service() {
        assert_eq!(
            role(
                "/h/.codex/packages/app-server-daemon/bin/codex app-server --listen unix:// --managed-daemon"
            ),
            Role::SharedService
        );
        assert_eq!(role("/h/.codex/bin/codex app-server daemon pid-update-loop"), Role::SharedService);
    }
}
