//! The real Claude Code and Codex CLIs, when a directory with them is given in
//! `SWARMTOP_REAL_AGENTS` (e.g. an `npm install --prefix DIR @anthropic-ai/claude-code
//! @openai/codex`), run at their prompts under tmux in temp worktrees with a `HOME` of their
//! own (not swarmtop's), Claude with a `CLAUDE_CONFIG_DIR` too; swarmtop must read their
//! state where their environment puts it: each attempt's agent, Claude linked to its
//! session file, Codex's managed daemon and Claude's background service shared, a
//! background job's worker in its own attempt. Opt-in: `cargo test --test real_agents --
//! --ignored`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::*;
use serde_json::Value;

struct Tmux(String);

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.0, "kill-server"]).output();
    }
}

/// Kills the sessions of every process whose exe is under `root` (the daemons the agents
/// start in sessions of their own outlive tmux), passed or failed.
struct ExeGuard(PathBuf);

impl Drop for ExeGuard {
    fn drop(&mut self) {
        let mine: Vec<u32> = swarmtop::procfs::list_pids()
            .into_iter()
            .filter(|p| std::fs::read_link(format!("/proc/{p}/exe")).is_ok_and(|e| e.starts_with(&self.0)))
            .filter_map(|p| swarmtop::procfs::read_stat(p, &mut Vec::new()).map(|s| s.sid))
            .collect();
        swarmtop::kill::sessions::kill_sessions(&mine, Duration::from_secs(10));
    }
}

fn find_attempt(doc: &Value, id: &str) -> Option<Value> {
    doc["projects"]
        .as_array()?
        .iter()
        .flat_map(|p| p["tasks"].as_array().cloned().unwrap_or_default())
        .find_map(|t| t["attempts"].as_array()?.iter().find(|a| a["id"] == id).cloned())
}

/// The `cmd` of every process listed under "shared".
fn shared_commands(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<Value> = doc["shared"].as_array().cloned().unwrap_or_default();
    while let Some(p) = stack.pop() {
        out.push(
            p["cmd"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" "))
                .unwrap_or_default(),
        );
        stack.extend(p["children"].as_array().cloned().unwrap_or_default());
    }
    out
}

