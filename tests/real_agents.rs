//! The real Claude Code and Codex CLIs, when a directory with them is given in
//! `SWARMTOP_REAL_AGENTS` (e.g. an `npm install --prefix DIR @anthropic-ai/claude-code
//! @openai/codex`), run at their prompts under tmux in a temp worktree; swarmtop must show
//! them as their attempts' agents, Claude linked to its session file. Skips otherwise.

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

fn find_attempt(doc: &Value, id: &str) -> Option<Value> {
    doc["projects"]
        .as_array()?
        .iter()
        .flat_map(|p| p["tasks"].as_array().cloned().unwrap_or_default())
        .find_map(|t| t["attempts"].as_array()?.iter().find(|a| a["id"] == id).cloned())
}

#[test]
fn real_claude_and_codex_are_their_attempts_agents() {
    let Some(dir) = std::env::var_os("SWARMTOP_REAL_AGENTS").map(PathBuf::from) else {
        println!("SKIPPED: set SWARMTOP_REAL_AGENTS to a directory with node_modules/.bin/{{claude,codex}}");
        return;
    };
    let bin = |name: &str| dir.join("node_modules/.bin").join(name);
    if !bin("claude").exists() || !bin("codex").exists() || Command::new("tmux").arg("-V").output().is_err() {
        println!("SKIPPED: claude, codex or tmux missing");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let r = repo(tmp.path(), "realproj");
    let wt_claude = worktree(&r, &tmp.path().join("wt/c1c1-try-claude"), "vk/c1c1-try-claude");
    let wt_codex = worktree(&r, &tmp.path().join("wt/c2c2-try-codex"), "vk/c2c2-try-codex");
    // Offline, claude waits at its prompt only once onboarded and trusted.
    let trust = format!(
        r#"{{"hasCompletedOnboarding":true,"projects":{{"{}":{{"hasTrustDialogAccepted":true}}}}}}"#,
        r.display()
    );
    std::fs::write(home.join(".claude.json"), trust).unwrap();
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
    let env = format!("env HOME={} DISABLE_AUTOUPDATER=1", home.display());
    start("claude", &wt_claude, format!("{env} {}", bin("claude").display()));
    start("codex", &wt_codex, format!("{env} {} --disable daemon_auto_start", bin("codex").display()));

    let doc = wait_for("both agents", Duration::from_secs(60), || {
        let out = Command::new(env!("CARGO_BIN_EXE_swarmtop"))
            .args(["list", "--json"])
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", "/nonexistent")
            .output()
            .ok()?;
        let v: Value = serde_json::from_slice(&out.stdout).ok()?;
        let claude = find_attempt(&v, "attempt:realproj/try-claude/c1c1")?;
        let codex = find_attempt(&v, "attempt:realproj/try-codex/c2c2")?;
        // The session file appears once claude sits at its prompt.
        let linked = claude["processes"][0]["agent"]["session_id"].is_string();
        (claude["agent"] == "claude" && codex["agent"] == "codex" && linked).then_some(v)
    });
    let claude = &find_attempt(&doc, "attempt:realproj/try-claude/c1c1").unwrap()["processes"][0];
    assert_eq!(claude["agent"]["kind"], "claude");
    assert!(claude["agent"]["status"].is_string(), "{claude}");
    let codex = find_attempt(&doc, "attempt:realproj/try-codex/c2c2").unwrap();
    assert_eq!(codex["processes"][0]["agent"]["kind"], "codex", "the node launcher is the agent");
    assert!(codex["processes"][0]["children"][0]["agent"].is_null(), "its native binary is the same agent");
}
