//! Other boxes over OpenSSH: `swarmtop serve --stdio` on the far side, a versioned
//! protocol of newline-delimited JSON between (docs/protocol.md). Pure: the wire forest
//! and its deltas (`wire`, `delta`), the messages (`protocol`), the client's and the
//! server's bookkeeping (`session`, `plans`), host names and statuses (`host`). The OS:
//! the ssh child process behind the `Transport` trait (`transport`) and the thread that
//! keeps one host connected (`link`).

pub mod delta;
pub mod host;
pub mod link;
mod pipes;
pub mod plans;
pub mod protocol;
pub mod session;
pub mod transport;
pub mod wire;