fn trust(file: &Path, repo: &Path) {
    let text = format!(
        r#"{{"hasCompletedOnboarding":true,"projects":{{"{}":{{"hasTrustDialogAccepted":true}}}}}}"#,
        repo.display()
    );
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

#[test]
#[ignore = "needs SWARMTOP_REAL_AGENTS: a directory with node_modules/.bin/{claude,codex}"]
fn real_claude_and_codex_are_read_where_their_own_environment_says() {
    let Some(dir) = std::env::var_os("SWARMTOP_REAL_AGENTS").map(PathBuf::from) else {
        panic!("set SWARMTOP_REAL_AGENTS to a directory with node_modules/.bin/{{claude,codex}}");
    };
    let bin = |name: &str| dir.join("node_modules/.bin").join(name);
    assert!(bin("claude").exists() && bin("codex").exists(), "claude or codex missing in {}", dir.display());
    assert!(Command::new("tmux").arg("-V").output().is_ok(), "tmux missing");
    let tmp = tempfile::tempdir().unwrap();
    let (agent_home, own_home) = (tmp.path().join("agent-home"), tmp.path().join("swarmtop-home"));
    let claude_dir = agent_home.join(".claude-work");
    std::fs::create_dir_all(&own_home).unwrap();
    let r = repo(tmp.path(), "realproj");
    let wt_claude = worktree(&r, &tmp.path().join("wt/c1c1-try-claude"), "vk/c1c1-try-claude");
    let wt_codex = worktree(&r, &tmp.path().join("wt/c2c2-try-codex"), "vk/c2c2-try-codex");
    let wt_bg = worktree(&r, &tmp.path().join("wt/c3c3-try-bg"), "vk/c3c3-try-bg");
    // Offline, claude waits at its prompt only once onboarded and trusted; with
    // CLAUDE_CONFIG_DIR its `.claude.json` lives there.
    trust(&claude_dir.join(".claude.json"), &r);
    let _guard = ExeGuard(dir.clone());
    let _home_guard = ExeGuard(agent_home.clone());
    let tmux = Tmux(format!("swarmtop-agents-{}", std::process::id()));
    let start = |name: &str, cwd: &Path, cmd: String| {
        let ok = Command::new("tmux")
            .args(["-L", &tmux.0, "new-session", "-d", "-x", "120", "-y", "30", "-s", name, "-c"])
            .arg(cwd)
            .arg(cmd)
            .status()
            .unwrap();
        assert!(ok.success());
    };
    let env = format!("env HOME={} DISABLE_AUTOUPDATER=1", agent_home.display());
    let claude_env = format!("{env} CLAUDE_CONFIG_DIR={}", claude_dir.display());
    start("claude", &wt_claude, format!("{claude_env} {}", bin("claude").display()));
    // Codex as it starts by default: it launches its managed app-server daemon.
    start("codex", &wt_codex, format!("{env} {}", bin("codex").display()));
    // A background job (Claude Code's agent view): the daemon, a pty host, the worker.
    let bg = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "cd {} && {claude_env} {} --bg 'say hi' </dev/null",
            wt_bg.display(),
            bin("claude").display()
        ))
        .output()
        .unwrap();
    println!("claude --bg: {}", String::from_utf8_lossy(&bg.stdout).trim());

    let list = || {
        let out = Command::new(env!("CARGO_BIN_EXE_swarmtop"))
            .args(["list", "--json"])
            .env("HOME", &own_home)
            .env_remove("CLAUDE_CONFIG_DIR")
            .env_remove("CODEX_HOME")
            .env("XDG_CONFIG_HOME", "/nonexistent")
            .output()
            .ok()?;
        serde_json::from_slice::<Value>(&out.stdout).ok()
    };
    let doc = wait_for("every agent, linked", Duration::from_secs(90), || {
        let v = list()?;
        let claude = find_attempt(&v, "attempt:realproj/try-claude/c1c1")?;
        let codex = find_attempt(&v, "attempt:realproj/try-codex/c2c2")?;
        let bg = find_attempt(&v, "attempt:realproj/try-bg/c3c3")?;
        // The session files appear once claude sits at its prompt.
        let linked = claude["processes"][0]["agent"]["session_id"].is_string();
        let shared = shared_commands(&v);
        let daemons = shared.iter().any(|c| c.contains("--managed-daemon"))
            && shared.iter().any(|c| c.contains("--bg-pty-host"));
        (claude["agent"] == "claude"
            && codex["agent"] == "codex"
            && bg["agent"] == "claude"
            && linked
            && daemons)
            .then_some(v)
    });
    let claude = &find_attempt(&doc, "attempt:realproj/try-claude/c1c1").unwrap()["processes"][0];
    assert_eq!(claude["agent"]["kind"], "claude");
    assert!(claude["agent"]["status"].is_string(), "{claude}");
    let codex = find_attempt(&doc, "attempt:realproj/try-codex/c2c2").unwrap();
    assert_eq!(codex["processes"][0]["agent"]["kind"], "codex", "the node launcher is the agent");
    assert!(codex["processes"][0]["children"][0]["agent"].is_null(), "its native binary is the same agent");
    let shared = shared_commands(&doc);
    println!("shared services: {shared:#?}");
    assert!(shared.iter().any(|c| c.contains(" daemon run")), "claude's daemon is shared: {shared:?}");
    let bg = find_attempt(&doc, "attempt:realproj/try-bg/c3c3").unwrap();
    println!("background job's attempt: {bg}");
    assert!(bg.to_string().contains("--session-id"), "the job's worker is in its cwd's attempt");
}
