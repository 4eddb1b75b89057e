//! The real [`Panes`]: the tmux that swarmtop runs in (`$TMUX`), asked with the `tmux`
//! command, and agents' terminals read from `/proc/PID/stat`.

use std::process::{Command, Stdio};

use super::jump::{Pane, Panes, tty_path};
use crate::model::ProcKey;
use crate::procfs;

#[derive(Debug, Default)]
pub struct Tmux;

fn tmux(args: &[&str]) -> Result<String, String> {
    let out = Command::new("tmux")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run tmux: {e}"))?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(format!("tmux {}: {why}", args.first().copied().unwrap_or_default()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

impl Panes for Tmux {
    fn inside_tmux(&self) -> bool {
        std::env::var_os("TMUX").is_some_and(|v| !v.is_empty())
    }

    fn list(&self) -> Result<Vec<Pane>, String> {
        let text = tmux(&["list-panes", "-a", "-F", "#{pane_tty} #{pane_id}"])?;
        Ok(text
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(tty, id)| Pane { tty: tty.to_string(), id: id.trim().to_string() })
            .collect())
    }

    fn tty_of(&self, agent: ProcKey) -> Option<String> {
        let stat = procfs::read_stat(agent.pid(), &mut Vec::new())?;
        // The PID may name another process by now: only the agent's own terminal counts.
        (stat.start_ticks == agent.start_time()).then(|| tty_path(stat.tty_nr)).flatten()
    }

    fn show(&self, pane: &str) -> Result<(), String> {
        // switch-client moves the attached client to the pane's session, window and
        // pane; without a client (a detached server), the session's own current window
        // and pane change, which is what a client attaching then sees.
        if tmux(&["switch-client", "-t", pane]).is_err() {
            tmux(&["select-window", "-t", pane])?;
        }
        tmux(&["select-pane", "-t", pane]).map(drop)
    }
}
