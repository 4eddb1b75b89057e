//! Killing: plans (pure) and their execution (the only signalling code).

pub mod exec;
pub mod pidfd;
pub mod plan;
pub mod report;
pub mod sessions;
