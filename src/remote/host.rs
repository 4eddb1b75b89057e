//! Hosts as the user names them (`[user@]HOST[:PORT]`), the ssh command line for one,
//! what a host's connection is doing, and what a failed connection means. Pure.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::model::text::{sanitize, utc_clock};

/// A host as given to `--host` or `hosts = [...]`: its name in ids and on screen is
/// that text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostSpec {
    pub name: String,
    /// What ssh is given: `[user@]HOST`.
    pub destination: String,
    pub port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid host {input:?}: {reason} (expected [user@]HOST[:PORT])")]
pub struct HostError {
    pub input: String,
    pub reason: &'static str,
}

impl FromStr for HostSpec {
    type Err = HostError;

    fn from_str(s: &str) -> Result<HostSpec, HostError> {
        let err = |reason| HostError { input: s.to_string(), reason };
        if s.is_empty() {
            return Err(err("empty"));
        }
        // ssh would read a leading '-' as an option (`-oProxyCommand=…`).
        if s.starts_with('-') {
            return Err(err("a host cannot start with '-'"));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '/') {
            return Err(err("a host has no spaces, control characters or '/'"));
        }
        let (user, rest) = match s.rsplit_once('@') {
            Some((u, r)) if !u.is_empty() && !r.is_empty() => (Some(u), r),
            Some(_) => return Err(err("empty user or host")),
            None => (None, s),
        };
        // `[::1]:22` or `host:22`; a bare IPv6 address has several ':' and no port.
        let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
            let (addr, tail) = inner.split_once(']').ok_or_else(|| err("unclosed '['"))?;
            match tail {
                "" => (addr, None),
                t => (addr, Some(t.strip_prefix(':').ok_or_else(|| err("text after ']'"))?)),
            }
        } else {
            match rest.split_once(':') {
                Some((h, p)) if !p.contains(':') => (h, Some(p)),
                _ => (rest, None),
            }
        };
        if host.is_empty() || host.starts_with('-') {
            return Err(err("empty host"));
        }
        let port = match port {
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && !p.starts_with('0') && p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
                _ => return Err(err("the port is not a number from 1 to 65535")),
            },
            None => None,
        };
        let destination = match user {
            Some(u) => format!("{u}@{host}"),
            None => host.to_string(),
        };
        Ok(HostSpec { name: s.to_string(), destination, port })
    }
}

impl fmt::Display for HostSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// The default program and options: no terminal, never a prompt.
pub const DEFAULT_SSH: &str = "ssh -T -o BatchMode=yes";
/// The program run on the far side, before `serve --stdio`.
pub const DEFAULT_REMOTE: &str = "swarmtop";

/// `ssh_command… [-p PORT] DESTINATION 'REMOTE serve --stdio --refresh MS'`.
pub fn ssh_argv(ssh: &[String], host: &HostSpec, remote: &str, refresh_ms: u64) -> Vec<String> {
    let mut argv = ssh.to_vec();
    if let Some(port) = host.port {
        argv.extend(["-p".to_string(), port.to_string()]);
    }
    argv.push(host.destination.clone());
    argv.push(format!("{remote} serve --stdio --refresh {refresh_ms}"));
    argv
}

/// What a host's connection is doing. Times are milliseconds since the epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostStatus {
    Connecting,
    Connected,
    /// Connected, but nothing came since `since_ms` (the far side stalls).
    Stale {
        since_ms: u64,
    },
    /// The connection was up and went; trying again at `at_ms`.
    Reconnecting {
        reason: String,
        at_ms: u64,
    },
    /// It never came up: ssh's own error line, or what the far side is missing.
    Failed {
        reason: String,
        retry_at_ms: u64,
    },
}

impl HostStatus {
    pub fn is_connected(&self) -> bool {
        matches!(self, HostStatus::Connected)
    }

    /// For a row or a header: `connected`, `stale since 12:00:03 UTC`, `reconnecting in 4 s: …`.
    pub fn text(&self, now_ms: u64) -> String {
        let secs = |at: u64| at.saturating_sub(now_ms).div_ceil(1000);
        match self {
            HostStatus::Connecting => "connecting…".into(),
            HostStatus::Connected => "connected".into(),
            HostStatus::Stale { since_ms } => format!("stale since {}", utc_clock(since_ms / 1000)),
            HostStatus::Reconnecting { reason, at_ms } => {
                format!("reconnecting in {} s: {}", secs(*at_ms), sanitize(reason))
            }
            HostStatus::Failed { reason, retry_at_ms } => {
                format!("failed: {} (retry in {} s)", sanitize(reason), secs(*retry_at_ms))
            }
        }
    }
}

/// How long before trying again after the `attempt`-th failure in a row (1, 2, 4 … s),
/// longer for a host that never answered (it is likely to stay that way for a while).
pub fn backoff(attempt: u32, ever_connected: bool) -> Duration {
    let cap = if ever_connected { 30 } else { 60 };
    Duration::from_secs((1u64 << attempt.saturating_sub(1).min(6)).min(cap))
}

/// What the end of a connection means for the user: ssh's exit code and its last
/// lines on stderr, or the session's own reason (a peer that is no swarmtop).
pub fn failure_reason(host: &HostSpec, exit: Option<i32>, stderr: &[String], install: &str) -> String {
    let last = stderr.iter().rev().map(|l| l.trim()).find(|l| !l.is_empty());
    let not_found = |l: &&str| {
        l.contains("command not found") || l.ends_with(": not found") || l.contains("No such file")
    };
    if exit == Some(127) || stderr.iter().map(String::as_str).any(|l| not_found(&l)) {
        return format!(
            "swarmtop is not installed on {host} (or not on the PATH of ssh commands): {install}"
        );
    }
    match (last, exit) {
        (Some(line), _) => clip(&sanitize(line)),
        (None, Some(code)) => format!("ssh exited with status {code}"),
        (None, None) => "ssh ended on a signal".into(),
    }
}

/// How to put this very binary on `host`: the protocol is versioned, and the same
/// build always speaks it.
pub fn install_hint(host: &HostSpec, local_binary: &str) -> String {
    format!(
        "copy this one there with `scp {local_binary} {dest}:swarmtop` and add `--remote-command ./swarmtop` \
         (or `remote_command` in the config)",
        dest = host.destination
    )
}

fn clip(s: &str) -> String {
    match s.char_indices().nth(200) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s.to_string(),
    }
}

#[cfg(test)]
#[path = "host_tests.rs"]
mod tests;
