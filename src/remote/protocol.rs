//! The messages of `swarmtop serve --stdio` (docs/protocol.md): newline-delimited JSON,
//! one message per line, each an object with a `type`. The server speaks first (its
//! hello); forests follow every refresh, the first whole and then only what changed.
//! Pure: text in, messages out, and every bad line is an error value, never a panic.

use serde::{Deserialize, Serialize};

use super::delta::ForestDelta;
use crate::kill::exec::{KillReport, Progress, Sig};
use crate::kill::plan::{KillPlan, Narrowing};
use crate::model::{NodeId, ProcKey};

/// The version of the messages below. A client and a server of different versions do
/// not talk: the client says so, with the command that installs the same swarmtop.
pub const PROTOCOL: u32 = 1;

/// The longest line a client reads (a whole forest of a very busy box) and a server
/// reads (a request, which carries at most a plan's ProcKeys).
pub const MAX_SERVER_LINE: usize = 256 << 20;
pub const MAX_CLIENT_LINE: usize = 16 << 20;

/// What a server can do; a client uses no capability its server did not announce.
pub const CAP_FOREST_DELTA: &str = "forest-delta";
pub const CAP_KILL: &str = "kill";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    /// The served box's host name.
    pub host: String,
    /// The served swarmtop's version (`swarmtop --version`).
    pub version: String,
    pub capabilities: Vec<String>,
    /// The server refuses every kill (`--read-only`, `read_only = true` there).
    pub read_only: bool,
}

/// What a kill request names: the same targets and options the local command line
/// builds. Unknown fields are refused, so an option a server does not know is never
/// silently dropped from a kill.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    pub targets: Vec<NodeId>,
    /// `--mine`, `--keep-agents`, `--older-than`, `--min-rss`, `--min-cpu` (`--mine` is
    /// the far side's caller, which is no attempt there: such a plan is refused).
    #[serde(default)]
    pub narrowing: Narrowing,
}

/// Server → client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ServerMessage {
    Hello(Hello),
    /// A forest: `base: null` is a whole one (start afresh), otherwise the changes
    /// since forest `base`.
    Forest {
        seq: u64,
        base: Option<u64>,
        delta: Box<ForestDelta>,
    },
    /// The server's own sampling: a sample running too long, the last error, problems
    /// with its state files. Sent when it changes.
    Status {
        stalled_since_ms: Option<u64>,
        error: Option<String>,
        notices: Vec<String>,
    },
    /// The plan of request `request`, kept by the server under `id` until executed.
    Plan {
        request: u64,
        id: String,
        plan: Box<KillPlan>,
    },
    /// Request `request` (a plan or an execution) was refused; nothing was signalled.
    Refused {
        request: u64,
        message: String,
    },
    /// The kill of request `request` is running.
    Progress {
        request: u64,
        progress: Progress,
    },
    Report {
        request: u64,
        report: Box<KillReport>,
    },
    /// A line the server could not read (the connection stays open).
    Error {
        message: String,
    },
}

/// Client → server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ClientMessage {
    /// Plan a kill on the server's latest forest; answered by `plan` or `refused`.
    Plan { request: u64, kill: PlanRequest },
    /// Carry out the kept plan `plan`, which the user confirmed showing exactly the
    /// processes `keys`: refused unless the kept plan is still there and signals
    /// exactly those. Answered by `progress`… then `report`, or `refused`.
    Execute { request: u64, plan: String, keys: Vec<ProcKey>, signal: Sig, grace_secs: u64 },
    /// Cancel the running kill of request `request` (it continues what it stopped).
    Cancel { request: u64 },
    /// Stop sampling (true) or sample again.
    Pause { paused: bool },
    /// Sample now (after a kill).
    Refresh,
    /// Send a whole forest next (the client lost track).
    Resync,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("a line of {0} bytes is longer than the protocol allows")]
    TooLong(usize),
    #[error("not a message: {0}")]
    Malformed(String),
}

fn decode<'a, T: Deserialize<'a>>(line: &'a [u8], max: usize) -> Result<T, DecodeError> {
    if line.len() > max {
        return Err(DecodeError::TooLong(line.len()));
    }
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    serde_json::from_slice(line).map_err(|e| DecodeError::Malformed(clip(&e.to_string())))
}

/// Error texts quote the peer's input: kept short.
fn clip(s: &str) -> String {
    match s.char_indices().nth(300) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s.to_string(),
    }
}

impl ServerMessage {
    pub fn decode(line: &[u8]) -> Result<ServerMessage, DecodeError> {
        decode(line, MAX_SERVER_LINE)
    }

    /// One line, newline included. (serde_json escapes every control character in
    /// strings, so a message never holds a raw newline.)
    pub fn encode(&self) -> String {
        line(self)
    }
}

impl ClientMessage {
    pub fn decode(line: &[u8]) -> Result<ClientMessage, DecodeError> {
        decode(line, MAX_CLIENT_LINE)
    }

    pub fn encode(&self) -> String {
        line(self)
    }
}

fn line<T: Serialize>(message: &T) -> String {
    // Messages are plain data with string keys: serialising them cannot fail (floats
    // are made finite before they get here; serde_json writes a NaN as null anyway).
    let mut s = serde_json::to_string(message).unwrap_or_else(|e| {
        serde_json::json!({"type": "error", "message": format!("could not encode a message: {e}")})
            .to_string()
    });
    s.push('\n');
    s
}

#[cfg(test)]
#[path = "protocol_tests.rs"]
mod tests;
