//! The client's side of one connection, as plain data: lines from the server in,
//! events out. It checks the hello, keeps the forest the deltas apply to, and says
//! when it lost track (ask for a whole forest) or the peer is no swarmtop it can talk
//! to (close). Pure.

use std::sync::Arc;

use super::host::HostStatus;
use super::protocol::{CAP_KILL, DecodeError, Hello, PROTOCOL, ServerMessage};
use super::wire::WireForest;
use crate::kill::exec::{KillReport, Progress};
use crate::kill::plan::KillPlan;
use crate::model::Forest;
use crate::model::text::sanitize;

/// What happened on a connection: what the session reads from the server, and what the
/// link adds (its status, a notice). A link reports these with its host's index.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// The link's: connecting, connected, stale, reconnecting, failed.
    Status(HostStatus),
    Hello(Hello),
    Forest(Arc<Forest>),
    /// The far side's own sampling (a stall there, its last error, its notices).
    Sampling {
        stalled_since_ms: Option<u64>,
        error: Option<String>,
        notices: Vec<String>,
    },
    Plan {
        request: u64,
        id: String,
        plan: Box<KillPlan>,
    },
    Refused {
        request: u64,
        message: String,
    },
    Progress {
        request: u64,
        progress: Progress,
    },
    Report {
        request: u64,
        report: Box<KillReport>,
    },
    /// The link's: a problem with the connection worth a line (a message it could not read).
    Notice(String),
}

/// A line that gave no event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The peer is no swarmtop this one can talk to: close the connection.
    #[error("{0}")]
    Fatal(String),
    /// The forest is out of step: ask for a whole one (the connection stays).
    #[error("{0}")]
    Resync(String),
    /// Reported; the connection stays.
    #[error("{0}")]
    Reported(String),
}

#[derive(Debug, Default)]
pub struct Session {
    hello: Option<Hello>,
    /// The forest the next delta applies to, and its number.
    forest: Option<(u64, WireForest)>,
}

impl Session {
    pub fn hello(&self) -> Option<&Hello> {
        self.hello.as_ref()
    }

    /// Whether the server carries out kills.
    pub fn kills(&self) -> bool {
        self.hello.as_ref().is_some_and(|h| !h.read_only && h.capabilities.iter().any(|c| c == CAP_KILL))
    }

    pub fn on_line(&mut self, line: &[u8]) -> Result<Update, Problem> {
        let message = ServerMessage::decode(line);
        let Some(_) = &self.hello else {
            return match message {
                Ok(ServerMessage::Hello(h)) if h.protocol == PROTOCOL => {
                    self.hello = Some(h.clone());
                    Ok(Update::Hello(h))
                }
                Ok(ServerMessage::Hello(h)) => Err(Problem::Fatal(format!(
                    "it runs swarmtop {} (protocol {}); this swarmtop {} speaks protocol {PROTOCOL}",
                    sanitize(&h.version),
                    h.protocol,
                    env!("CARGO_PKG_VERSION")
                ))),
                _ => Err(Problem::Fatal(format!(
                    "it did not answer with swarmtop's hello but {:?}",
                    sanitize(&String::from_utf8_lossy(&line[..line.len().min(120)])).trim_end()
                ))),
            };
        };
        match message {
            Err(DecodeError::TooLong(n)) => {
                // It may have been a forest: whatever the next delta applies to is unknown.
                self.forest = None;
                Err(Problem::Resync(format!("a message of {n} bytes is too long")))
            }
            Err(e) => {
                self.forest = None;
                Err(Problem::Resync(format!("unreadable message: {e}")))
            }
            Ok(ServerMessage::Hello(_)) => Err(Problem::Reported("a second hello was ignored".into())),
            Ok(ServerMessage::Forest { seq, base, delta }) => {
                let mut w = match (base, self.forest.take()) {
                    (None, _) => WireForest::default(),
                    (Some(base), Some((held, w))) if base == held => w,
                    (Some(base), held) => {
                        let held = held.map_or("none".into(), |(n, _)| n.to_string());
                        return Err(Problem::Resync(format!(
                            "forest {seq} changes forest {base}, but this client holds {held}"
                        )));
                    }
                };
                delta.apply(&mut w);
                let forest = w.to_forest().map_err(|e| Problem::Resync(format!("forest {seq}: {e}")))?;
                self.forest = Some((seq, w));
                Ok(Update::Forest(Arc::new(forest)))
            }
            Ok(ServerMessage::Status { stalled_since_ms, error, notices }) => {
                Ok(Update::Sampling { stalled_since_ms, error, notices })
            }
            Ok(ServerMessage::Plan { request, id, plan }) => Ok(Update::Plan { request, id, plan }),
            Ok(ServerMessage::Refused { request, message }) => Ok(Update::Refused { request, message }),
            Ok(ServerMessage::Progress { request, progress }) => Ok(Update::Progress { request, progress }),
            Ok(ServerMessage::Report { request, report }) => Ok(Update::Report { request, report }),
            Ok(ServerMessage::Error { message }) => {
                Err(Problem::Reported(format!("it could not read a request: {}", sanitize(&message))))
            }
        }
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
