//! Which environment variables place processes (placement rule 2), and reading them
//! out of a raw `/proc/PID/environ`. Only these are kept, so memory stays bounded.

pub const SWARMTOP_PROJECT: &str = "SWARMTOP_PROJECT";
pub const SWARMTOP_TASK: &str = "SWARMTOP_TASK";
pub const SWARMTOP_ATTEMPT: &str = "SWARMTOP_ATTEMPT";
pub const VK_WORKSPACE_BRANCH: &str = "VK_WORKSPACE_BRANCH";
pub const VK_WORKSPACE_ID: &str = "VK_WORKSPACE_ID";
/// Older vibe-kanban builds: the same id under its former name.
pub const VK_ATTEMPT_ID: &str = "VK_ATTEMPT_ID";
pub const CLAUDE_PID: &str = "CLAUDE_PID";
pub const CLAUDE_CODE_SESSION_ID: &str = "CLAUDE_CODE_SESSION_ID";
pub const CODEX_THREAD_ID: &str = "CODEX_THREAD_ID";
/// Older Codex builds set only this on tool processes (`core/src/exec_env.rs`).
pub const CODEX_SESSION_ID: &str = "CODEX_SESSION_ID";
pub const CRYSTAL_SESSION_ID: &str = "CRYSTAL_SESSION_ID";
/// vibe-kanban builds of 2025-12-04 → 12-18: the branch, like `VK_WORKSPACE_BRANCH`.
pub const VK_ATTEMPT_BRANCH: &str = "VK_ATTEMPT_BRANCH";
/// KILD v1: the session's branch (`kild-core/src/agents/resume.rs`).
pub const KILD_SESSION_BRANCH: &str = "KILD_SESSION_BRANCH";
/// KILD v1: the session id, naming `sessions/<id>/kild.json` (`/` as `_`).
pub const KILD_SHIM_SESSION: &str = "KILD_SHIM_SESSION";
/// KILD v2: the kild, naming `$KILD_HOME/kilds/<id>.json`.
pub const KILD_KILD_ID: &str = "KILD_KILD_ID";
/// Conductor (docs.conductor.build/tips/conductor-env).
pub const CONDUCTOR_WORKSPACE_NAME: &str = "CONDUCTOR_WORKSPACE_NAME";
pub const CONDUCTOR_WORKSPACE_PATH: &str = "CONDUCTOR_WORKSPACE_PATH";
pub const CONDUCTOR_ROOT_PATH: &str = "CONDUCTOR_ROOT_PATH";

/// Prefixes and names worth keeping: swarmtop's, orchestrators' and agents'.
const KEPT: &[&str] = &[
    "SWARMTOP_",
    "VK_",
    "CRYSTAL_SESSION_ID",
    "KILD_SHIM_SESSION",
    "KILD_SESSION_BRANCH",
    "KILD_KILD_ID",
    "CONDUCTOR_WORKSPACE_NAME",
    "CONDUCTOR_WORKSPACE_PATH",
    "CONDUCTOR_ROOT_PATH",
    "CLAUDE_PID",
    "CLAUDE_CODE_SESSION_ID",
    "CLAUDECODE",
    "CODEX_THREAD_ID",
    "CODEX_SESSION_ID",
];

pub fn is_kept(key: &str) -> bool {
    KEPT.iter().any(|k| if k.ends_with('_') { key.starts_with(k) } else { key == *k })
}

/// The kept `KEY=value` pairs of a NUL-separated environ block.
pub fn parse_environ(raw: &[u8]) -> Vec<(String, String)> {
    raw.split(|&b| b == 0)
        .filter_map(|entry| {
            let text = std::str::from_utf8(entry).ok()?;
            let (k, v) = text.split_once('=')?;
            is_kept(k).then(|| (k.to_string(), v.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_placing_variables_are_kept() {
        let raw = b"PATH=/bin\0SWARMTOP_PROJECT=alpha\0CLAUDECODE=1\0CLAUDE_PID=42\0VK_WORKSPACE_BRANCH=vk/1a2b-x\0HOME=/h\0SECRET_TOKEN=x\0";
        assert_eq!(
            parse_environ(raw),
            [
                ("SWARMTOP_PROJECT".to_string(), "alpha".to_string()),
                ("CLAUDECODE".to_string(), "1".to_string()),
                ("CLAUDE_PID".to_string(), "42".to_string()),
                ("VK_WORKSPACE_BRANCH".to_string(), "vk/1a2b-x".to_string()),
            ]
        );
        assert!(!is_kept("CLAUDE_PIDX") && is_kept("KILD_SHIM_SESSION"));
        assert!(!is_kept("CLAUDE_SQUAD_X"), "claude-squad sets no variables (smtg-ai/claude-squad@434ca25)");
        assert!(!is_kept("HOME"), "state homes are kept apart, shared (model::homes)");
    }
}
