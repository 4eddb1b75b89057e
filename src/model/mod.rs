//! Pure domain types: no OS, no terminal.

pub mod agent;
pub mod argv;
pub mod filter;
#[cfg(any(test, feature = "test-support"))]
pub mod fixture;
pub mod forest;
mod forest_kinds;
pub mod homes;
pub mod ids;
pub mod layout;
pub mod ports;
pub mod process;
pub mod recorded;
pub mod rollup;
pub mod snapshot;
pub mod sort;
pub mod tags;
pub mod text;
pub mod usage;
pub mod wire_path;

pub use argv::Argv;
pub use filter::Filter;
pub use forest::{
    AgentInfo, AssignedBy, AttemptNode, AttemptSource, Forest, ProcNode, ProjectNode, Rollup, TaskNode,
};
pub use ids::{AttemptId, NodeId, ProjectId, TaskId};
pub use ports::{Port, Proto};
pub use process::{ProcKey, ProcState, Process, ProcessFacts};
pub use snapshot::{
    ClaudeJob, ClaudeSession, ExternalSession, NamedWorkspace, RecordedStart, RegistryEntry, ServiceRecord,
    Shared, Snapshot, TaskTitle, Worktree,
};
pub use usage::{IoRate, MemoryMode, Pss};
